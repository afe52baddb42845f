/**
 * The landing-zone gateway example (Pulumi.gateway-lz.yaml on Pulumi.network-lz.yaml): the landing
 * zone's own vault is referenced, never created; the gateway still gets its identity and grant, and
 * its WAF rule enforces the allow-list the network stack declares.
 */
import { ofType, one, synthShipped } from "../helpers/synth";
import type { SynthResult } from "../../tools/synth/engine";

const HUB_SUB = "00000000-0000-0000-0000-0000000000a1";
const VAULT_ID = `/subscriptions/${HUB_SUB}/resourceGroups/rg-connectivity-certs/providers/Microsoft.KeyVault/vaults/kv-lz-certificates`;

let r: SynthResult;
beforeAll(async () => {
  r = await synthShipped("gateway-lz");
});

it("creates no vault and no private endpoint (the landing zone's vault is its own), and exports that vault", () => {
  expect(ofType(r, "azure-native:keyvault:Vault")).toHaveLength(0);
  expect(ofType(r, "azure-native:network:PrivateEndpoint")).toHaveLength(0);
  expect(r.outputs.certificateVaultId).toBe(VAULT_ID);
  expect(r.outputs.certificateVaultUri).toBe("https://kv-lz-certificates.vault.azure.net/");
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

it("restricts public access to the network stack's allow-list with a WAF rule", () => {
  const policy = one(r, "azure-native:network:WebApplicationFirewallPolicy").inputs as any;
  expect(policy.customRules).toEqual([
    expect.objectContaining({ action: "Block", matchConditions: [expect.objectContaining({ negationConditon: true, matchValues: ["203.0.113.0/24", "198.51.100.0/24"] })] }),
  ]);
});
