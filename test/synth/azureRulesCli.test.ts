import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run synth`'s command line (package.json), as arguments for this Node (as in cli.test.ts). */
const SYNTH_COMMAND: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.synth.split(/\s+/).slice(1);

/** The shipped stack files, with mgmt's system pool allowed to grow past its node subnet. */
function oversizedPoolProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-azrules-"));
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*ya?ml$/.test(f))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  const doc = parse(fs.readFileSync(path.join(dir, "Pulumi.mgmt.yaml"), "utf8"));
  doc.config["k8tre:cluster"].systemPool.maxCount = 600; // the /23 node subnet holds 507 nodes
  fs.writeFileSync(path.join(dir, "Pulumi.mgmt.yaml"), JSON.stringify(doc));
  return dir;
}

describe("npm run synth with a stack Azure would refuse", () => {
  it("exits 1 naming the stack, the resource, the property, the rule and the config key", () => {
    const dir = oversizedPoolProject();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-azrules-out-"));
    const r = spawnSync(process.execPath, [...SYNTH_COMMAND, "mgmt", "--project", dir, "--out", out], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stack mgmt: Azure would refuse 1 request(s) (listed in the summary; docs/synth.md "Azure create-time rules")');
    expect(r.stdout).toContain(
      "✗ [aks-node-subnet-capacity] stack mgmt: cluster-aks (azure-native:resources:Resource): properties.agentPoolProfiles[].vnetSubnetID: node subnet snet-clusternodes (10.11.0.0/23) has 507 usable addresses but the pools need",
    );
    expect(r.stdout).toContain("fix: k8tre:cluster.systemPool.maxCount / k8tre:cluster.userPools[].maxCount in Pulumi.mgmt.yaml, or a larger k8tre:network.spokes.mgmt.nodeSubnet in Pulumi.network.yaml");
    const plan = JSON.parse(fs.readFileSync(path.join(out, "mgmt.json"), "utf8"));
    expect(plan.azureRules.errors).toBe(1);
    expect(plan.azureRules.findings.filter((f: { level: string }) => f.level === "error")).toMatchObject([{ rule: "aks-node-subnet-capacity", stack: "mgmt", name: "cluster-aks" }]);
    expect(fs.readFileSync(path.join(out, "mgmt.md"), "utf8")).toContain("### Azure create-time rules");
  }, 60_000);
});
