/** Helpers shared by the Azure rule table: clusters' pools and identities, role assignments, CIDRs. */
import { type Cidr, parseCidr } from "../../../config/cidr";
import { isUnknown, list, obj, type PlanIndex, type PlanResource } from "./plan";

export const T = {
  cluster: "azure-native:containerservice:ManagedCluster",
  agentPool: "azure-native:containerservice:AgentPool",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  feature: "azure-native:features:SubscriptionFeatureRegistration",
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  peering: "azure-native:network:VirtualNetworkPeering",
  routeTable: "azure-native:network:RouteTable",
  route: "azure-native:network:Route",
  privateEndpoint: "azure-native:network:PrivateEndpoint",
  dnsZoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  appGateway: "azure-native:network:ApplicationGateway",
  privateZone: "azure-native:privatedns:PrivateZone",
  zoneLink: "azure-native:privatedns:VirtualNetworkLink",
  storageAccount: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  fileShare: "azure-native:storage:FileShare",
  vault: "azure-native:keyvault:Vault",
  flowLog: "azure-native:network:FlowLog",
  networkWatcher: "azure-native:network:NetworkWatcher",
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  stackReference: "pulumi:pulumi:StackReference",
} as const;

/** Built-in role definition IDs (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const ROLES = {
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  privateDnsZoneContributor: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
} as const;

/** Writing blobs as an Entra identity (a VNet flow log's managed identity): Storage Blob Data Contributor. */
export const BLOB_WRITE: RoleNeed = {
  builtIn: [ROLES.storageBlobDataContributor, ROLES.storageBlobDataOwner],
  actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"],
  label: "Storage Blob Data Contributor (or a custom role with blobs/write)",
};

/** Joining a subnet (nodes, internal load balancers): Network Contributor or a custom role with the two actions (https://learn.microsoft.com/azure/aks/use-byo-cni). */
export const SUBNET_JOIN: RoleNeed = {
  builtIn: [ROLES.networkContributor, ROLES.owner, ROLES.contributor],
  actions: ["Microsoft.Network/virtualNetworks/subnets/join/action", "Microsoft.Network/virtualNetworks/subnets/read"],
  label: "Network Contributor (or a custom role with subnets/join/action and subnets/read)",
};

/** Linking a private DNS zone to a VNet: virtualNetworks/join/action on the VNet (https://learn.microsoft.com/azure/aks/private-clusters). */
export const VNET_JOIN: RoleNeed = {
  builtIn: [ROLES.networkContributor, ROLES.owner, ROLES.contributor],
  actions: ["Microsoft.Network/virtualNetworks/join/action"],
  label: "Network Contributor (or a custom role with virtualNetworks/join/action)",
};

/** Writing records into a private DNS zone (https://learn.microsoft.com/azure/aks/private-clusters). */
export const DNS_ZONE_WRITE: RoleNeed = {
  builtIn: [ROLES.privateDnsZoneContributor, ROLES.owner, ROLES.contributor],
  actions: ["Microsoft.Network/privateDnsZones/A/write", "Microsoft.Network/privateDnsZones/read"],
  label: "Private DNS Zone Contributor (or a custom role with privateDnsZones/A/write)",
};

export const show = (v: unknown): string => (v === undefined ? "unset" : JSON.stringify(v));

/** An AKS cluster's node pools: inline profiles plus separate AgentPool resources of the same cluster. */
export function poolsOf(cluster: PlanResource, plan: PlanIndex): Array<{ name: string; inputs: Record<string, any>; path: string; resource: PlanResource }> {
  const inline = list(cluster.inputs.agentPoolProfiles).map((p, i) => ({ name: String(obj(p).name), inputs: obj(p), path: `${propertiesPrefix(cluster)}agentPoolProfiles[${i}]`, resource: cluster }));
  const clusterName = cluster.inputs.resourceName ?? cluster.raw.inputs.resourceName;
  const separate = plan
    .ofType(T.agentPool)
    .filter((p) => p.stack === cluster.stack && p.inputs.resourceName === clusterName)
    .map((p) => ({ name: String(p.inputs.agentPoolName ?? p.name), inputs: p.inputs, path: "", resource: p }));
  return [...inline, ...separate];
}

/** `properties.` for a generic ARM resource (whose typed inputs sit under `properties`), else "". */
export function propertiesPrefix(r: PlanResource): string {
  return r.raw.type !== r.type ? "properties." : "";
}

