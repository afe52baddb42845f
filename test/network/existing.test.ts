/**
 * The landing-zone example (Pulumi.network-lz.yaml, mode existing): everything the landing zone
 * owns is referenced by ID, never created; the gateway still gets its identity and grant.
 */
import { ofType, one, synthShipped } from "../helpers/synth";
import type { SynthResult } from "../../tools/synth/engine";

const HUB_SUB = "00000000-0000-0000-0000-0000000000a1";
const VAULT_ID = `/subscriptions/${HUB_SUB}/resourceGroups/rg-connectivity-certs/providers/Microsoft.KeyVault/vaults/kv-lz-certificates`;

let r: SynthResult;
beforeAll(async () => {
  r = await synthShipped("network-lz");
});

it("creates no VNets, subnets, NSGs, peerings, zones or vault", () => {
  for (const type of [
    "azure-native:network:VirtualNetwork",
    "azure-native:network:Subnet",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:VirtualNetworkPeering",
    "azure-native:network:RouteTable",
    "azure-native:privatedns:PrivateZone",
    "azure-native:keyvault:Vault",
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
  expect(r.outputs.certificateVaultId).toBe(VAULT_ID);
  expect(r.outputs.certificateVaultUri).toBe("https://kv-lz-certificates.vault.azure.net/");
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

it("grants the gateway identity Key Vault Secrets User on the existing vault, before the gateway", () => {
  const ra = one(r, "azure-native:authorization:RoleAssignment");
  expect((ra.inputs as any).scope).toBe(VAULT_ID);
  expect((ra.inputs as any).roleDefinitionId).toBe(`/subscriptions/${HUB_SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`);
  const agw = one(r, "azure-native:network:ApplicationGateway");
  expect(agw.dependsOn).toContain(ra.urn);
  expect((agw.inputs as any).gatewayIPConfigurations[0].subnet.id).toMatch(/virtualNetworks\/vnet-hub\/subnets\/snet-appgw$/);
  expect((agw.inputs as any).sslCertificates.map((c: any) => c.keyVaultSecretId)).toEqual([
    "https://kv-lz-certificates.vault.azure.net/secrets/tls-dev",
    "https://kv-lz-certificates.vault.azure.net/secrets/tls-prd",
  ]);
});

it("restricts public access to the allow-list with a WAF rule", () => {
  const policy = one(r, "azure-native:network:WebApplicationFirewallPolicy").inputs as any;
  expect(policy.customRules).toEqual([
    expect.objectContaining({ action: "Block", matchConditions: [expect.objectContaining({ negationConditon: true, matchValues: ["203.0.113.0/24", "198.51.100.0/24"] })] }),
  ]);
});
