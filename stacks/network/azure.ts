/**
 * The `network` stack: shared network services (replaces k8tre-azure's `envs/network`). In
 * `create` mode it builds the hub (App Gateway subnet and its NSG, a private-endpoint subnet),
 * one spoke per cluster stack and the private-link zones; in `existing` mode it references a
 * landing zone by resource ID. Either way it links the zones (registration off). The public WAF
 * gateway and its private certificate vault are the gateway stack's (stacks/gateway/azure.ts,
 * ADR 0006), so no cluster stack waits for them. Environment, management and gateway stacks read
 * the outputs below through a StackReference; the names are a contract (docs/network.md, "Outputs").
 */
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { Naming, uniqueSuffix } from "../../config/naming";
import { parseArmId } from "../../components/azure/network/armId";
import { checkFlowLogInsights, VnetFlowLog } from "../../components/azure/network/flowLogs";
import { flowLogSubscriptions } from "../../components/azure/network/prerequisites";
import { DEPLOYER_SUBNET, HubNetwork, SPOKE_SUBNETS, SpokeNetwork, SpokePeering } from "../../components/azure/network/hubSpoke";
import { PrivateDnsZones, type ZoneLink } from "../../components/azure/network/privateDns";
import type { StackContext, StackOutputs } from "../context";

/** What an environment stack needs of its spoke. */
export interface SpokeOutputs {
  vnetId: pulumi.Input<string>;
  nodeSubnetId: pulumi.Input<string>;
  ingressSubnetId: pulumi.Input<string>;
  ingressSubnetName: string;
  endpointSubnetId: pulumi.Input<string>;
  subscriptionId: string;
}

/** The `reachability` output: where the deployer runs, which VNets peer, which resolve the private-link zones. */
export interface ReachabilityOutputs {
  mode: "create" | "existing";
  /** The management cluster's spoke (ArgoCD). */
  managementSpoke: string;
  deployer: { vnetId: pulumi.Input<string>; subnetId?: pulumi.Input<string>; subnetName?: string; addressPrefix?: string };
  /** Existing mode: what the operator declared the landing zone provides. */
  guarantees?: { deployerPath: "peered" | "hub-routed"; managementPath: "peered" | "hub-routed"; privateDns: "zone-links" | "hub-resolver" };
  /** Every peering half this stack creates (from -> to VNet ID). */
  peerings: Array<{ from: pulumi.Input<string>; to: pulumi.Input<string> }>;
  /** VNets linked to every private-link zone by this stack. */
  zoneLinkVnetIds: pulumi.Input<string>[];
}

