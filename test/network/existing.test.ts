/**
 * The landing-zone example (Pulumi.network-lz.yaml, mode existing): everything the landing zone
 * owns is referenced by ID, never created (its gateway stack: test/gateway/existing.test.ts).
 */
import { ofType, synthShipped } from "../helpers/synth";
import type { SynthResult } from "../../tools/synth/engine";

const HUB_SUB = "00000000-0000-0000-0000-0000000000a1";

let r: SynthResult;
beforeAll(async () => {
  r = await synthShipped("network-lz");
});

it("creates no VNets, subnets, NSGs, peerings, zones, vault or gateway", () => {
  for (const type of [
    "azure-native:network:VirtualNetwork",
    "azure-native:network:Subnet",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:VirtualNetworkPeering",
    "azure-native:network:RouteTable",
    "azure-native:privatedns:PrivateZone",
    "azure-native:keyvault:Vault",
    "azure-native:network:ApplicationGateway",
  ]) {
    expect(ofType(r, type)).toHaveLength(0);
  }
});

it("exports the landing zone's IDs unchanged", () => {
  const spokes = r.outputs.spokes as Record<string, Record<string, string>>;
  expect(Object.keys(spokes).sort()).toEqual(["dev", "mgmt", "prd"]);
  expect(spokes.dev.nodeSubnetId).toBe("/subscriptions/00000000-0000-0000-0000-0000000000a3/resourceGroups/rg-dev-network/providers/Microsoft.Network/virtualNetworks/vnet-dev-spoke/subnets/snet-clusternodes");
  expect(spokes.dev.ingressSubnetName).toBe("snet-clusteringressservices");
  expect(spokes.dev.subscriptionId).toBe("00000000-0000-0000-0000-0000000000a3");
  expect(r.outputs.hubVnetId).toMatch(/virtualNetworks\/vnet-hub$/);
  expect(r.outputs.dnsZoneResourceGroupName).toBe("rg-connectivity-dns");
  expect((r.outputs.privateDnsZoneNames as Record<string, string>).aks).toBe("privatelink.uksouth.azmk8s.io");
  expect(r.outputs.gatewaySubnetId).toMatch(/virtualNetworks\/vnet-hub\/subnets\/snet-appgw$/);
  expect(r.outputs.gatewaySubscriptionId).toBe(HUB_SUB);
  expect(r.outputs.gatewayAllowedSourceCidrs).toEqual(["203.0.113.0/24", "198.51.100.0/24"]);
  // No hub endpoint subnet named: its gateway stack brings the landing zone's own vault.
  expect(r.outputs.hubEndpointSubnetId).toBeUndefined();
  expect((r.outputs.linkVnetIds as string[])[1]).toMatch(/vnet-iac-spoke$/);
});

it("links only the extra VNet (the landing zone links hub and spokes), registration off, next to each zone", () => {
  const links = ofType(r, "azure-native:privatedns:VirtualNetworkLink");
  expect(links).toHaveLength(7);
  for (const l of links) {
    expect(l.inputs).toMatchObject({ registrationEnabled: false, resourceGroupName: "rg-connectivity-dns" });
    expect((l.inputs as any).virtualNetwork.id).toMatch(/vnet-iac-spoke$/);
    expect(l.provider).toMatch(new RegExp(`azure-${HUB_SUB}$`));
  }
});
