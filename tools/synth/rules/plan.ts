/**
 * A queryable view over one or more synthesized plans, for the Azure create-time rules
 * (rules/azure.ts) and the reachability analysis (reachability.ts).
 *
 * Plans hold what the engine sends to the provider: type, name, inputs, dependencies. Azure
 * resources refer to each other by ARM ID, so the view computes every declared resource's ARM ID
 * from its inputs (subscription from its explicit provider, resource group and name keys) and
 * indexes it, case-insensitively as ARM compares IDs. Resources of several stacks can be indexed
 * together: a cluster stack's subnet lives in the network stack's plan.
 */
import { normalizeResource, SYNTH_SECRET, SYNTH_UNKNOWN } from "../../../policy/rules";
import type { PlannedResource } from "../engine";

/** A plan's resource as the rules see it: its stack, canonical type and (for a generic ARM resource) the typed view. */
export interface PlanResource {
  readonly stack: string;
  readonly urn: string;
  /** Canonical type token (policy/rules.ts `canonicalType`); a generic managedClusters resource maps to ManagedCluster. */
  readonly type: string;
  readonly name: string;
  /** Inputs of the typed view: for a generic ARM resource, its `properties`. */
  readonly inputs: Record<string, any>;
  /** The resource as recorded (generic resources keep their envelope: location, identity, sku). */
  readonly raw: PlannedResource;
  /** Lower-case ARM ID, when the type is one the view knows how to name. */
  readonly armId?: string;
  readonly subscriptionId?: string;
}

export interface StackPlan {
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
  readonly outputs?: Record<string, unknown>;
  /** Provider functions the program called (read-only preflights, e.g. a feature registration's state). */
  readonly invokes?: ReadonlyArray<{ token: string; inputs: Record<string, unknown>; provider?: string }>;
}

/** An invoke as the rules see it: its stack and its subscription (its `subscriptionId` input, else its explicit provider's). */
export interface PlanInvoke {
  readonly stack: string;
  readonly token: string;
  readonly inputs: Record<string, unknown>;
  readonly subscriptionId?: string;
}

export const isUnknown = (v: unknown): boolean => v === SYNTH_UNKNOWN || v === SYNTH_SECRET;

export function obj(v: unknown): Record<string, any> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

export function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** ARM ID of a resource, from its subscription and inputs; undefined when a part is unknown. */
type Namer = (i: Record<string, any>, sub: string) => string | undefined;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" && !isUnknown(v) ? v : undefined);

function rg(i: Record<string, any>, sub: string): string | undefined {
  const g = str(i.resourceGroupName);
  return g ? `/subscriptions/${sub}/resourceGroups/${g}` : undefined;
}

function provider(armType: string, nameKey: string): Namer {
  return (i, sub) => {
    const base = rg(i, sub);
    const name = str(i[nameKey]);
    return base && name ? `${base}/providers/${armType}/${name}` : undefined;
  };
}

function child(parentType: string, parentKey: string, childType: string, childKey: string): Namer {
  return (i, sub) => {
    const parent = provider(parentType, parentKey)(i, sub);
    const name = str(i[childKey]);
    return parent && name ? `${parent}/${childType}/${name}` : undefined;
  };
}