export function buildNetworkStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const n = c.network!;
  const naming = ctx.naming;
  const location = c.location!;
  const tags = ctx.tags;
  const linkKey = (id: string) => `x${uniqueSuffix(id)}`;
  const extraLinks: ZoneLink[] = n.dnsLinkVnetIds.map((id) => ({ key: linkKey(id), linkName: naming.resource("lnk", linkKey(id)), vnetId: id }));

  let hubVnetId: pulumi.Input<string>;
  let gatewaySubnetId: pulumi.Input<string>;
  /** The hub subnet for the certificate vault's private endpoint (none: the landing zone did not name one). */
  let hubEndpointSubnetId: pulumi.Input<string> | undefined;
  let gatewaySubscriptionId: string;
  let zones: PrivateDnsZones;
  let dnsZoneResourceGroupName: pulumi.Input<string>;
  let dnsZoneSubscriptionId: string;
  const spokes: Record<string, SpokeOutputs> = {};
  let reachability: ReachabilityOutputs;

  if (n.mode === "create") {
    const connectivity = ctx.connectivityProvider();
    const spokeSubscription = (env: string) => n.spokes[env].subscriptionId ?? ctx.subscriptionId;
    const spokeNaming = (env: string) => new Naming({ ...naming.input, environment: env });
    // The flow logs' Microsoft.Insights preflight: one read per subscription that holds a flow log
    // (components/azure/network/prerequisites.ts). Only the flow logs wait for it.
    const insights = new Map(
      flowLogSubscriptions([
        { subscriptionId: ctx.connectivitySubscriptionId, vnetName: naming.resource("vnet", "hub") },
        ...Object.keys(n.spokes).map((env) => ({ subscriptionId: spokeSubscription(env), vnetName: spokeNaming(env).resource("vnet", "spoke") })),
      ]).map((g) => [g.subscriptionId, checkFlowLogInsights(g.subscriptionId, g.vnetNames, { provider: ctx.azureProvider(g.subscriptionId) })]),
    );
    const hub = new HubNetwork(
      "hub",
      {
        location,
        resourceGroupName: naming.resourceGroup("hub"),
        vnetName: naming.resource("vnet", "hub"),
        addressSpace: n.hub.addressSpace,
        gatewaySubnetPrefix: n.hub.gatewaySubnet,
        gatewayNsgName: naming.resource("nsg", "appgw"),
        endpointSubnet: { prefix: n.hub.endpointSubnet, nsgName: naming.resource("nsg", "privatelinkendpoints") },
        allowedSourceCidrs: n.gatewayAllowedSourceCidrs,
        tags,
      },
      { provider: connectivity },
    );
    hubVnetId = hub.vnetId;
    // Every VNet this stack creates records its traffic (VNet flow logs; NSG flow logs are retired).
    const flowLog = (key: string, nm: Naming, vnet: HubNetwork | SpokeNetwork, subscriptionId: string, vnetName: string) =>
      new VnetFlowLog(
        `flowlog-${key}`,
        {
          location,
          subscriptionId,
          vnetName,
          insightsChecked: insights.get(subscriptionId)!,
          resourceGroupName: vnet.resourceGroupName,
          storageAccountName: nm.storageAccount("flow"),
          flowLogName: nm.resource("fl", key),
          identityName: nm.resource("id", `fl-${key}`),
          vnet: vnet.vnet,
          networkWatcherResourceGroup: n.flowLogs.networkWatcherResourceGroup,
          retentionDays: n.flowLogs.retentionDays,
          tags,
        },
        { provider: ctx.azureProvider(subscriptionId) },
      );
    flowLog("hub", naming, hub, ctx.connectivitySubscriptionId, naming.resource("vnet", "hub"));
    gatewaySubnetId = hub.gatewaySubnetId;
    hubEndpointSubnetId = hub.endpointSubnetId;
    gatewaySubscriptionId = ctx.connectivitySubscriptionId;

    const spokeNetworks: Record<string, SpokeNetwork> = {};
    for (const [env, s] of Object.entries(n.spokes)) {
      const subscriptionId = spokeSubscription(env);
      const en = spokeNaming(env);
      const spoke = new SpokeNetwork(
        `spoke-${env}`,
        {
          environment: env,
          location,
          resourceGroupName: en.resourceGroup("spoke"),
          vnetName: en.resource("vnet", "spoke"),
          addressSpace: s.addressSpace,
          subnets: {
            node: { prefix: s.nodeSubnet, nsgName: en.resource("nsg", "clusternodes") },
            ingress: { prefix: s.ingressSubnet, nsgName: en.resource("nsg", "clusteringress") },
            endpoint: { prefix: s.endpointSubnet, nsgName: en.resource("nsg", "privatelinkendpoints") },
          },
          firewall: n.hub.firewallPrivateIp ? { privateIp: n.hub.firewallPrivateIp, routeTableName: en.resource("rt", "spoke") } : undefined,
          deployerSubnet: env === n.managementSpoke ? { prefix: n.deployer.subnet, nsgName: en.resource("nsg", "deployer") } : undefined,
          hub,
          peeringNames: { hubToSpoke: `peer-hub-to-${env}`, spokeToHub: `peer-${env}-to-hub` },
          protect: c.protected,
          tags: { ...tags, "k8tre-spoke": env },
        },
        { provider: ctx.azureProvider(subscriptionId) },
      );
      spokeNetworks[env] = spoke;
      flowLog(env, en, spoke, subscriptionId, en.resource("vnet", "spoke"));
      spokes[env] = {
        vnetId: spoke.vnetId,
        nodeSubnetId: spoke.subnetIds.node,
        ingressSubnetId: spoke.subnetIds.ingress,
        ingressSubnetName: SPOKE_SUBNETS.ingress,
        endpointSubnetId: spoke.subnetIds.endpoint,
        subscriptionId,
      };
    }

    // Peering is not transitive: the hub peerings alone give the management spoke (ArgoCD, the
    // deployer subnet) no path to another spoke. Each environment spoke is peered directly with
    // the management spoke (docs/network.md, "Reachability").
    const mgmt = spokeNetworks[n.managementSpoke];
    const peerings: Array<{ from: pulumi.Output<string>; to: pulumi.Output<string> }> = [];
    for (const [env, spoke] of Object.entries(spokeNetworks)) {
      peerings.push({ from: spoke.vnetId, to: hub.vnetId }, { from: hub.vnetId, to: spoke.vnetId });
      if (env === n.managementSpoke) continue;
      new SpokePeering(`peer-${n.managementSpoke}-${env}`, {
        a: { key: n.managementSpoke, spoke: mgmt },
        b: { key: env, spoke },
      });
      peerings.push({ from: mgmt.vnetId, to: spoke.vnetId }, { from: spoke.vnetId, to: mgmt.vnetId });
    }

    const dnsRg = new resources.ResourceGroup(
      "dns-rg",
      { resourceGroupName: naming.resourceGroup("dns"), location, tags },
      // Holds the private-link zones and every record in them.
      { provider: connectivity, protect: true },
    );
    dnsZoneResourceGroupName = dnsRg.name;
    dnsZoneSubscriptionId = ctx.connectivitySubscriptionId;
    zones = new PrivateDnsZones(
      "dns",
      {
        mode: "create",
        location,
        resourceGroupName: dnsRg.name,
        links: [
          { key: "hub", linkName: naming.resource("lnk", "hub"), vnetId: hub.vnetId },
          ...Object.entries(spokes).map(([env, s]) => ({ key: env, linkName: naming.resource("lnk", env), vnetId: s.vnetId })),
          ...extraLinks,
        ],
        tags,
      },
      { provider: connectivity },
    );
    reachability = {
      mode: "create",
      managementSpoke: n.managementSpoke,
      deployer: { vnetId: mgmt.vnetId, subnetId: mgmt.deployerSubnetId!, subnetName: DEPLOYER_SUBNET, addressPrefix: n.deployer.subnet },
      peerings,
      zoneLinkVnetIds: [hub.vnetId, ...Object.values(spokes).map((x) => x.vnetId), ...n.dnsLinkVnetIds],
    };
  } else {
    hubVnetId = n.hub.vnetId;
    gatewaySubnetId = n.hub.gatewaySubnetId;
    hubEndpointSubnetId = n.hub.endpointSubnetId;
    gatewaySubscriptionId = parseArmId(n.hub.gatewaySubnetId).subscriptionId;
    for (const [env, s] of Object.entries(n.spokes)) {
      spokes[env] = {
        vnetId: s.vnetId,
        nodeSubnetId: s.nodeSubnetId,
        ingressSubnetId: s.ingressSubnetId,
        ingressSubnetName: parseArmId(s.ingressSubnetId).name,
        endpointSubnetId: s.endpointSubnetId,
        subscriptionId: parseArmId(s.vnetId).subscriptionId,
      };
    }
    const dnsRg = parseArmId(n.dnsResourceGroupId);
    dnsZoneResourceGroupName = dnsRg.resourceGroupName;
    dnsZoneSubscriptionId = dnsRg.subscriptionId;
    zones = new PrivateDnsZones(
      "dns",
      {
        mode: "existing",
        zoneIds: n.privateDnsZoneIds,
        links: [
          ...(n.linkZonesToHub ? [{ key: "hub", linkName: naming.resource("lnk", "hub"), vnetId: n.hub.vnetId }] : []),
          ...(n.linkZonesToSpokes ? Object.entries(n.spokes).map(([env, s]) => ({ key: env, linkName: naming.resource("lnk", env), vnetId: s.vnetId })) : []),
          ...extraLinks,
        ],
        tags,
      },
      { provider: ctx.azureProvider(dnsZoneSubscriptionId) },
    );
    const r = n.reachability;
    reachability = {
      mode: "existing",
      managementSpoke: n.managementSpoke,
      deployer: { vnetId: r.deployerVnetId },
      // Declared by the operator for the landing zone (checked for consistency by the loader).
      guarantees: { deployerPath: r.deployerPath, managementPath: r.managementPath, privateDns: r.privateDns },
      peerings: [],
      zoneLinkVnetIds: [...(n.linkZonesToHub ? [n.hub.vnetId] : []), ...(n.linkZonesToSpokes ? Object.values(n.spokes).map((x) => x.vnetId) : []), ...n.dnsLinkVnetIds],
    };
  }

  return {
    location,
    hubVnetId,
    dnsZoneResourceGroupName,
    dnsZoneSubscriptionId,
    privateDnsZoneIds: zones.zoneIds,
    privateDnsZoneNames: zones.zoneNames,
    spokes,
    // Environment stacks link their own private zone (<env>.<domain>) to each of these.
    linkVnetIds: [hubVnetId, ...n.dnsLinkVnetIds],
    // What the synth's reachability analysis and the operator need: where the deployer runs and
    // which VNets connect (docs/network.md, "Reachability").
    reachability,
    // What the gateway stack reads (stacks/gateway/azure.ts): where the App Gateway and the
    // certificate vault's endpoint go, and the allow-list its WAF rule enforces with the NSG.
    gatewaySubnetId,
    gatewaySubscriptionId,
    ...(hubEndpointSubnetId ? { hubEndpointSubnetId } : {}),
    gatewayAllowedSourceCidrs: n.gatewayAllowedSourceCidrs,
  };
}
