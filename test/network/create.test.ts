/**
 * The shipped greenfield network stack (Pulumi.network.yaml, mode create) under the offline
 * engine: what an auditor or an operator asks of the hub, the zones and the spokes (the public
 * gateway and its vault: test/gateway).
 */
import { byUrn, ofType, one, synthShipped } from "../helpers/synth";
import type { SynthResult } from "../../tools/synth/engine";

const CONN = "00000000-0000-0000-0000-000000000001";
const SUBS: Record<string, string> = { mgmt: "00000000-0000-0000-0000-000000000002", dev: "00000000-0000-0000-0000-000000000003", stg: "00000000-0000-0000-0000-000000000004", prd: "00000000-0000-0000-0000-000000000005" };
const providerOf = (sub: string) => expect.stringMatching(new RegExp(`pulumi:providers:azure-native::azure-${sub}$`));

let r: SynthResult;
beforeAll(async () => {
  r = await synthShipped("network");
});

describe("VNet flow logs", () => {
  it("gives the hub and every spoke an enabled flow log on the region's Network Watcher, in the VNet's subscription", () => {
    const vnets = ofType(r, "azure-native:network:VirtualNetwork");
    const logs = ofType(r, "azure-native:network:FlowLog");
    expect(vnets.map((v) => v.inputs.virtualNetworkName).sort()).toEqual(["vnet-k8tre-dev-uks-spoke", "vnet-k8tre-mgmt-uks-spoke", "vnet-k8tre-net-uks-hub", "vnet-k8tre-prd-uks-spoke", "vnet-k8tre-stg-uks-spoke"]);
    for (const v of vnets) {
      const mine = logs.filter((l) => String(l.inputs.targetResourceId).endsWith(`/virtualNetworks/${String(v.inputs.virtualNetworkName)}`));
      expect(mine).toHaveLength(1);
      const log = mine[0];
      expect(log.inputs).toMatchObject({ enabled: true, networkWatcherName: "NetworkWatcher_uksouth", resourceGroupName: "NetworkWatcherRG", location: v.inputs.location, format: { type: "JSON", version: 2 }, retentionPolicy: { enabled: true, days: 90 } });
      expect(log.provider).toBe(v.provider);
      // Created after the VNet (Azure creates the regional watcher with the first VNet) and after its identity may write.
      expect(log.dependsOn).toContain(v.urn);
      const account = ofType(r, "azure-native:storage:StorageAccount").find((a) => String(log.inputs.storageId).endsWith(`/storageAccounts/${String(a.inputs.accountName)}`))!;
      expect(account.inputs).toMatchObject({ location: v.inputs.location, sku: { name: "Standard_LRS" }, kind: "StorageV2", allowSharedKeyAccess: false, publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } });
      expect(account.protect).toBe(true);
      expect(account.provider).toBe(v.provider);
      const identityId = (log.inputs.identity as any).userAssignedIdentities[0];
      const grant = ofType(r, "azure-native:authorization:RoleAssignment").find((g) => g.inputs.scope === log.inputs.storageId)!;
      expect(String(grant.inputs.roleDefinitionId)).toMatch(/ba92f5b4-2d11-453d-a403-e96b0029c9fe$/);
      expect(log.dependsOn).toContain(grant.urn);
      expect(identityId).toMatch(/userAssignedIdentities\/id-k8tre-/);
    }
  });

  it("gates nothing: no resource depends on a flow log", () => {
    const logs = new Set(ofType(r, "azure-native:network:FlowLog").map((d) => d.urn));
    expect(r.resources.filter((x) => x.dependsOn.some((u) => logs.has(u))).map((x) => x.name)).toEqual([]);
  });
});

