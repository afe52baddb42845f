/**
 * The gateway stack's deployment paths: a brand-new stack's preview, the first deploy with the
 * gateway off (vault first, certificates later), and a deploy whose certificate is missing.
 */
import { ofType, one, PROJECT_DIR, synthShipped } from "../helpers/synth";
import { readProject } from "../../config/project";
import * as pulumi from "@pulumi/pulumi";
import { checkCertificates } from "../../components/azure/gateway/certificateVault";
import { subnetSubscriptionProblem } from "../../stacks/gateway/azure";

const gatewayConfig = () => readProject(PROJECT_DIR).stacks.find((s) => s.stack === "gateway")!.raw["k8tre:gateway"] as Record<string, unknown>;

it("evaluates as a preview of a brand-new stack, with certificate references already known", async () => {
  const r = await synthShipped("gateway", { preview: true });
  const agw = one(r, "azure-native:network:ApplicationGateway").inputs as any;
  expect(agw.sslCertificates.map((c: any) => c.keyVaultSecretId)).toEqual(["tls-dev", "tls-stg", "tls-prd"].map((s) => expect.stringMatching(new RegExp(`^https://kv-k8tre-net-cert-[a-z0-9]{6}\\.vault\\.azure\\.net/secrets/${s}$`))));
  expect(agw.requestRoutingRules[0].httpListener.id).toMatch(/^\/subscriptions\/.+\/applicationGateways\/agw-k8tre-net-uks\/httpListeners\/https-dev$/);
  // A preview never reads the vault: it may not exist yet.
  expect(r.invokes.filter((i) => i.token === "azure-native:keyvault:getSecret")).toHaveLength(0);
});

it("with the gateway disabled, creates the vault, identity and grant but no gateway, and reads no certificate", async () => {
  const r = await synthShipped("gateway", { overrides: { "k8tre:gateway": { ...gatewayConfig(), enabled: false } } });
  expect(ofType(r, "azure-native:network:ApplicationGateway")).toHaveLength(0);
  expect(ofType(r, "azure-native:keyvault:Vault")).toHaveLength(1);
  expect(ofType(r, "azure-native:authorization:RoleAssignment").filter((a) => a.name === "gateway-kv-secrets-user")).toHaveLength(1);
  expect(r.invokes.filter((i) => i.token === "azure-native:keyvault:getSecret")).toHaveLength(0);
  expect(r.outputs.certificateVaultUri).toMatch(/^https:\/\/kv-k8tre-net-cert-/);
});

it("fails with the key, the vault and the import command when a configured certificate is missing", async () => {
  const vault = { vaultName: "kv-certs", resourceGroupName: "rg-certs" };
  const refs = ["dev", "stg"].map((env, i) => ({ key: `k8tre:gateway.listeners.${i}.certificateSecretName`, environment: env, secretName: `tls-${env}` }));
  const lookup = async (name: string) => {
    if (name === "tls-stg") throw new Error("SecretNotFound: A secret with (name/id) tls-stg was not found in this key vault.");
    return { name };
  };
  const err = await checkCertificates(vault, refs, lookup).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(pulumi.RunError);
  expect((err as Error).message).toMatch(
    /k8tre:gateway\.listeners\.1\.certificateSecretName = "tls-stg" \(environment stg\): not found in Key Vault kv-certs \(resource group rg-certs\); Azure said: SecretNotFound[\s\S]*az keyvault certificate import --vault-name kv-certs --name tls-stg/,
  );
  expect((err as Error).message).not.toContain("tls-dev");
  await expect(checkCertificates(vault, refs.slice(0, 1), lookup)).resolves.toBeUndefined();
});

it("fails before the gateway is declared when the network stack's App Gateway subnet is in another subscription than the provider's", () => {
  // The cross-stack check refuses such config files; this catches a network stack deployed from other config.
  const subnet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-k8tre-net-uks-hub/providers/Microsoft.Network/virtualNetworks/vnet-k8tre-net-uks-hub/subnets/snet-appgw";
  const where = { stack: "gateway", key: "subscriptionId", network: "organization/k8tre/network" };
  expect(subnetSubscriptionProblem(subnet, "00000000-0000-0000-0000-000000000001", where)).toBeUndefined();
  expect(subnetSubscriptionProblem(subnet, "00000000-0000-0000-0000-000000000009", where)).toBe(
    "stack gateway (Pulumi.gateway.yaml): k8tre:azure.subscriptionId is 00000000-0000-0000-0000-000000000009, but the App Gateway subnet of network stack organization/k8tre/network " +
      `is in subscription 00000000-0000-0000-0000-000000000001 (${subnet}); an Application Gateway lives in its subnet's subscription: set it to 00000000-0000-0000-0000-000000000001`,
  );
});