/** How each declared type is named in ARM. Extend when a rule needs a new type. */
const NAMERS: Record<string, Namer> = {
  "azure-native:resources:ResourceGroup": (i, sub) => (str(i.resourceGroupName) ? `/subscriptions/${sub}/resourceGroups/${i.resourceGroupName}` : undefined),
  "azure-native:network:VirtualNetwork": provider("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
  "azure-native:network:Subnet": child("Microsoft.Network/virtualNetworks", "virtualNetworkName", "subnets", "subnetName"),
  "azure-native:network:VirtualNetworkPeering": child("Microsoft.Network/virtualNetworks", "virtualNetworkName", "virtualNetworkPeerings", "virtualNetworkPeeringName"),
  "azure-native:network:NetworkSecurityGroup": provider("Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName"),
  "azure-native:network:RouteTable": provider("Microsoft.Network/routeTables", "routeTableName"),
  "azure-native:network:Route": child("Microsoft.Network/routeTables", "routeTableName", "routes", "routeName"),
  "azure-native:network:PrivateEndpoint": provider("Microsoft.Network/privateEndpoints", "privateEndpointName"),
  "azure-native:network:ApplicationGateway": provider("Microsoft.Network/applicationGateways", "applicationGatewayName"),
  "azure-native:network:NetworkWatcher": provider("Microsoft.Network/networkWatchers", "networkWatcherName"),
  "azure-native:network:FlowLog": child("Microsoft.Network/networkWatchers", "networkWatcherName", "flowLogs", "flowLogName"),
  "azure-native:network:PublicIPAddress": provider("Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
  "azure-native:network:AzureFirewall": provider("Microsoft.Network/azureFirewalls", "azureFirewallName"),
  "azure-native:privatedns:PrivateZone": provider("Microsoft.Network/privateDnsZones", "privateZoneName"),
  "azure-native:privatedns:VirtualNetworkLink": child("Microsoft.Network/privateDnsZones", "privateZoneName", "virtualNetworkLinks", "virtualNetworkLinkName"),
  "azure-native:keyvault:Vault": provider("Microsoft.KeyVault/vaults", "vaultName"),
  "azure-native:storage:StorageAccount": provider("Microsoft.Storage/storageAccounts", "accountName"),
  "azure-native:storage:FileShare": (i, sub) => {
    const acct = provider("Microsoft.Storage/storageAccounts", "accountName")(i, sub);
    return acct && str(i.shareName) ? `${acct}/fileServices/default/shares/${i.shareName}` : undefined;
  },
  "azure-native:managedidentity:UserAssignedIdentity": provider("Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"),
  "azure-native:operationalinsights:Workspace": provider("Microsoft.OperationalInsights/workspaces", "workspaceName"),
  "azure-native:containerservice:ManagedCluster": provider("Microsoft.ContainerService/managedClusters", "resourceName"),
  "azure-native:containerservice:AgentPool": child("Microsoft.ContainerService/managedClusters", "resourceName", "agentPools", "agentPoolName"),
  "azure-native:authorization:RoleAssignment": (i) => (str(i.scope) && str(i.roleAssignmentName) ? `${i.scope}/providers/Microsoft.Authorization/roleAssignments/${i.roleAssignmentName}` : undefined),
  "azure-native:features:SubscriptionFeatureRegistration": (i, sub) =>
    str(i.providerNamespace) && str(i.featureName) ? `/subscriptions/${sub}/providers/Microsoft.Features/featureProviders/${i.providerNamespace}/subscriptionFeatureRegistrations/${i.featureName}` : undefined,
};

/** Subscription of an explicit azure-native provider: its `subscriptionId` input, else the `azure-<guid>` naming convention. */
function subscriptionOfProvider(providerUrn: string | null, providers: ReadonlyMap<string, PlannedResource>): string | undefined {
  if (!providerUrn) return undefined;
  const p = providers.get(providerUrn);
  const fromInputs = str(p?.inputs.subscriptionId);
  if (fromInputs) return fromInputs;
  return /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(providerUrn)?.[1];
}

/** `/subscriptions/<sub>/…` → sub. */
export function subscriptionOfId(id: string | undefined): string | undefined {
  return id ? /^\/subscriptions\/([^/]+)/i.exec(id)?.[1]?.toLowerCase() : undefined;
}

/** The parent VNet ID of a subnet ID. */
export function vnetOfSubnet(subnetId: string): string {
  return subnetId.replace(/\/subnets\/[^/]+$/i, "");
}

export function lastSegment(id: string): string {
  return id.split("/").pop() ?? id;
}

export class PlanIndex {
  readonly resources: PlanResource[] = [];
  private readonly byId = new Map<string, PlanResource>();
  private readonly byUrnMap = new Map<string, PlanResource>();
  private readonly deps = new Map<string, readonly string[]>();
  /** Subnets declared inline in a VNet's `subnets` (the VNet resource is their owner). */
  private readonly inlineSubnets = new Map<string, { vnet: PlanResource; subnet: Record<string, any> }>();
  /** Stack outputs by stack (for values only outputs carry, like the deployer's location). */
  readonly outputs = new Map<string, Record<string, unknown>>();
  /** Provider functions called, with their provider's subscription. */
  readonly invokes: PlanInvoke[] = [];
  /** Component types per stack (components are not resources the rules check, but say what a stack runs). */
  readonly components = new Map<string, Set<string>>();

  constructor(plans: readonly StackPlan[]) {
    for (const plan of plans) {
      if (plan.outputs) this.outputs.set(plan.stack, plan.outputs);
      const providers = new Map(plan.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r] as const));
      this.components.set(plan.stack, new Set(plan.resources.filter((r) => !r.custom).map((r) => r.type)));
      for (const i of plan.invokes ?? []) {
        // A provider reference is `<urn>::<id>`; the subscription is in the URN's name.
        const urn = i.provider ? i.provider.slice(0, i.provider.lastIndexOf("::") > 0 ? i.provider.lastIndexOf("::") : undefined) : null;
        // A call that names its subscription (an ARM REST read, or a function with a
        // subscriptionId argument) targets that one, whatever provider's credentials it used.
        const sub = str(i.inputs.subscriptionId) ?? subscriptionOfProvider(urn, providers);
        this.invokes.push({ stack: plan.stack, token: i.token, inputs: i.inputs, subscriptionId: sub?.toLowerCase() });
      }
      for (const raw of plan.resources) {
        if (!raw.custom) continue;
        const n = normalizeResource({ type: raw.type, name: raw.name, urn: raw.urn, inputs: raw.inputs });
        const sub = subscriptionOfProvider(raw.provider, providers);
        // A generic ARM resource is named by its envelope, not by its properties.
        const generic = raw.type !== n.type;
        const namer: Namer | undefined = !NAMERS[n.type] ? undefined : generic ? genericNamer : NAMERS[n.type];
        const id = namer && sub ? namer(generic ? raw.inputs : n.inputs, sub)?.toLowerCase() : undefined;
        const r: PlanResource = { stack: plan.stack, urn: raw.urn, type: n.type, name: raw.name, inputs: n.inputs, raw, armId: id, subscriptionId: sub?.toLowerCase() };
        this.resources.push(r);
        this.byUrnMap.set(r.urn, r);
        this.deps.set(r.urn, raw.dependsOn);
        if (id) this.byId.set(id, r);
        if (n.type === "azure-native:network:VirtualNetwork" && id) {
          for (const s of list(n.inputs.subnets).map(obj)) {
            if (str(s.name)) this.inlineSubnets.set(`${id}/subnets/${String(s.name).toLowerCase()}`, { vnet: r, subnet: s });
          }
        }
      }
    }
  }

  ofType(...types: string[]): PlanResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  byUrn(urn: string): PlanResource | undefined {
    return this.byUrnMap.get(urn);
  }

  byArmId(id: unknown): PlanResource | undefined {
    return typeof id === "string" ? this.byId.get(id.toLowerCase()) : undefined;
  }

  /** A subnet by ID, declared either as its own resource or inline in its VNet. */
  subnet(id: unknown): { id: string; name: string; inputs: Record<string, any>; owner: PlanResource; vnetId: string } | undefined {
    if (typeof id !== "string" || isUnknown(id)) return undefined;
    const key = id.toLowerCase();
    const own = this.byId.get(key);
    if (own && own.type === "azure-native:network:Subnet") return { id: key, name: String(own.inputs.subnetName), inputs: own.inputs, owner: own, vnetId: vnetOfSubnet(key) };
    const inline = this.inlineSubnets.get(key);
    if (inline) return { id: key, name: String(inline.subnet.name), inputs: inline.subnet, owner: inline.vnet, vnetId: vnetOfSubnet(key) };
    return undefined;
  }

  /** Every subnet the plans declare (separate resources and inline). */
  allSubnets(): Array<{ id: string; name: string; inputs: Record<string, any>; owner: PlanResource; vnetId: string }> {
    const out = new Map<string, ReturnType<PlanIndex["subnet"]> & object>();
    for (const key of this.inlineSubnets.keys()) out.set(key, this.subnet(key)!);
    for (const r of this.ofType("azure-native:network:Subnet")) if (r.armId) out.set(r.armId, this.subnet(r.armId)!);
    return [...out.values()];
  }

  /** Whether `from` depends on `on`, directly or through other resources (components are followed too). */
  dependsOn(from: PlanResource, on: PlanResource): boolean {
    const seen = new Set<string>();
    const stack = [...(this.deps.get(from.urn) ?? [])];
    while (stack.length) {
      const u = stack.pop()!;
      if (u === on.urn) return true;
      if (seen.has(u)) continue;
      seen.add(u);
      stack.push(...(this.deps.get(u) ?? []));
    }
    return false;
  }
}

/** Names a generic `resources:Resource` by its envelope (`resourceProviderNamespace`/`resourceType`/`resourceName`). */
const genericNamer: Namer = (i, sub) => {
  const base = rg(i, sub);
  const ns = str(i.resourceProviderNamespace);
  const type = str(i.resourceType);
  const name = str(i.resourceName);
  const parent = str(i.parentResourcePath);
  return base && ns && type && name ? `${base}/providers/${ns}/${parent ? `${parent}/` : ""}${type}/${name}` : undefined;
};