describe("private DNS", () => {
  it("creates the seven private-link zones, protected, and exports their IDs and names", () => {
    const zones = ofType(r, "azure-native:privatedns:PrivateZone");
    expect(zones.map((z) => (z.inputs as any).privateZoneName).sort()).toEqual(
      ["privatelink.blob.core.windows.net", "privatelink.dfs.core.windows.net", "privatelink.file.core.windows.net", "privatelink.queue.core.windows.net", "privatelink.table.core.windows.net", "privatelink.uksouth.azmk8s.io", "privatelink.vaultcore.azure.net"],
    );
    for (const z of zones) expect(z.protect).toBe(true);
    const ids = r.outputs.privateDnsZoneIds as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(["aks", "blob", "dfs", "file", "queue", "table", "vault"]);
    expect(ids.aks).toMatch(/\/privateDnsZones\/privatelink\.uksouth\.azmk8s\.io$/);
    expect((r.outputs.privateDnsZoneNames as Record<string, string>).aks).toBe("privatelink.uksouth.azmk8s.io");
  });

  it("links every zone to the hub and every spoke, registration off", () => {
    const links = ofType(r, "azure-native:privatedns:VirtualNetworkLink");
    expect(links).toHaveLength(7 * 5);
    for (const l of links) expect((l.inputs as any).registrationEnabled).toBe(false);
    const aksLinks = links.filter((l) => (l.inputs as any).privateZoneName === "privatelink.uksouth.azmk8s.io").map((l) => (l.inputs as any).virtualNetwork.id);
    expect(aksLinks).toContain(r.outputs.hubVnetId);
    for (const env of Object.keys(SUBS)) expect(aksLinks).toContain((r.outputs.spokes as any)[env].vnetId);
  });
});

