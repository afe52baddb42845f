/**
 * The environment side of registration: dev's cluster Secret in the management cluster, built
 * from the mgmt stack's outputs (StackReference), and the RBAC on dev's cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import { readProject } from "../../config/project";
import { loadStackConfig } from "../../config/load";
import { StackContext } from "../../stacks/context";
import { azureClusterAuth } from "../../stacks/environment/azure";
import { registerWithManagement, registrationLabelInput } from "../../stacks/registration";
import { synthStack, type SynthResult } from "../../tools/synth/engine";
import { one, ofType, PROJECT_DIR, synthShipped } from "../helpers/synth";
import { kubeconfigCaData, REQUIRED_CLUSTER_LABELS } from "../../components/argocd/registration";

const ENV_KUBECONFIG = [
  "apiVersion: v1", "kind: Config", "current-context: dev",
  "clusters:", "  - name: dev", "    cluster:", "      server: https://k8tre-dev.privatelink.uksouth.azmk8s.io:443", "      certificate-authority-data: ZGV2LWNh",
  "contexts:", "  - name: dev", "    context: {cluster: dev, user: u}",
  "users:", "  - name: u", "    user: {token: not-used}",
].join("\n");

let mgmtOutputs: Record<string, unknown>;
beforeAll(async () => {
  mgmtOutputs = (await synthShipped("mgmt")).rawOutputs;
}, 180_000);

async function registerDev(overrides: Record<string, unknown> = {}): Promise<SynthResult> {
  const files = readProject(PROJECT_DIR);
  const raw = { ...files.stacks.find((s) => s.stack === "dev")!.raw, ...overrides };
  const loaded = loadStackConfig(raw, { stack: "dev" });
  return synthStack(
    () => {
      const ctx = new StackContext(loaded);
      const provider = new k8s.Provider("dev-k8s", { kubeconfig: ENV_KUBECONFIG });
      const clusterName = ctx.naming.aksCluster();
      const reg = registerWithManagement(ctx, { clusterName, server: "https://k8tre-dev.privatelink.uksouth.azmk8s.io:443", caData: kubeconfigCaData(ENV_KUBECONFIG), provider }, azureClusterAuth)!;
      // The plan masks Secret data; the component exposes what it wrote so tests can read it.
      return { stringData: reg.registration.stringData };
    },
    { project: files.project, stack: "dev", config: raw, stackOutputs: { mgmt: mgmtOutputs } },
  );
}

describe("dev's registration in the management ArgoCD", () => {
  let dev: SynthResult;
  beforeAll(async () => {
    dev = await registerDev();
  }, 180_000);

  it("writes a labelled cluster Secret into the management cluster's argocd namespace", () => {
    const secret = one(dev, "kubernetes:core/v1:Secret");
    const meta = secret.inputs.metadata as any;
    expect(meta.namespace).toBe("argocd");
    expect(meta.labels["argocd.argoproj.io/secret-type"]).toBe("cluster");
    for (const k of REQUIRED_CLUSTER_LABELS) expect(meta.labels[k]).toMatch(/\S/);
    expect(meta.labels).toMatchObject({
      environment: "dev", vendor: "azure", "external-dns": "azure", "external-domain": "dev.example.org", region: "uksouth",
      "cluster-name": "aks-k8tre-dev-uks", "secret-store": "azure-keyvault",
    });
    // through the provider built from the mgmt stack's kubeconfig output
    const provider = dev.resources.find((r) => r.urn === secret.provider);
    expect(provider?.name).toBe("management-k8s");
    expect((provider?.inputs as any).kubeconfig).toBe("[secret]"); // the mgmt kubeconfig stays a secret
    expect(ofType(dev, "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).toContain("organization/k8tre/mgmt");
  });

  it("holds no bearer token or secret: exec auth with the mgmt controller identity and TLS verification", () => {
    const data = dev.rawOutputs.stringData as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(["config", "name", "server"]);
    expect(data.server).toBe("https://k8tre-dev.privatelink.uksouth.azmk8s.io:443");
    const config = JSON.parse(data.config);
    expect(config.bearerToken).toBeUndefined();
    expect(config.execProviderConfig.env.AZURE_CLIENT_ID).toBe((mgmtOutputs.argocdControllerIdentity as any).clientId);
    expect(config.tlsClientConfig).toEqual({ insecure: false, caData: "ZGV2LWNh" });
  });

  it("binds the deployer role on dev's cluster to the controller identity's object ID only, before registering", () => {
    const binding = one(dev, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
    expect((binding.inputs as any).subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: (mgmtOutputs.argocdControllerIdentity as any).principalId }]);
    const role = one(dev, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
    expect((role.inputs as any).rules.some((r: any) => r.nonResourceURLs)).toBe(false);
    expect(binding.provider).toContain("dev-k8s");
    expect(dev.resources.find((r) => r.type === "k8tre:argocd:ClusterRegistration")!.dependsOn).toContain(binding.urn);
  });

  it("no Secret carries a bearer token: mgmt declares none itself, the registration's data has none", async () => {
    const mgmt = await synthShipped("mgmt");
    expect(ofType(mgmt, "kubernetes:core/v1:Secret")).toHaveLength(0);
    expect(ofType(dev, "kubernetes:core/v1:Secret")).toHaveLength(1);
    expect(JSON.stringify(dev.rawOutputs.stringData)).not.toMatch(/bearerToken|"token"|password|secret/i);
    // no service-account token Secret is created on the target cluster either
    expect(ofType(dev, "kubernetes:core/v1:ServiceAccount")).toHaveLength(0);
  }, 180_000);
});

describe("renaming an environment", () => {
  it("changes only names and labels, and never the management side", async () => {
    const qa = await registerDev({
      "k8tre:environment": "qa",
      // the public zone follows the environment's domain (a config check)
      "k8tre:dns": { apex: false, publicZoneId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dns-public/providers/Microsoft.Network/dnsZones/qa.example.org" },
    });
    const meta = one(qa, "kubernetes:core/v1:Secret").inputs.metadata as any;
    expect(meta.labels).toMatchObject({ environment: "qa", "external-domain": "qa.example.org", "cluster-name": "aks-k8tre-qa-uks" });
    expect(meta.name).toBe("cluster-aks-k8tre-qa-uks");
    // the same management outputs serve any environment: nothing to edit in mgmt
    expect(JSON.parse((qa.rawOutputs.stringData as any).config).execProviderConfig.env.AZURE_CLIENT_ID).toBe((mgmtOutputs.argocdControllerIdentity as any).clientId);
  }, 180_000);

  it("takes skip opt-outs and extra labels from config, and rejects redefining computed labels", () => {
    const files = readProject(PROJECT_DIR);
    const raw = files.stacks.find((s) => s.stack === "dev")!.raw;
    const ok = loadStackConfig({ ...raw, "k8tre:registration": { skip: ["nginx"], labels: { team: "tre" } } }, { stack: "dev" });
    const input = registrationLabelInput(ok.config, "aks-k8tre-dev-uks");
    expect(input.skip).toEqual(["nginx"]);
    expect(input.extra).toEqual({ team: "tre" });
    expect(() => loadStackConfig({ ...raw, "k8tre:registration": { labels: { "external-domain": "other.org" } } }, { stack: "dev" })).toThrow(/k8tre:registration\.labels\.external-domain: .*computed from the stack/);
    expect(() => loadStackConfig({ ...raw, "k8tre:registration": { labels: { "skip-gateway": "true" } } }, { stack: "dev" })).toThrow(/registration\.labels\.skip-gateway: .*k8tre:registration\.skip/);
    expect(() => loadStackConfig({ ...raw, "k8tre:registration": { skip: ["cilium"] } }, { stack: "dev" })).toThrow(/registration\.skip/);
  });
});
