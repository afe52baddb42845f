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
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  stackReference: "pulumi:pulumi:StackReference",
} as const;

/** Built-in role definition IDs (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const ROLES = {
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  privateDnsZoneContributor: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
} as const;

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

/**
 * Role assignments in the plan that grant `principal` (an identity resource in the plan) one of
 * `roles` at `target` or above. The principal is recognised through the data flow: the assignment's
 * `principalId` comes from that identity's output, so the assignment depends on it.
 */
export function grants(plan: PlanIndex, principal: PlanResource, roles: readonly string[], target: string): PlanResource[] {
  return plan.ofType(T.roleAssignment).filter((ra) => {
    const role = String(ra.inputs.roleDefinitionId ?? "").toLowerCase();
    return roles.some((g) => role.endsWith(`/${g}`)) && scopeCovers(ra.inputs.scope, target) && ra.raw.dependsOn.includes(principal.urn);
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
