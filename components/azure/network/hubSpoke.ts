/**
 * Greenfield hub/spoke network (`k8tre:network.mode: create`): a hub VNet holding the
 * Application Gateway subnet, and one spoke VNet per cluster stack with node, ingress-services
 * and private-endpoint subnets (plus the deployer subnet in the management spoke), an NSG on
 * every subnet, an optional route table sending 0.0.0.0/0 to the hub firewall, and hub<->spoke
 * peering in both directions.
 *
 * Subnets are separate `network.Subnet` resources and VNets declare no inline `subnets`, so a
 * subnet an operator adds to one of these VNets (firewall, bastion, runner) survives the next
 * `up`. An ARM PUT of a VNet without `subnets` keeps the existing subnets from API version
 * 2023-11-01 on (https://techcommunity.microsoft.com/t5/azure-networking-blog/azure-virtual-network-now-supports-updates-without-subnet/ba-p/4067952),
 * and azure-native reads them back instead of diffing them away (pulumi/pulumi-azure-native#611,
 * #3049); `ignoreChanges: ["subnets"]` keeps a `pulumi refresh` that records them in state from
 * ever turning into a delete. Subnets of one VNet are created one after another: Azure refuses
 * concurrent writes to one VNet (`AnotherOperationInProgress`).
 *
 * Peerings name both VNets by the VNets' own outputs (never a literal), so each half waits for
 * both VNets to exist.
 */
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { gatewaySubnetRules, type SecurityRule, spokeSubnetRules } from "./nsgRules";

/** Subnet names inside every spoke. K8TRE's Azure gateway patch places the internal load balancer in `snet-clusteringressservices`. */
export const SPOKE_SUBNETS = {
  node: "snet-clusternodes",
  ingress: "snet-clusteringressservices",
  endpoint: "snet-privatelinkendpoints",
} as const;
export type SpokeSubnet = keyof typeof SPOKE_SUBNETS;

export const GATEWAY_SUBNET = "snet-appgw";
/** The self-hosted deployer's (CI runner's) subnet in the management spoke. */
export const DEPLOYER_SUBNET = "snet-deployer";

/**
 * The node subnet carries the `Microsoft.Storage` service endpoint (regional). The Azure Files
 * CSI driver, provisioning an NFS share, makes sure the node subnet has it and writes it itself
 * when missing (azurefile-csi-driver `updateSubnetServiceEndpoints`, called for every NFS
 * CreateVolume that does not ask for its own private endpoint); declaring it here keeps the
 * driver from changing a subnet this program owns. Traffic to the storage accounts still goes
 * to their private endpoints (their names resolve to private IPs through the file zone).
 */
export function nodeSubnetServiceEndpoints(location: string) {
  return [{ service: "Microsoft.Storage", locations: [location] }];
}

function nsg(name: string, nsgName: string, rules: SecurityRule[], common: { resourceGroupName: pulumi.Input<string>; location: string; tags?: Record<string, string> }, opts: pulumi.CustomResourceOptions) {
  return new network.NetworkSecurityGroup(
    name,
    { networkSecurityGroupName: nsgName, resourceGroupName: common.resourceGroupName, location: common.location, securityRules: rules, tags: common.tags },
    opts,
  );
}

/** A VNet with no inline subnets (see the file comment). */
function vnetWithoutInlineSubnets(name: string, args: network.VirtualNetworkArgs, opts: pulumi.CustomResourceOptions): network.VirtualNetwork {
  return new network.VirtualNetwork(name, args, { ...opts, ignoreChanges: ["subnets"] });
}

export interface PeeringSide {
  readonly vnet: network.VirtualNetwork;
  /** The VNet's resource group (an output where this program creates it). */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Provider of the VNet's subscription (each half of a peering lives with its VNet). */
  readonly provider: pulumi.ProviderResource;
}

/**
 * One half of a peering: `from`'s link to `to`. Both VNets are referenced through their outputs
 * (name and ID), so the half is created after both exist.
 */
export function peering(name: string, peeringName: string, from: PeeringSide, to: Pick<PeeringSide, "vnet">, opts: { parent: pulumi.Resource; allowForwardedTraffic: boolean }): network.VirtualNetworkPeering {
  return new network.VirtualNetworkPeering(
    name,
    {
      virtualNetworkPeeringName: peeringName,
      resourceGroupName: from.resourceGroupName,
      virtualNetworkName: from.vnet.name,
      remoteVirtualNetwork: { id: to.vnet.id },
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: opts.allowForwardedTraffic,
      allowGatewayTransit: false,
      useRemoteGateways: false,
    },
    { parent: opts.parent, provider: from.provider, dependsOn: [from.vnet, to.vnet] },
  );
}

