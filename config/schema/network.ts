/** `k8tre:network` (the network stack) and `k8tre:gateway` (the gateway stack, kind gateway). */
import { z } from "zod";
import { armId, bool, cidr, envName, guid, int, ipv4, resourceGroupId, zones } from "./fields";

const createdSpoke = z
  .strictObject({
    subscriptionId: guid("the subscription that holds this spoke").optional().describe("Subscription for this spoke (default: k8tre:azure.subscriptionId)."),
    addressSpace: cidr("the spoke VNet address space"),
    nodeSubnet: cidr("the cluster node subnet"),
    ingressSubnet: cidr("the subnet for internal load balancers (the internal Cilium gateway)"),
    endpointSubnet: cidr("the private endpoint subnet"),
  })
  .describe("A spoke VNet created for one cluster stack, keyed by its k8tre:environment.");

const existingSpoke = z
  .strictObject({
    vnetId: armId("the spoke VNet ID", "Microsoft.Network"),
    nodeSubnetId: armId("the cluster node subnet ID", "Microsoft.Network"),
    ingressSubnetId: armId("the internal load balancer subnet ID", "Microsoft.Network"),
    endpointSubnetId: armId("the private endpoint subnet ID", "Microsoft.Network"),
  })
  .describe("An existing landing-zone spoke, referenced by resource ID.");

const privateZoneIds = z
  .strictObject({
    aks: armId("the privatelink.<region>.azmk8s.io zone ID", "Microsoft.Network"),
    blob: armId("the privatelink.blob.core.windows.net zone ID", "Microsoft.Network"),
    file: armId("the privatelink.file.core.windows.net zone ID", "Microsoft.Network"),
    queue: armId("the privatelink.queue.core.windows.net zone ID", "Microsoft.Network"),
    table: armId("the privatelink.table.core.windows.net zone ID", "Microsoft.Network"),
    dfs: armId("the privatelink.dfs.core.windows.net zone ID", "Microsoft.Network"),
    vault: armId("the privatelink.vaultcore.azure.net zone ID", "Microsoft.Network"),
  })
  .describe("Existing private-link DNS zones (existing mode).");

/** The App Gateway subnet's source allow-list (both modes): perimeter config, read by the gateway stack's WAF rule. */
const perimeter = {
  gatewayAllowedSourceCidrs: z.array(cidr("a source range allowed to reach the public gateway")).default([])
    .describe("Optional IP allow-list of the public gateway: the App Gateway subnet's NSG (create mode) and the gateway stack's WAF rule (both modes) admit only these sources on 80/443; empty means the internet (restricted by WAF only). Exported as gatewayAllowedSourceCidrs."),
};

export const networkCreate = z.strictObject({
  ...perimeter,
  mode: z.literal("create").describe("create: this stack builds the hub, the spokes and the private DNS zones."),
  hub: z.strictObject({
    addressSpace: cidr("the hub VNet address space"),
    gatewaySubnet: cidr("the Application Gateway subnet"),
    endpointSubnet: cidr("the hub's private-endpoint subnet (the certificate vault's endpoint, which the Application Gateway reads through)"),
    firewallPrivateIp: ipv4("the hub firewall's private IP").optional().describe("When set, every spoke subnet routes 0.0.0.0/0 to this IP (required for outboundType userDefinedRouting)."),
  }).describe("The hub VNet (connectivity subscription) holding the Application Gateway subnet."),
  spokes: z.record(envName, createdSpoke).describe("One spoke per cluster stack, keyed by its k8tre:environment (checked across stacks)."),
  managementSpoke: envName.default("mgmt")
    .describe("The spoke of the management cluster (ArgoCD): peered with every other spoke, and home of the deployer subnet."),
  deployer: z
    .strictObject({
      subnet: cidr("the deployer (self-hosted CI runner) subnet, inside the management spoke's address space"),
    })
    .describe("Where `pulumi up` runs from: a subnet in the management spoke, which reaches every cluster's private API server, Key Vault and storage endpoints through the management<->environment peerings."),
  dnsLinkVnetIds: z.array(armId("a VNet ID to link to every private DNS zone", "Microsoft.Network")).default([])
    .describe("Extra VNets (e.g. the self-hosted CI runner's) linked to every private zone, registration off."),
  flowLogs: z
    .strictObject({
      retentionDays: int("the VNet flow log retention in days", 1, 365).default(90),
      networkWatcherResourceGroup: z.string({ error: "the resource group of the regional Network Watcher" }).min(1).default("NetworkWatcherRG")
        .describe("Resource group of NetworkWatcher_<region> in every subscription holding a VNet (Azure's automatic one is NetworkWatcherRG); the network stack checks the watcher is there before it creates the flow logs (docs/network.md, \"Before the first deployment\")."),
    })
    .default({ retentionDays: 90, networkWatcherResourceGroup: "NetworkWatcherRG" })
    .describe("VNet flow logs on the hub and every spoke, each to a storage account in the VNet's region (docs/network.md, \"Logs\")."),
});

/** "peered": a direct VNet peering to every spoke; "hub-routed": user-defined routes through the hub firewall, which allows TCP 443 and the storage ports. */
const PATH = z.enum(["peered", "hub-routed"]);