describe("hub and spokes", () => {
  it("protects the hub VNet and puts an NSG on every subnet", () => {
    const vnets = ofType(r, "azure-native:network:VirtualNetwork");
    expect(vnets).toHaveLength(5);
    expect(one(r, "azure-native:network:VirtualNetwork", "hub-vnet").protect).toBe(true);
    for (const s of ofType(r, "azure-native:network:Subnet")) expect((s.inputs as any).networkSecurityGroup.id).toMatch(/networkSecurityGroups\/nsg-/);
    const gwNsg = one(r, "azure-native:network:NetworkSecurityGroup", "hub-appgw-nsg").inputs as any;
    expect(gwNsg.securityRules.map((x: any) => x.name)).toEqual(["allow-gateway-manager", "allow-azure-load-balancer", "allow-web-inbound", "deny-internet-inbound"]);
  });

  it("declares subnets as separate resources, never inline, so a subnet an operator adds survives the next up", () => {
    for (const v of ofType(r, "azure-native:network:VirtualNetwork")) {
      expect((v.inputs as any).subnets).toBeUndefined();
      // A refresh that records the subnets in the VNet's state never turns into a delete.
      expect((v as any).ignoreChanges).toEqual(["subnets"]);
    }
    const subnets = ofType(r, "azure-native:network:Subnet");
    // hub: appgw, endpoint; spokes: node, ingress, endpoint (+ deployer in mgmt)
    expect(subnets).toHaveLength(2 + 4 * 3 + 1);
    const dev = (name: string) => one(r, "azure-native:network:Subnet", name);
    const vnet = one(r, "azure-native:network:VirtualNetwork", "spoke-dev-vnet");
    for (const [key, subnetName] of [["node", "snet-clusternodes"], ["ingress", "snet-clusteringressservices"], ["endpoint", "snet-privatelinkendpoints"]]) {
      const sn = dev(`spoke-dev-${key}-subnet`);
      expect(sn.inputs).toMatchObject({ subnetName, virtualNetworkName: "vnet-k8tre-dev-uks-spoke", defaultOutboundAccess: false });
      expect(sn.dependsOn).toContain(vnet.urn);
    }
    expect(dev("spoke-dev-endpoint-subnet").inputs).toMatchObject({ privateEndpointNetworkPolicies: "Enabled" });
    // Azure refuses concurrent writes to one VNet: the subnets are created one after another.
    expect(dev("spoke-dev-ingress-subnet").dependsOn).toContain(dev("spoke-dev-node-subnet").urn);
    expect(dev("spoke-dev-endpoint-subnet").dependsOn).toContain(dev("spoke-dev-ingress-subnet").urn);
    // The cluster stacks read the subnets' own IDs.
    expect((r.outputs.spokes as any).dev.nodeSubnetId).toBe(`${(r.outputs.spokes as any).dev.vnetId}/subnets/snet-clusternodes`);
  });

  it("gives the node subnet the Storage service endpoint the Azure Files CSI driver would otherwise write itself", () => {
    expect((one(r, "azure-native:network:Subnet", "spoke-dev-node-subnet").inputs as any).serviceEndpoints).toEqual([{ service: "Microsoft.Storage", locations: ["uksouth"] }]);
  });

  it("peers hub and spoke both ways, each half after both VNets exist", () => {
    const hubVnet = one(r, "azure-native:network:VirtualNetwork", "hub-vnet");
    const devVnet = one(r, "azure-native:network:VirtualNetwork", "spoke-dev-vnet");
    for (const p of ofType(r, "azure-native:network:VirtualNetworkPeering")) expect(p.inputs).toMatchObject({ allowVirtualNetworkAccess: true, useRemoteGateways: false });
    const fromHub = one(r, "azure-native:network:VirtualNetworkPeering", "spoke-dev-from-hub");
    expect((fromHub.inputs as any).virtualNetworkName).toBe("vnet-k8tre-net-uks-hub");
    expect((fromHub.inputs as any).remoteVirtualNetwork.id).toBe((r.outputs.spokes as any).dev.vnetId);
    // On a fresh deploy the hub half must wait for the hub VNet, not just its resource group.
    expect(fromHub.dependsOn).toEqual(expect.arrayContaining([hubVnet.urn, devVnet.urn]));
    const toHub = one(r, "azure-native:network:VirtualNetworkPeering", "spoke-dev-to-hub");
    expect(toHub.dependsOn).toEqual(expect.arrayContaining([hubVnet.urn, devVnet.urn]));
  });

  it("creates each resource with the provider of the subscription it belongs to", () => {
    for (const [env, sub] of Object.entries(SUBS)) {
      const spoke = r.resources.filter((x) => x.custom && x.parent?.endsWith(`::spoke-${env}`));
      expect(spoke.length).toBeGreaterThanOrEqual(7);
      for (const x of spoke) {
        // The hub half of the peering lives in the connectivity subscription.
        expect(x.provider).toEqual(providerOf(x.name === `spoke-${env}-from-hub` ? CONN : sub));
      }
      expect((r.outputs.spokes as any)[env].subscriptionId).toBe(sub);
      expect((r.outputs.spokes as any)[env].nodeSubnetId).toContain(`/subscriptions/${sub}/`);
    }
    for (const parent of ["::hub", "::dns"]) {
      const children = r.resources.filter((x) => x.custom && x.parent?.endsWith(parent));
      expect(children.length).toBeGreaterThan(0);
      for (const x of children) expect(x.provider).toEqual(providerOf(CONN));
    }
    for (const x of r.resources.filter((y) => y.custom && !y.type.startsWith("pulumi:"))) expect(x.provider).not.toBeNull();
  });

  it("exports the contract the cluster stacks read", () => {
    expect(Object.keys(r.outputs).sort()).toEqual(
      ["dnsZoneResourceGroupName", "dnsZoneSubscriptionId", "gatewayAllowedSourceCidrs", "gatewaySubnetId", "gatewaySubscriptionId", "hubEndpointSubnetId", "hubVnetId", "linkVnetIds", "location", "privateDnsZoneIds", "privateDnsZoneNames", "reachability", "spokes"],
    );
    // What the gateway stack reads: its subnet, the subscription it lives in, the vault endpoint's subnet, the allow-list.
    expect(r.outputs.gatewaySubnetId).toBe(`${r.outputs.hubVnetId}/subnets/snet-appgw`);
    expect(r.outputs.gatewaySubscriptionId).toBe(CONN);
    expect(r.outputs.hubEndpointSubnetId).toBe(`${r.outputs.hubVnetId}/subnets/snet-privatelinkendpoints`);
    expect(r.outputs.gatewayAllowedSourceCidrs).toEqual([]);
    expect(Object.keys((r.outputs.spokes as any).dev).sort()).toEqual(["endpointSubnetId", "ingressSubnetId", "ingressSubnetName", "nodeSubnetId", "subscriptionId", "vnetId"]);
    expect((r.outputs.spokes as any).dev.ingressSubnetName).toBe("snet-clusteringressservices");
    expect(r.outputs.linkVnetIds).toEqual([r.outputs.hubVnetId]);
    expect(r.outputs.dnsZoneSubscriptionId).toBe(CONN);
  });

  it("adds no route table unless a firewall IP is configured", () => {
    expect(ofType(r, "azure-native:network:RouteTable")).toHaveLength(0);
  });
});

