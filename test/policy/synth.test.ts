/**
 * The synth adapter (tools/synth/policy.ts): the same rules over a synthesized plan, and every
 * shipped stack passes the pack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SYNTH_SECRET, SYNTH_UNKNOWN, TYPES } from "../../policy/rules";
import { loadProject, readProject } from "../../config/project";
import type { PlannedResource } from "../../tools/synth/engine";
import { evaluatePlan, type PolicyReport, renderPolicyMarkdown, renderPolicySummary } from "../../tools/synth/policy";
import { SECRET, UNKNOWN } from "../../tools/synth/values";
import { PROJECT_DIR, synthShipped } from "../helpers/synth";

function res(type: string, name: string, inputs: Record<string, unknown>, protect = true): PlannedResource {
  return { urn: `urn:pulumi:dev::k8tre::${type}::${name}`, type, name, custom: true, parent: null, provider: null, dependsOn: [], protect, retainOnDelete: false, inputs };
}

const goodVault = () => ({ properties: { publicNetworkAccess: "Disabled", enablePurgeProtection: true, enableRbacAuthorization: true, tenantId: "t", sku: { family: "A", name: "standard" } } });

describe("evaluatePlan", () => {
  it("uses the synth's own markers for secrets and unknowns", () => {
    expect(SYNTH_SECRET).toBe(SECRET);
    expect(SYNTH_UNKNOWN).toBe(UNKNOWN);
  });

  it("counts passed, violated and not-applicable policies and lists violations by URN", () => {
    const plan = {
      resources: [
        res(TYPES.vault, "kv", goodVault()),
        res(TYPES.vault, "kv-open", { properties: { ...goodVault().properties, publicNetworkAccess: "Enabled" } }, false),
        res("kubernetes:helm.sh/v3:Release", "argocd", { chart: "argo-cd", version: "10.1.1", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" }, values: { configs: { secret: { argocdServerAdminPassword: "plain" } } } }),
      ],
    };
    const r = evaluatePlan(plan);
    expect(r.violations.map((v) => [v.policy, v.urn])).toEqual([
      ["keyvault-no-public-network-access", plan.resources[1].urn],
      ["protect-stateful-resources", plan.resources[1].urn],
      ["no-plaintext-secrets", plan.resources[2].urn],
    ]);
    expect(r.mandatoryViolations).toBe(3);
    const status = Object.fromEntries(r.policies.map((p) => [p.name, p.status]));
    expect(status).toMatchObject({ "keyvault-purge-protection": "passed", "helm-chart-pinned": "passed", "keyvault-no-public-network-access": "violated", "aks-private-cluster": "not-applicable" });
    expect(r.passed).toBe(r.policies.filter((p) => p.status === "passed").length);
    expect(r.policies.find((p) => p.name === "keyvault-purge-protection")!.checked).toBe(2);
  });

  it("does not evaluate a rule on a resource whose inputs it needs are unknown (preview), as CrossGuard", () => {
    const cluster = res(TYPES.managedCluster, "aks", { apiServerAccessProfile: UNKNOWN, disableLocalAccounts: true, aadProfile: { managed: true, enableAzureRBAC: true }, agentPoolProfiles: [] });
    const r = evaluatePlan({ resources: [cluster] });
    expect(r.violations).toEqual([]);
    expect(r.notEvaluated).toEqual([{ policy: "aks-private-cluster", urn: cluster.urn, reason: "apiServerAccessProfile is unknown until the resource it depends on exists" }]);
    expect(r.policies.find((p) => p.name === "aks-local-accounts-disabled")!.status).toBe("passed");
  });

  it("still checks a gateway whose WAF policy ID is unknown in preview (presence, not value)", () => {
    const gw = (sku: string) => res(TYPES.applicationGateway, `agw-${sku}`, {
      sku: { name: sku, tier: sku },
      firewallPolicy: { id: UNKNOWN },
      sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" },
      frontendIPConfigurations: [{ name: "public", publicIPAddress: { id: UNKNOWN } }],
    });
    // (Without a name, diagnostics-to-log-analytics cannot find the gateway's setting: not evaluated.)
    const r = evaluatePlan({ resources: [gw("WAF_v2"), gw("Standard_v2")] });
    expect(r.notEvaluated.filter((n) => n.policy !== "diagnostics-to-log-analytics")).toEqual([]);
    expect(r.violations.map((v) => [v.policy, v.urn, v.message])).toEqual([["appgw-waf-enabled", gw("Standard_v2").urn, 'sku must be WAF_v2 (found name "Standard_v2", tier "Standard_v2")']]);
  });

  it("reports a masked Secret as not evaluated by the bearer-token rule, not as a pass", () => {
    const secret = res(TYPES.secret, "cluster-dev", { metadata: { labels: { "argocd.argoproj.io/secret-type": "cluster" } }, stringData: SECRET });
    const r = evaluatePlan({ resources: [secret] });
    expect(r.notEvaluated.map((n) => n.policy)).toEqual(["argocd-cluster-no-bearer-token"]);
    // Applicability and evaluation agree: the policy applies (there is a Secret), it was not evaluated.
    expect(r.policies.find((p) => p.name === "argocd-cluster-no-bearer-token")).toMatchObject({ status: "not-evaluated", checked: 0, notEvaluated: 1 });
    expect(r.notEvaluatedPolicies).toBe(1);
    expect(renderPolicyMarkdown(r).join("\n")).toContain("| `argocd-cluster-no-bearer-token` | mandatory | 0 | 1 | not-evaluated |");
    expect(renderPolicySummary(r).join("\n")).toMatch(/, 1 not evaluated offline, \d+ not applicable/);
    // Without a Secret in the plan it is not applicable, and nothing is listed as not evaluated.
    const none = evaluatePlan({ resources: [] });
    expect(none.policies.find((p) => p.name === "argocd-cluster-no-bearer-token")!.status).toBe("not-applicable");
    expect(none.notEvaluated).toEqual([]);
  });

  it("renders a console block and Markdown with each violation's policy, URN and message", () => {
    const bad = res(TYPES.storageAccount, "st", { publicNetworkAccess: "Enabled", allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2", allowSharedKeyAccess: false }, true);
    const r = evaluatePlan({ resources: [bad] });
    const text = renderPolicySummary(r).join("\n");
    expect(text).toMatch(/Policy \(k8tre-tre-baseline\): \d+ passed, 1 violation \(1 mandatory, 0 advisory\)/);
    expect(text).toContain(`[mandatory] storage-no-public-access: ${bad.urn}`);
    expect(text).toContain('publicNetworkAccess must be "Disabled"');
    const md = renderPolicyMarkdown(r).join("\n");
    expect(md).toContain("| `storage-no-public-access` | mandatory | 1 | 0 | violated |");
    expect(md).toContain(`\`${bad.urn}\``);
  });
});

describe("shipped stacks pass the pack", () => {
  // Every Pulumi.<stack>.yaml, evaluated as `npm run synth` does (through the shared synth cache).
  const files = readProject(PROJECT_DIR);
  const reports = new Map<string, PolicyReport>();

  beforeAll(async () => {
    const { errors } = loadProject(files);
    if (errors.length) throw errors[0];
    for (const { stack } of files.stacks) reports.set(stack, evaluatePlan(await synthShipped(stack)));
  }, 180_000);

  it("covers the standard stacks (and k3s when it ships)", () => {
    const expected = ["network", "mgmt", "dev", "stg", "prd", ...(fs.existsSync(path.join(PROJECT_DIR, "Pulumi.k3s.yaml")) ? ["k3s"] : [])];
    expect([...reports.keys()]).toEqual(expect.arrayContaining(expected));
  });

  it.each(files.stacks.map((f) => f.stack))("%s has no mandatory violations", (stack) => {
    const r = reports.get(stack)!;
    expect(r.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy} ${v.urn}: ${v.message}`)).toEqual([]);
  });
});
