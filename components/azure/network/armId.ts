/**
 * Azure resource IDs as plain strings: parse the parts the network stack needs (subscription,
 * resource group, name) and build IDs of resources whose names are known before they exist,
 * so references work in a preview. Pure: no Pulumi.
 */

export interface ArmIdParts {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  /** Last name segment (a subnet's own name for a subnet ID). */
  readonly name: string;
  /** `Microsoft.Network/virtualNetworks` style type of the top-level resource, if any. */
  readonly type?: string;
  /** Name of the top-level resource (the VNet for a subnet ID). */
  readonly topName?: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+)\/([^/]+)\/([^/]+)((?:\/[^/]+\/[^/]+)*))?$/i;

export function parseArmId(id: string): ArmIdParts {
  const m = ID.exec(id);
  if (!m) throw new Error(`not an Azure resource ID: ${id}`);
  const [, subscriptionId, resourceGroupName, ns, type, topName, rest] = m;
  if (!ns) return { subscriptionId, resourceGroupName, name: resourceGroupName };
  const tail = rest ? rest.split("/").filter(Boolean) : [];
  return {
    subscriptionId,
    resourceGroupName,
    name: tail.length ? tail[tail.length - 1] : topName,
    type: `${ns}/${type}`,
    topName,
  };
}

/** `/subscriptions/<s>/resourceGroups/<rg>/providers/<type>/<name>`. */
export function armId(subscriptionId: string, resourceGroupName: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/${type}/${name}`;
}

/** True when `child` (e.g. a subnet ID) sits under `parent` (e.g. its VNet ID); case-insensitive like ARM. */
export function isUnder(child: string, parent: string): boolean {
  return child.toLowerCase().startsWith(`${parent.toLowerCase()}/`);
}
