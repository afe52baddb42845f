/**
 * Greenfield hub/spoke network (`k8tre:network.mode: create`): a hub VNet holding the
 * Application Gateway subnet, and one spoke VNet per cluster stack with node, ingress-services
 * and private-endpoint subnets, an NSG on every subnet, an optional route table sending
 * 0.0.0.0/0 to the hub firewall, and hub<->spoke peering in both directions.
 *
 * Subnets are declared inline on the VNet (never as separate `Subnet` resources: mixing the two
 * makes each update fight the other, pulumi/pulumi-azure-native#611), so a VNet and its subnets
 * are one atomic resource. Peerings are separate resources, which the provider leaves alone when
 * the VNet is updated.
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

function subnetId(vnetId: pulumi.Output<string>, subnet: string): pulumi.Output<string> {
  return vnetId.apply((id) => `${id}/subnets/${subnet}`);
}

function nsg(name: string, nsgName: string, rules: SecurityRule[], common: { resourceGroupName: pulumi.Input<string>; location: string; tags?: Record<string, string> }, opts: pulumi.CustomResourceOptions) {
  return new network.NetworkSecurityGroup(
    name,
    { networkSecurityGroupName: nsgName, resourceGroupName: common.resourceGroupName, location: common.location, securityRules: rules, tags: common.tags },
    opts,
  );
}

export interface HubNetworkArgs {
  readonly location: string;
  readonly resourceGroupName: string;
  readonly vnetName: string;
  readonly addressSpace: string;
  readonly gatewaySubnetPrefix: string;
  readonly gatewayNsgName: string;
  /** Sources allowed to reach the gateway on 80/443; empty = the internet. */
  readonly allowedSourceCidrs: readonly string[];
  readonly tags?: Record<string, string>;
}

/** The hub VNet with the Application Gateway subnet. `opts.provider`: the connectivity subscription. */
export class HubNetwork extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly vnetId: pulumi.Output<string>;
  readonly vnetName: string;
  readonly gatewaySubnetId: pulumi.Output<string>;

  constructor(name: string, args: HubNetworkArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:network:HubNetwork", name, {}, opts);
    const provider = opts.provider;
    const rg = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags }, { parent: this, provider });
    const common = { resourceGroupName: rg.name, location: args.location, tags: args.tags };
    const gwNsg = nsg(`${name}-appgw-nsg`, args.gatewayNsgName, gatewaySubnetRules(args.allowedSourceCidrs), common, { parent: this, provider });
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        virtualNetworkName: args.vnetName,
        resourceGroupName: rg.name,
        location: args.location,
        addressSpace: { addressPrefixes: [args.addressSpace] },
        // Application Gateway v2 needs default outbound access on its subnet; it is the only subnet here.
        subnets: [{ name: GATEWAY_SUBNET, addressPrefix: args.gatewaySubnetPrefix, networkSecurityGroup: { id: gwNsg.id } }],
        tags: args.tags,
      },
      // Every spoke peers with the hub: deleting it cuts every environment off.
      { parent: this, provider, protect: true },
    );
    this.resourceGroupName = rg.name;
    this.vnetId = vnet.id;
    this.vnetName = args.vnetName;
    this.gatewaySubnetId = subnetId(vnet.id, GATEWAY_SUBNET);
    this.registerOutputs({ vnetId: this.vnetId, gatewaySubnetId: this.gatewaySubnetId });
  }
}

export interface SpokeNetworkArgs {
  readonly environment: string;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly vnetName: string;
  readonly addressSpace: string;
  readonly subnets: Record<SpokeSubnet, { readonly prefix: string; readonly nsgName: string }>;
  /** When set, every subnet routes 0.0.0.0/0 to this hub firewall address. */
  readonly firewall?: { readonly privateIp: string; readonly routeTableName: string };
  readonly hub: {
    readonly vnetId: pulumi.Input<string>;
    readonly vnetName: string;
    readonly resourceGroupName: pulumi.Input<string>;
    /** Provider of the hub's (connectivity) subscription, for the hub-side peering. */
    readonly provider: pulumi.ProviderResource;
  };
  readonly peeringNames: { readonly hubToSpoke: string; readonly spokeToHub: string };
  /** Protect the spoke VNet (production stacks). */
  readonly protect?: boolean;
  readonly tags?: Record<string, string>;
}

/** One spoke in its own subscription (`opts.provider`), peered with the hub both ways. */
export class SpokeNetwork extends pulumi.ComponentResource {
  readonly vnetId: pulumi.Output<string>;
  readonly subnetIds: Record<SpokeSubnet, pulumi.Output<string>>;
  readonly routeTableId?: pulumi.Output<string>;

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

    const subnets = (Object.keys(SPOKE_SUBNETS) as SpokeSubnet[]).map((key) => {
      const s = args.subnets[key];
      const group = nsg(`${name}-${key}-nsg`, s.nsgName, spokeSubnetRules(), common, { parent: this, provider });
      return {
        name: SPOKE_SUBNETS[key],
        addressPrefix: s.prefix,
        networkSecurityGroup: { id: group.id },
        routeTable: routeTable ? { id: routeTable.id } : undefined,
        // No implicit internet egress: clusters leave through their load balancer or the firewall.
        defaultOutboundAccess: false,
        // NSGs and route tables also apply to private endpoints in this subnet.
        privateEndpointNetworkPolicies: key === "endpoint" ? "Enabled" : undefined,
      };
    });

    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      { virtualNetworkName: args.vnetName, ...common, addressSpace: { addressPrefixes: [args.addressSpace] }, subnets },
      { parent: this, provider, protect: args.protect ?? false },
    );

    // Both halves of the peering; each lives in its own VNet's subscription.
    new network.VirtualNetworkPeering(
      `${name}-to-hub`,
      {
        virtualNetworkPeeringName: args.peeringNames.spokeToHub,
        resourceGroupName: rg.name,
        virtualNetworkName: args.vnetName,
        remoteVirtualNetwork: { id: args.hub.vnetId },
        allowVirtualNetworkAccess: true,
        // Return traffic from the firewall arrives forwarded.
        allowForwardedTraffic: true,
        allowGatewayTransit: false,
        useRemoteGateways: false,
      },
      { parent: this, provider, dependsOn: [vnet] },
    );
    new network.VirtualNetworkPeering(
      `${name}-from-hub`,
      {
        virtualNetworkPeeringName: args.peeringNames.hubToSpoke,
        resourceGroupName: args.hub.resourceGroupName,
        virtualNetworkName: args.hub.vnetName,
        remoteVirtualNetwork: { id: vnet.id },
        allowVirtualNetworkAccess: true,
        allowForwardedTraffic: true,
        allowGatewayTransit: false,
        useRemoteGateways: false,
      },
      { parent: this, provider: args.hub.provider, dependsOn: [vnet] },
    );

    this.vnetId = vnet.id;
    this.subnetIds = {
      node: subnetId(vnet.id, SPOKE_SUBNETS.node),
      ingress: subnetId(vnet.id, SPOKE_SUBNETS.ingress),
      endpoint: subnetId(vnet.id, SPOKE_SUBNETS.endpoint),
    };
    this.routeTableId = routeTable?.id;
    this.registerOutputs({ vnetId: this.vnetId, subnetIds: this.subnetIds });
  }
}
