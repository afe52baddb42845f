/**
 * `npm run synth` reports the pack's results for each stack, writes them into the plan JSON and
 * Markdown and an overview (`policy.md`), and fails on a mandatory violation (here: the shipped network stack with the WAF
 * switched to Detection mode).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../tools/synth/cli";
import { PROJECT_DIR } from "../helpers/synth";

function project(mutate: (networkYaml: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-policy-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, "Pulumi.network.yaml"), mutate(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.network.yaml"), "utf8")));
  return dir;
}

async function run(dir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["network", "--project", dir, "--out", path.join(dir, "out")], { out: (l) => out.push(l), err: (l) => err.push(l) });
  const read = (f: string) => fs.readFileSync(path.join(dir, "out", f), "utf8");
  return { code, out: out.join("\n"), err: err.join("\n"), plan: JSON.parse(read("network.json")), md: read("network.md"), overview: read("policy.md") };
}

it("prints, stores and passes the policy results of a compliant stack", async () => {
  const r = await run(project((y) => y));
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^network: \d+ resources .*; policy: \d+ passed, 0 violations/m);
  expect(r.plan.policy).toMatchObject({ pack: "k8tre-tre-baseline", mandatoryViolations: 0, violations: [] });
  expect(r.plan.policy.policies.find((p: any) => p.name === "waf-policy-prevention").status).toBe("passed");
  expect(r.md).toContain("### Policy");
  expect(r.overview).toContain("No mandatory violations.");
  expect(r.overview).toMatch(/\| `network` \| \d+ \| 0 \| 0 \|/);
});

it("fails the synth on a mandatory violation and names the policy, resource and fix", async () => {
  const dir = project((y) => {
    expect(y).toMatch(/wafMode: Prevention/);
    return y.replace(/wafMode: Prevention/, "wafMode: Detection");
  });
  const r = await run(dir);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/\[mandatory\] waf-policy-prevention: urn:pulumi:network::k8tre::.*WebApplicationFirewallPolicy::/);
  expect(r.out).toContain('policySettings.mode must be "Prevention" (found "Detection")');
  expect(r.err).toContain("stack network: 1 mandatory policy violation(s)");
  expect(r.plan.policy.violations).toEqual([expect.objectContaining({ policy: "waf-policy-prevention", enforcementLevel: "mandatory" })]);
  expect(r.md).toContain("| `waf-policy-prevention` | mandatory |");
  expect(r.overview).toContain("**1 mandatory violation: the synth fails.**");
  expect(r.overview).toMatch(/\| `network` \| `waf-policy-prevention` \| mandatory \| `urn:pulumi:network::k8tre::/);
});