export interface HubNetworkArgs {
  readonly location: string;
  readonly resourceGroupName: string;
  readonly vnetName: string;
  readonly addressSpace: string;
  readonly gatewaySubnetPrefix: string;
  readonly gatewayNsgName: string;
  /** The hub's private-endpoint subnet (the certificate vault's endpoint, which the Application Gateway reads through). */
  readonly endpointSubnet: { readonly prefix: string; readonly nsgName: string };
  /** Sources allowed to reach the gateway on 80/443; empty = the internet. */
  readonly allowedSourceCidrs: readonly string[];
  readonly tags?: Record<string, string>;
}

/** The hub VNet with the Application Gateway subnet and a private-endpoint subnet. `opts.provider`: the connectivity subscription. */
export class HubNetwork extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly vnet: network.VirtualNetwork;
  readonly vnetId: pulumi.Output<string>;
  readonly vnetName: pulumi.Output<string>;
  readonly gatewaySubnetId: pulumi.Output<string>;
  readonly endpointSubnetId: pulumi.Output<string>;
  readonly provider: pulumi.ProviderResource;

  constructor(name: string, args: HubNetworkArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:network:HubNetwork", name, {}, opts);
    const provider = opts.provider;
    const rg = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags }, { parent: this, provider });
    const common = { resourceGroupName: rg.name, location: args.location, tags: args.tags };
    const gwNsg = nsg(`${name}-appgw-nsg`, args.gatewayNsgName, gatewaySubnetRules(args.allowedSourceCidrs), common, { parent: this, provider });
    this.vnet = vnetWithoutInlineSubnets(
      `${name}-vnet`,
      { virtualNetworkName: args.vnetName, ...common, addressSpace: { addressPrefixes: [args.addressSpace] } },
      // Every spoke peers with the hub: deleting it cuts every environment off.
      { parent: this, provider, protect: true },
    );
    const gatewaySubnet = new network.Subnet(
      `${name}-appgw-subnet`,
      {
        subnetName: GATEWAY_SUBNET,
        resourceGroupName: rg.name,
        virtualNetworkName: this.vnet.name,
        addressPrefix: args.gatewaySubnetPrefix,
        // Application Gateway v2 needs default outbound access on its subnet.
        networkSecurityGroup: { id: gwNsg.id },
      },
      { parent: this, provider },
    );
    const peNsg = nsg(`${name}-endpoint-nsg`, args.endpointSubnet.nsgName, spokeSubnetRules(), common, { parent: this, provider });
    const endpointSubnet = new network.Subnet(
      `${name}-endpoint-subnet`,
      {
        subnetName: SPOKE_SUBNETS.endpoint,
        resourceGroupName: rg.name,
        virtualNetworkName: this.vnet.name,
        addressPrefix: args.endpointSubnet.prefix,
        networkSecurityGroup: { id: peNsg.id },
        defaultOutboundAccess: false,
        // NSGs and route tables also apply to private endpoints in this subnet.
        privateEndpointNetworkPolicies: "Enabled",
      },
      // Azure refuses concurrent writes to one VNet: one subnet after the other.
      { parent: this, provider, dependsOn: [gatewaySubnet] },
    );
    this.provider = provider;
    this.resourceGroupName = rg.name;
    this.vnetId = this.vnet.id;
    this.vnetName = this.vnet.name;
    this.gatewaySubnetId = gatewaySubnet.id;
    this.endpointSubnetId = endpointSubnet.id;
    this.registerOutputs({ vnetId: this.vnetId, gatewaySubnetId: this.gatewaySubnetId, endpointSubnetId: this.endpointSubnetId });
  }
}

export interface SpokeNetworkArgs {
  readonly environment: string;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly vnetName: string;
  readonly addressSpace: string;
  readonly subnets: Record<SpokeSubnet, { readonly prefix: string; readonly nsgName: string }>;
  /** The deployer (self-hosted CI runner) subnet; only in the management spoke. */
  readonly deployerSubnet?: { readonly prefix: string; readonly nsgName: string };
  /** When set, every subnet routes 0.0.0.0/0 to this hub firewall address. */
  readonly firewall?: { readonly privateIp: string; readonly routeTableName: string };
  /** The hub; its half of the peering is created with its provider (connectivity subscription). */
  readonly hub: HubNetwork;
  readonly peeringNames: { readonly hubToSpoke: string; readonly spokeToHub: string };
  /** Protect the spoke VNet (production stacks). */
  readonly protect?: boolean;
  readonly tags?: Record<string, string>;
}

/** One spoke in its own subscription (`opts.provider`), peered with the hub both ways. */
export class SpokeNetwork extends pulumi.ComponentResource {
  readonly vnet: network.VirtualNetwork;
  readonly vnetId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  readonly subnetIds: Record<SpokeSubnet, pulumi.Output<string>>;
  readonly deployerSubnetId?: pulumi.Output<string>;
  readonly routeTableId?: pulumi.Output<string>;
  readonly provider: pulumi.ProviderResource;