/** The envelope of a resource: `identity`, `location`, `sku` of a generic resource live outside `properties`. */
export function envelope(r: PlanResource): Record<string, any> {
  return r.raw.type !== r.type ? r.raw.inputs : r.inputs;
}

/** User-assigned identity IDs of a resource (array or ARM's object form). */
export function userAssignedIdentityIds(r: PlanResource): string[] {
  const ids = obj(envelope(r).identity).userAssignedIdentities;
  if (Array.isArray(ids)) return ids.filter((x): x is string => typeof x === "string");
  return Object.keys(obj(ids));
}

/** Whether `scope` equals `target` or is one of its parents (ARM scopes are inherited downwards). */
export function scopeCovers(scope: unknown, target: string): boolean {
  if (typeof scope !== "string" || isUnknown(scope)) return false;
  const s = scope.toLowerCase().replace(/\/$/, "");
  const t = target.toLowerCase();
  return t === s || t.startsWith(`${s}/`);
}

/** What a grant must allow: built-in roles that do, or the actions a custom role must include. */
export interface RoleNeed {
  /** Built-in role definition GUIDs that grant it. */
  readonly builtIn: readonly string[];
  /** Actions a custom role definition (declared in the plan) must allow, wildcards honoured. */
  readonly actions: readonly string[];
  /** How messages name it, e.g. `Network Contributor (or a custom role with subnets/join/action)`. */
  readonly label: string;
}

function actionAllowed(granted: readonly string[], notGranted: readonly string[], action: string): boolean {
  const match = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);
  return granted.some(match) && !notGranted.some(match);
}

/**
 * Role assignments in the plan that grant `principal` (an identity resource in the plan) what
 * `need` describes at `target` or above: a built-in role, or a custom role definition in the plan
 * whose actions cover the needed ones and whose assignable scopes include the target. The
 * principal is recognised through the data flow: the assignment's `principalId` comes from that
 * identity's output, so the assignment depends on it.
 */
export function grants(plan: PlanIndex, principal: PlanResource, need: RoleNeed, target: string): PlanResource[] {
  const custom = plan.ofType("azure-native:authorization:RoleDefinition");
  return plan.ofType(T.roleAssignment).filter((ra) => {
    if (!scopeCovers(ra.inputs.scope, target) || !ra.raw.dependsOn.includes(principal.urn)) return false;
    const role = String(ra.inputs.roleDefinitionId ?? "").toLowerCase();
    if (need.builtIn.some((g) => role.endsWith(`/${g}`))) return true;
    const def = custom.find((d) => typeof d.inputs.roleDefinitionId === "string" && role.endsWith(`/${d.inputs.roleDefinitionId.toLowerCase()}`));
    if (!def || !list(def.inputs.assignableScopes).some((s) => scopeCovers(s, target))) return false;
    const perms = list(def.inputs.permissions).map((p) => p as Record<string, unknown>);
    const actions = perms.flatMap((p) => list(p.actions).map(String));
    const notActions = perms.flatMap((p) => list(p.notActions).map(String));
    return need.actions.every((a) => actionAllowed(actions, notActions, a));
  });
}

/**
 * Whether `from` waits for `on`: a dependency within the stack, or — across stacks — a
 * StackReference to `on`'s stack (that stack is deployed, so `on` exists, before `from`'s).
 */
export function waitsFor(plan: PlanIndex, from: PlanResource, on: PlanResource): boolean {
  if (from.stack === on.stack) return plan.dependsOn(from, on);
  return plan.ofType(T.stackReference).some((ref) => ref.stack === from.stack && String(ref.raw.inputs.name ?? ref.name).split("/").pop() === on.stack);
}

/** A CIDR from a plan value (config/cidr.ts parses), or undefined when it is not one. */
export function cidrOf(text: unknown): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const c = parseCidr(text);
  return typeof c === "string" ? undefined : c;
}

/** Number of addresses in a CIDR. */
export function sizeOf(c: Cidr): bigint {
  return c.last - c.first + 1n;
}

/** Address prefixes of a subnet (`addressPrefix` or `addressPrefixes`). */
export function subnetPrefixes(subnet: Record<string, any>): Cidr[] {
  const all = [subnet.addressPrefix, ...list(subnet.addressPrefixes)];
  return all.map(cidrOf).filter((c): c is Cidr => c !== undefined);
}

/** Azure reserves five addresses in every subnet (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq). */
export const AZURE_RESERVED_PER_SUBNET = 5;

/** `k8tre:<key>` as the operator finds it in Pulumi.<stack>.yaml. */
export function stackFile(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}
