/** Azure private-link DNS zones a K8TRE cluster stack needs (Azure public cloud). Pure. */

export const PRIVATE_ZONE_KEYS = ["aks", "blob", "file", "queue", "table", "dfs", "vault"] as const;
export type PrivateZoneKey = (typeof PRIVATE_ZONE_KEYS)[number];
export type ZoneMap<T> = Record<PrivateZoneKey, T>;

/** Private-link zone names in the Azure public cloud for a region. */
export function privateZoneNames(location: string): ZoneMap<string> {
  return {
    aks: `privatelink.${location}.azmk8s.io`,
    blob: "privatelink.blob.core.windows.net",
    file: "privatelink.file.core.windows.net",
    queue: "privatelink.queue.core.windows.net",
    table: "privatelink.table.core.windows.net",
    dfs: "privatelink.dfs.core.windows.net",
    vault: "privatelink.vaultcore.azure.net",
  };
}