describe("with a hub firewall", () => {
  let fw: SynthResult;
  beforeAll(async () => {
    const base = (await import("../../config/project")).readProject((await import("../helpers/synth")).PROJECT_DIR).stacks.find((s) => s.stack === "network")!.raw["k8tre:network"] as any;
    fw = await synthShipped("network", { overrides: { "k8tre:network": { ...base, hub: { ...base.hub, firewallPrivateIp: "10.10.1.4" } } } });
  });

  it("routes 0.0.0.0/0 of every spoke subnet to the firewall", () => {
    const tables = ofType(fw, "azure-native:network:RouteTable");
    expect(tables).toHaveLength(4);
    for (const t of tables) {
      expect((t.inputs as any).routes).toEqual([{ name: "default-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.10.1.4" }]);
      expect((t.inputs as any).disableBgpRoutePropagation).toBe(true);
    }
    const dev = ofType(fw, "azure-native:network:Subnet").filter((x) => x.name.startsWith("spoke-dev-"));
    expect(dev).toHaveLength(3);
    for (const s of dev) expect((s.inputs as any).routeTable.id).toMatch(/routeTables\/rt-k8tre-dev-uks-spoke$/);
    expect(byUrn(fw, one(fw, "azure-native:network:RouteTable", "spoke-dev-rt").urn)?.provider).toEqual(providerOf(SUBS.dev));
  });
});

