/**
 * `npm run synth` reports the pack's results for each stack, writes them into the plan JSON and
 * Markdown and an overview (`policy.md`), and fails on a mandatory violation (here: the shipped gateway stack with the WAF
 * switched to Detection mode).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../tools/synth/cli";
import { evaluatePlan, renderPolicyOverview } from "../../tools/synth/policy";
import { PROJECT_DIR } from "../helpers/synth";

/** A project with the network and gateway stacks, the gateway's file mutated. */
function project(mutate: (gatewayYaml: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-policy-"));
  for (const f of ["Pulumi.yaml", "Pulumi.network.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, "Pulumi.gateway.yaml"), mutate(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.gateway.yaml"), "utf8")));
  return dir;
}

async function run(dir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["gateway", "--project", dir, "--out", path.join(dir, "out")], { out: (l) => out.push(l), err: (l) => err.push(l) });
  const read = (f: string) => fs.readFileSync(path.join(dir, "out", f), "utf8");
  return { code, out: out.join("\n"), err: err.join("\n"), plan: JSON.parse(read("gateway.json")), md: read("gateway.md"), overview: read("policy.md") };
}

it("prints, stores and passes the policy results of a compliant stack", async () => {
  const r = await run(project((y) => y));
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^gateway: \d+ resources .*; policy: \d+ passed, 0 violations/m);
  expect(r.plan.policy).toMatchObject({ pack: "k8tre-tre-baseline", mandatoryViolations: 0, violations: [] });
  expect(r.plan.policy.policies.find((p: any) => p.name === "waf-policy-prevention").status).toBe("passed");
  expect(r.md).toContain("### Policy");
  expect(r.overview).toContain("No mandatory violations.");
  expect(r.overview).toMatch(/\| `gateway` \| \d+ \| 0 \| 0 \|/);
});

it("config and policy agree on the WAF mode: Detection is refused by config naming the key, or accepted by both as a documented exception", async () => {
  const refused = project((y) => {
    expect(y).toMatch(/wafMode: Prevention/);
    return y.replace(/wafMode: Prevention/, "wafMode: Detection");
  });
  const out: string[] = [];
  const err: string[] = [];
  expect(await main(["gateway", "--project", refused, "--out", path.join(refused, "out")], { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(1);
  expect(err.join("\n")).toContain('k8tre:gateway.wafMode: got "Detection"; expected "Prevention" on a protected stack');

  const documented = project((y) =>
    y.replace(/k8tre:protected: true/, "k8tre:protected: false").replace(/wafMode: Prevention/, 'wafMode: Detection\n    wafDetectionReason: "tuning false positives until 2026-12-31"'),
  );
  const r = await run(documented);
  expect(r.code).toBe(0);
  expect(r.plan.policy.policies.find((p: any) => p.name === "waf-policy-prevention").status).toBe("passed");
  const waf = r.plan.resources.find((x: any) => x.type === "azure-native:network:WebApplicationFirewallPolicy");
  expect(waf.inputs.policySettings.mode).toBe("Detection");
  expect(waf.inputs.tags["k8tre-waf-detection-reason"]).toBe("tuning false positives until 2026-12-31");
});

it("a mandatory violation the config cannot prevent is reported with its policy, resource and the config key to fix", () => {
  // Config now refuses every Detection the policy would fail; a code change could still produce one.
  const report = evaluatePlan({
    resources: [{ type: "azure-native:network:WebApplicationFirewallPolicy", name: "waf", urn: "urn:pulumi:network::k8tre::waf", inputs: { policySettings: { mode: "Detection", state: "Enabled" }, managedRules: { managedRuleSets: [{}] } }, protect: false }] as any,
  });
  expect(report.mandatoryViolations).toBe(1);
  const overview = renderPolicyOverview([["network", report]]);
  expect(overview).toContain("**1 mandatory violation: the synth fails.**");
  expect(overview).toContain("fix: k8tre:gateway.wafMode");
});