/** What an existing landing zone guarantees so the deployer and ArgoCD reach every private endpoint (checked; docs/network.md). */
const landingZoneReachability = z
  .strictObject({
    deployerVnetId: armId("the VNet the deployer (self-hosted CI runner) runs in", "Microsoft.Network"),
    deployerPath: PATH.describe('How the landing zone connects the deployer\'s VNet to every spoke\'s node and private-endpoint subnets: "peered" (direct peering) or "hub-routed" (UDRs through the hub firewall).'),
    managementPath: PATH.describe('How the landing zone connects the management spoke to every environment spoke (ArgoCD -> API servers): "peered" or "hub-routed".'),
    privateDns: z
      .enum(["zone-links", "hub-resolver"])
      .describe('How the deployer and the spokes resolve the private-link zones: "zone-links" (this stack links the zones to the deployer VNet and every spoke) or "hub-resolver" (the landing zone\'s DNS in the hub answers for every VNet).'),
  })
  .describe("The reachability guarantees of the landing zone (existing mode).");

export const networkExisting = z.strictObject({
  ...perimeter,
  mode: z.literal("existing").describe("existing: reference a landing zone's hub, spokes and zones by resource ID (docs/howto/switch-to-landing-zone.md)."),
  hub: z.strictObject({
    vnetId: armId("the hub VNet ID", "Microsoft.Network"),
    gatewaySubnetId: armId("the Application Gateway subnet ID", "Microsoft.Network"),
    gatewaySubnetCidr: cidr("the Application Gateway subnet's address range (checked for size)"),
    endpointSubnetId: armId("a hub subnet for the certificate vault's private endpoint", "Microsoft.Network").optional()
      .describe("Where the gateway stack puts the private endpoint of the certificate vault it creates (required unless that stack's k8tre:gateway.certificateVaultId names the landing zone's own vault; checked across stacks)."),
  }).describe("The landing zone's hub VNet and its Application Gateway subnet."),
  spokes: z.record(envName, existingSpoke).describe("The landing zone's spoke per cluster stack, keyed by its k8tre:environment (checked across stacks)."),
  dnsResourceGroupId: resourceGroupId("the resource group holding private DNS zones")
    .describe("Resource group of the landing zone's private-link zones; zone links and environment zones are created there."),
  privateDnsZoneIds: privateZoneIds,
  linkZonesToHub: bool("whether to link the private-link zones to the hub VNet").default(false)
    .describe("Create zone links to the hub VNet (off when the landing zone already links it: a VNet can be linked to a zone only once)."),
  linkZonesToSpokes: bool("whether to link the private-link zones to every spoke").default(false)
    .describe("Create zone links to each spoke (off when the landing zone resolves through the hub)."),
  managementSpoke: envName.default("mgmt")
    .describe("The spoke of the management cluster (ArgoCD)."),
  reachability: landingZoneReachability,
  dnsLinkVnetIds: z.array(armId("a VNet ID to link to every private DNS zone", "Microsoft.Network")).default([])
    .describe("Extra VNets (e.g. the self-hosted CI runner's) linked to every private zone, registration off."),
});

export const network = z.discriminatedUnion("mode", [networkCreate, networkExisting], {
  error: 'an object with mode "create" (new hub and spokes) or "existing" (landing zone by resource ID)',
});

export const gatewayListener = z.strictObject({
  environment: envName.describe("The environment whose internal gateway this listener fronts."),
  certificateSecretName: z
    .string({ error: "the name of the Key Vault certificate/secret holding this environment's TLS certificate (PFX)" })
    .regex(/^[0-9a-zA-Z-]{1,127}$/, "a Key Vault secret name: 1-127 letters, digits or hyphens")
    .describe("Key Vault certificate (secret) in the gateway's certificate vault holding this environment's TLS certificate."),
  apex: bool("whether this environment serves the apex domain").default(false)
    .describe("Serve <domain> and *.<domain> (production) instead of <env>.<domain>."),
});

/** The WAF policy tag that carries k8tre:gateway.wafDetectionReason (policy/rules.ts reads the same name). */
export const WAF_DETECTION_REASON_TAG = "k8tre-waf-detection-reason";

export const gateway = z.strictObject({
  enabled: bool("whether to deploy the public Application Gateway").default(true),
  minCapacity: int("the autoscale minimum instance count", 0, 125).default(2),
  maxCapacity: int("the autoscale maximum instance count", 2, 125).default(10),
  zones: zones.default(["1", "2", "3"]).describe("Availability zones of the gateway and its public IP."),
  wafMode: z.enum(["Prevention", "Detection"]).default("Prevention")
    .describe("Prevention blocks attacks (required by the mandatory policy waf-policy-prevention). Detection only logs them: allowed on unprotected stacks with k8tre:gateway.wafDetectionReason."),
  wafDetectionReason: z.string().trim().min(10, "a reason of at least 10 characters, e.g. \"tuning false positives until 2026-12-31\"").max(256, "a reason of at most 256 characters (it becomes an Azure tag value)").optional()
    .describe("Why the WAF runs in Detection mode (a documented, temporary exception). Written as the WAF policy's k8tre-waf-detection-reason tag, which the policy pack accepts instead of Prevention."),
  certificateVaultId: armId("an existing certificate Key Vault ID", "Microsoft.KeyVault").optional()
    .describe("Use this vault for gateway certificates instead of creating one."),
  listeners: z.array(gatewayListener).min(1, "at least one environment listener")
    .describe("One HTTPS listener per public environment (each needs a spoke in the network stack and a stack with that k8tre:environment; checked across stacks)."),
  logAnalyticsWorkspaceId: armId("an existing Log Analytics workspace ID", "Microsoft.OperationalInsights").optional()
    .describe("Send the gateway's and the certificate vault's logs to this landing-zone workspace instead of creating one in the gateway stack."),
  logRetentionDays: int("the gateway workspace's log retention in days", 30, 730).default(90)
    .describe("Retention of the workspace the gateway stack creates (ignored with logAnalyticsWorkspaceId)."),
});

export type NetworkConfig = z.infer<typeof network>;
export type GatewayConfig = z.infer<typeof gateway>;