describe("reachability: the deployer and ArgoCD reach every environment's private endpoints", () => {
  const MGMT = SUBS.mgmt;
  it("puts the deployer subnet in the management spoke, private like the others", () => {
    const sn = one(r, "azure-native:network:Subnet", "spoke-mgmt-deployer-subnet");
    expect(sn.inputs).toMatchObject({ subnetName: "snet-deployer", virtualNetworkName: "vnet-k8tre-mgmt-uks-spoke", addressPrefix: "10.11.3.0/27", defaultOutboundAccess: false });
    expect((sn.inputs as any).networkSecurityGroup.id).toMatch(/networkSecurityGroups\/nsg-k8tre-mgmt-uks-deployer$/);
    expect(ofType(r, "azure-native:network:Subnet").filter((x) => x.name.endsWith("-deployer-subnet"))).toHaveLength(1);
  });

  it("peers the management spoke directly with every environment spoke, both halves, in their own subscriptions", () => {
    const mgmtVnet = one(r, "azure-native:network:VirtualNetwork", "spoke-mgmt-vnet");
    for (const env of ["dev", "stg", "prd"]) {
      const envVnet = one(r, "azure-native:network:VirtualNetwork", `spoke-${env}-vnet`);
      const out = one(r, "azure-native:network:VirtualNetworkPeering", `peer-mgmt-${env}-mgmt-to-${env}`);
      const back = one(r, "azure-native:network:VirtualNetworkPeering", `peer-mgmt-${env}-${env}-to-mgmt`);
      expect(out.inputs).toMatchObject({ virtualNetworkPeeringName: `peer-mgmt-to-${env}`, virtualNetworkName: "vnet-k8tre-mgmt-uks-spoke", allowVirtualNetworkAccess: true, allowForwardedTraffic: false, useRemoteGateways: false });
      expect((out.inputs as any).remoteVirtualNetwork.id).toBe((r.outputs.spokes as any)[env].vnetId);
      expect(back.inputs).toMatchObject({ virtualNetworkPeeringName: `peer-${env}-to-mgmt`, virtualNetworkName: `vnet-k8tre-${env}-uks-spoke`, allowForwardedTraffic: false });
      expect((back.inputs as any).remoteVirtualNetwork.id).toBe((r.outputs.spokes as any).mgmt.vnetId);
      expect(out.provider).toEqual(providerOf(MGMT));
      expect(back.provider).toEqual(providerOf(SUBS[env]));
      for (const p of [out, back]) expect(p.dependsOn).toEqual(expect.arrayContaining([mgmtVnet.urn, envVnet.urn]));
    }
    // 4 spokes x 2 hub halves + 3 environments x 2 management halves.
    expect(ofType(r, "azure-native:network:VirtualNetworkPeering")).toHaveLength(8 + 6);
  });

  it("exports where the deployer runs and which VNets peer and resolve the zones", () => {
    const out = r.outputs.reachability as any;
    const spokes = r.outputs.spokes as any;
    expect(out).toMatchObject({ mode: "create", managementSpoke: "mgmt", deployer: { vnetId: spokes.mgmt.vnetId, subnetName: "snet-deployer", addressPrefix: "10.11.3.0/27" } });
    expect(out.deployer.subnetId).toBe(`${spokes.mgmt.vnetId}/subnets/snet-deployer`);
    for (const env of ["dev", "stg", "prd"]) {
      expect(out.peerings).toContainEqual({ from: spokes.mgmt.vnetId, to: spokes[env].vnetId });
      expect(out.peerings).toContainEqual({ from: spokes[env].vnetId, to: spokes.mgmt.vnetId });
    }
    expect(out.zoneLinkVnetIds).toEqual(expect.arrayContaining([r.outputs.hubVnetId, ...Object.values(spokes).map((s: any) => s.vnetId)]));
  });
});

describe("the hub's private-endpoint subnet (the certificate vault's endpoint)", () => {
  it("is a separate subnet after the App Gateway subnet, with its own NSG and endpoint network policies on", () => {
    const sn = one(r, "azure-native:network:Subnet", "hub-endpoint-subnet");
    expect(sn.inputs).toMatchObject({ subnetName: "snet-privatelinkendpoints", virtualNetworkName: "vnet-k8tre-net-uks-hub", addressPrefix: "10.10.1.0/26", privateEndpointNetworkPolicies: "Enabled", defaultOutboundAccess: false });
    expect((sn.inputs as any).networkSecurityGroup.id).toMatch(/networkSecurityGroups\/nsg-k8tre-net-uks-privatelinkendpoints$/);
    // Azure refuses concurrent writes to one VNet.
    expect(sn.dependsOn).toContain(one(r, "azure-native:network:Subnet", "hub-appgw-subnet").urn);
    expect(sn.provider).toEqual(providerOf(CONN));
  });

  it("keeps the gateway, the vault and their workspace out of this stack (no cluster stack waits for them)", () => {
    for (const type of ["azure-native:network:ApplicationGateway", "azure-native:keyvault:Vault", "azure-native:network:WebApplicationFirewallPolicy", "azure-native:operationalinsights:Workspace"]) {
      expect(ofType(r, type)).toHaveLength(0);
    }
  });
});