  constructor(name: string, args: SpokeNetworkArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:network:SpokeNetwork", name, {}, opts);
    const provider = opts.provider;
    const rg = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags }, { parent: this, provider });
    const common = { resourceGroupName: rg.name, location: args.location, tags: args.tags };

    let routeTable: network.RouteTable | undefined;
    if (args.firewall) {
      routeTable = new network.RouteTable(
        `${name}-rt`,
        {
          routeTableName: args.firewall.routeTableName,
          ...common,
          // Learned routes must not bypass the firewall.
          disableBgpRoutePropagation: true,
          routes: [{ name: "default-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: args.firewall.privateIp }],
        },
        { parent: this, provider },
      );
    }

    this.vnet = vnetWithoutInlineSubnets(
      `${name}-vnet`,
      { virtualNetworkName: args.vnetName, ...common, addressSpace: { addressPrefixes: [args.addressSpace] } },
      { parent: this, provider, protect: args.protect ?? false },
    );

    // One subnet after another (Azure refuses concurrent writes to one VNet).
    let previous: pulumi.Resource | undefined;
    const subnet = (key: string, subnetName: string, s: { prefix: string; nsgName: string }, extra: Partial<network.SubnetArgs>): network.Subnet => {
      const group = nsg(`${name}-${key}-nsg`, s.nsgName, spokeSubnetRules(), common, { parent: this, provider });
      const created = new network.Subnet(
        `${name}-${key}-subnet`,
        {
          subnetName,
          resourceGroupName: rg.name,
          virtualNetworkName: this.vnet.name,
          addressPrefix: s.prefix,
          networkSecurityGroup: { id: group.id },
          routeTable: routeTable ? { id: routeTable.id } : undefined,
          // No implicit internet egress: clusters leave through their load balancer or the firewall.
          defaultOutboundAccess: false,
          ...extra,
        },
        { parent: this, provider, dependsOn: previous ? [previous] : [] },
      );
      previous = created;
      return created;
    };
    const node = subnet("node", SPOKE_SUBNETS.node, args.subnets.node, { serviceEndpoints: nodeSubnetServiceEndpoints(args.location) });
    const ingress = subnet("ingress", SPOKE_SUBNETS.ingress, args.subnets.ingress, {});
    // NSGs and route tables also apply to private endpoints in this subnet.
    const endpoint = subnet("endpoint", SPOKE_SUBNETS.endpoint, args.subnets.endpoint, { privateEndpointNetworkPolicies: "Enabled" });
    const deployer = args.deployerSubnet ? subnet("deployer", DEPLOYER_SUBNET, args.deployerSubnet, {}) : undefined;

    // Both halves of the peering; each lives in its own VNet's subscription. Return traffic
    // from the firewall arrives forwarded.
    const hub: PeeringSide = { vnet: args.hub.vnet, resourceGroupName: args.hub.resourceGroupName, provider: args.hub.provider };
    const self: PeeringSide = { vnet: this.vnet, resourceGroupName: rg.name, provider };
    peering(`${name}-to-hub`, args.peeringNames.spokeToHub, self, hub, { parent: this, allowForwardedTraffic: true });
    peering(`${name}-from-hub`, args.peeringNames.hubToSpoke, hub, self, { parent: this, allowForwardedTraffic: true });

    this.provider = provider;
    this.resourceGroupName = rg.name;
    this.vnetId = this.vnet.id;
    this.subnetIds = { node: node.id, ingress: ingress.id, endpoint: endpoint.id };
    this.deployerSubnetId = deployer?.id;
    this.routeTableId = routeTable?.id;
    this.registerOutputs({ vnetId: this.vnetId, subnetIds: this.subnetIds, deployerSubnetId: this.deployerSubnetId });
  }
}

export interface SpokePeeringArgs {
  /** The management spoke (ArgoCD and the deployer). */
  readonly a: { readonly key: string; readonly spoke: SpokeNetwork };
  /** An environment spoke. */
  readonly b: { readonly key: string; readonly spoke: SpokeNetwork };
}

/**
 * A direct peering between two spokes, both halves, each in its own VNet's subscription. VNet
 * peering is not transitive (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-network-peering-overview):
 * two spokes peered only with the hub cannot reach each other without a router in the hub, so
 * the management spoke (ArgoCD, the deployer subnet) is peered directly with each environment
 * spoke to reach its private API server, Key Vault and storage endpoints. No forwarded traffic:
 * nothing else transits this peering.
 */
export class SpokePeering extends pulumi.ComponentResource {
  constructor(name: string, args: SpokePeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:network:SpokePeering", name, {}, opts);
    const side = (s: SpokeNetwork): PeeringSide => ({ vnet: s.vnet, resourceGroupName: s.resourceGroupName, provider: s.provider });
    peering(`${name}-${args.a.key}-to-${args.b.key}`, `peer-${args.a.key}-to-${args.b.key}`, side(args.a.spoke), side(args.b.spoke), { parent: this, allowForwardedTraffic: false });
    peering(`${name}-${args.b.key}-to-${args.a.key}`, `peer-${args.b.key}-to-${args.a.key}`, side(args.b.spoke), side(args.a.spoke), { parent: this, allowForwardedTraffic: false });
    this.registerOutputs({});
  }
}
