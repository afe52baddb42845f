/**
 * Broken configurations an operator actually writes, each with the exact message: never a stack
 * trace, never "0 problems", and every problem reported against the stack file and key to edit.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, formatIssue } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { loadProject, readProject, readStackFile, stackClosure } from "../../config/project";
import { AZURE_VM_SIZE } from "../../config/schema/fields";
import { TOP_LEVEL_KEYS } from "../../config/schema";
import { rules, WAF_DETECTION_REASON_TAG as POLICY_TAG } from "../../policy/rules";
import { WAF_DETECTION_REASON_TAG } from "../../config/schema/network";
import { evaluatePlan } from "../../tools/synth/policy";
import { main } from "../../tools/synth/cli";

const ROOT = path.resolve(__dirname, "../..");
const SHIPPED = readProject(ROOT).stacks.map((s) => s.stack);
const NETWORKS = SHIPPED.filter((s) => readStackFile(path.join(ROOT, `Pulumi.${s}.yaml`), s).raw["k8tre:kind"] === "network").join(", ");
const ZONE = (name: string) => `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dns-public/providers/Microsoft.Network/dnsZones/${name}`;

type Patch = (cfg: Record<string, any>) => void;

/** A temp project: the shipped files with some stack files patched (a string replaces the file's text). */
function projectWith(patches: Record<string, Patch | string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-consistency-"));
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*ya?ml$/.test(f))) {
    const stack = f === "Pulumi.yaml" ? "" : f.split(".")[1];
    const patch = patches[stack];
    if (typeof patch === "string") {
      fs.writeFileSync(path.join(dir, f), patch);
      continue;
    }
    const doc = parse(fs.readFileSync(path.join(ROOT, f), "utf8"));
    patch?.(doc.config);
    fs.writeFileSync(path.join(dir, f), JSON.stringify(doc, null, 1));
  }
  return dir;
}

/** Every problem of the project as "[stack file] issue". */
function problems(dir: string): string[] {
  const { errors } = loadProject(readProject(dir));
  return errors.flatMap((e) => e.issues.map((i) => `${e.file}: ${formatIssue({ ...i, stack: undefined })}`));
}

function shipped(stack: string): Record<string, unknown> {
  return { ...readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), stack).raw };
}

describe("single-stack mistakes", () => {
  it("a missing k8tre:kind is a problem, not '0 problems'", () => {
    const raw = shipped("dev");
    delete raw["k8tre:kind"];
    let err: ConfigError | undefined;
    try {
      loadStackConfig(raw, { stack: "dev", file: "Pulumi.dev.yaml" });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toBe(
      'Invalid configuration for stack "dev" (Pulumi.dev.yaml): 1 problem\n' +
        "  - k8tre:kind: got nothing (the key is missing); expected a value (required): What this stack builds: shared network services, the ArgoCD management cluster, one K8TRE environment, or (Azure) the public gateway with its certificate vault. One of network, management, environment, gateway",
    );
    expect(() => new ConfigError([])).toThrow(/at least one problem/);
  });

  it("an empty domain is reported as empty, not missing", () => {
    expect(() => loadStackConfig({ ...shipped("dev"), "k8tre:domain": "" }, { stack: "dev" })).toThrow(
      'k8tre:domain: got ""; expected the base DNS domain as a lower-case DNS name such as example.org (labels of 1-63 letters, digits or hyphens)',
    );
  });

  it("a literal dotted key says to use --path", () => {
    expect(() => loadStackConfig({ ...shipped("dev"), "k8tre:cluster.podCidr": "100.70.0.0/16" }, { stack: "dev" })).toThrow(
      "k8tre:cluster.podCidr: got \"100.70.0.0/16\"; expected no literal dotted key: k8tre:cluster.podCidr means the field podCidr inside k8tre:cluster. " +
        "Set nested fields with --path: `pulumi config rm k8tre:cluster.podCidr` then `pulumi config set --path 'k8tre:cluster.podCidr' <value>` (or nest it in the YAML under k8tre:cluster)",
    );
  });

  it("VM sizes follow Azure's naming pattern", () => {
    for (const ok of ["Standard_D4ds_v5", "Standard_E8as_v6", "Standard_B2s", "Standard_E64-32s_v5", "Standard_NC24ads_A100_v4", "Standard_DC4ads_cc_v5", "Standard_M416-208s_v2"]) {
      expect({ ok, match: AZURE_VM_SIZE.test(ok) }).toEqual({ ok, match: true });
    }
    for (const bad of ["D4ds_v5", "Standard_D4ds-v5", "Standard D4ds v5", "standard_d4ds_v5", "Standard_", "Basic_A0"]) {
      expect({ bad, match: AZURE_VM_SIZE.test(bad) }).toEqual({ bad, match: false });
    }
    const raw = shipped("dev");
    const cluster = raw["k8tre:cluster"] as Record<string, any>;
    expect(() => loadStackConfig({ ...raw, "k8tre:cluster": { ...cluster, systemPool: { ...cluster.systemPool, vmSize: "D4ds_v5" } } }, { stack: "dev" })).toThrow(
      'k8tre:cluster.systemPool.vmSize: got "D4ds_v5"; expected a VM size as Azure names it, e.g. Standard_D4ds_v5 (Standard_<family><vCPUs><features>_<version>; see learn.microsoft.com/azure/virtual-machines/vm-naming-conventions)',
    );
  });

  it("a plain-text kubeconfig is refused where a secret belongs, without echoing it", () => {
    const raw = { ...shipped("k3s"), "k8tre:kubeconfig": "apiVersion: v1\nusers: [{name: admin, user: {token: abc}}]" };
    expect(() => loadStackConfig(raw, { stack: "k3s", secretKeys: [] })).toThrow(
      'k8tre:kubeconfig: got "(plain text, not shown)"; expected a secret: it holds credentials, and a plain-text value is stored unencrypted in Pulumi.k3s.yaml and the state. Remove it and run `pulumi config set --secret k8tre:kubeconfig < file`',
    );
    expect(() => loadStackConfig(raw, { stack: "k3s", secretKeys: [] })).not.toThrow(/token: abc/);
    expect(loadStackConfig(shipped("k3s"), { stack: "k3s", secretKeys: ["k8tre:kubeconfig"] }).config.kubeconfig).toBe("[secret]");
  });

  it("a public DNS zone for another domain", () => {
    expect(() => loadStackConfig({ ...shipped("dev"), "k8tre:dns": { publicZoneId: ZONE("other.org") } }, { stack: "dev" })).toThrow(
      `k8tre:dns.publicZoneId: got "${ZONE("other.org")}"; expected the public zone of this environment's domain dev.example.org or of a parent domain (this zone is other.org)`,
    );
    expect(() => loadStackConfig({ ...shipped("dev"), "k8tre:dns": { publicZoneId: ZONE("example.org") } }, { stack: "dev" })).not.toThrow();
  });
});

describe("stack files and references", () => {
  it("a YAML syntax error names the file, line and column", () => {
    const dir = projectWith({ stg: "config:\n  k8tre:kind: environment\n  k8tre:tags: {a: b\n" });
    expect(problems(dir)).toEqual([
      "Pulumi.stg.yaml: Pulumi.stg.yaml:4:1: got a YAML syntax error; expected valid YAML (Flow map in block collection must be sufficiently indented and end with a })",
    ]);
  });

  it("a reference to a stack of the wrong kind is a config error naming the key (and the cycle it makes)", () => {
    const dir = projectWith({ dev: (c) => (c["k8tre:stackRefs"].network = "mgmt") });
    expect(problems(dir)).toEqual([
      `Pulumi.dev.yaml: k8tre:stackRefs.network: got "mgmt"; expected a network stack (mgmt is a management stack; network stacks here: ${NETWORKS})`,
    ]);
    const cyc = projectWith({ mgmt: (c) => (c["k8tre:stackRefs"].network = "dev") });
    expect(problems(cyc)).toEqual(
      expect.arrayContaining([
        `Pulumi.mgmt.yaml: k8tre:stackRefs.network: got "dev"; expected a network stack (dev is an environment stack; network stacks here: ${NETWORKS})`,
        'Pulumi.mgmt.yaml: k8tre:stackRefs.network: got "dev"; expected a reference that does not form a cycle (dev -> mgmt -> dev)',
        'Pulumi.dev.yaml: k8tre:stackRefs.management: got "mgmt"; expected a reference that does not form a cycle (dev -> mgmt -> dev)',
      ]),
    );
  });

  it("a reference to a stack without a file", () => {
    const dir = projectWith({ dev: (c) => (c["k8tre:stackRefs"].management = "mgmnt") });
    expect(problems(dir)).toEqual([
      `Pulumi.dev.yaml: k8tre:stackRefs.management: got "mgmnt"; expected a stack of this project with a Pulumi.<stack>.yaml (have: ${[...SHIPPED].sort().join(", ")})`,
    ]);
  });
});

describe("relations between stacks", () => {
  it("an environment whose domain differs from its network stack's", () => {
    const dir = projectWith({ stg: (c) => Object.assign(c, { "k8tre:domain": "example.net", "k8tre:dns": { publicZoneId: ZONE("stg.example.net") } }) });
    expect(problems(dir)).toEqual(['Pulumi.stg.yaml: k8tre:domain: got "example.net"; expected the domain of its network stack network (example.org): the gateway listens for <environment>.example.org']);
  });

  it("two stacks with one environment on a network: both are told", () => {
    const dir = projectWith({ prd: (c) => Object.assign(c, { "k8tre:environment": "stg", "k8tre:dns": { apex: false, publicZoneId: ZONE("example.org") } }) });
    const ps = problems(dir);
    expect(ps).toContainEqual('Pulumi.prd.yaml: k8tre:environment: got "stg"; expected an environment no other stack on network stack network uses (also: stg); both would write the same DNS zone and ArgoCD labels');
    expect(ps).toContainEqual('Pulumi.stg.yaml: k8tre:environment: got "stg"; expected an environment no other stack on network stack network uses (also: prd); both would write the same DNS zone and ArgoCD labels');
  });

  it("a spoke and a listener for an environment no stack has", () => {
    const dir = projectWith({
      network: (c) => {
        c["k8tre:network"].spokes.uat = { subscriptionId: "00000000-0000-0000-0000-000000000006", addressSpace: "10.15.0.0/22", nodeSubnet: "10.15.0.0/23", ingressSubnet: "10.15.2.0/27", endpointSubnet: "10.15.2.64/26" };
      },
      gateway: (c) => c["k8tre:gateway"].listeners.push({ environment: "uat", certificateSecretName: "tls-uat" }),
    });
    expect(problems(dir)).toEqual([
      'Pulumi.gateway.yaml: k8tre:gateway.listeners.3.environment: got "uat"; expected an environment some stack has (dev, lab, mgmt, prd, stg)',
      'Pulumi.network.yaml: k8tre:network.spokes.uat: got "uat"; expected an environment some stack has (dev, lab, mgmt, prd, stg); remove the spoke or add a stack with k8tre:environment: uat',
    ]);
  });

  it("a listener's apex disagrees with its environment's DNS zone", () => {
    const dir = projectWith({ gateway: (c) => (c["k8tre:gateway"].listeners[2].apex = false) });
    expect(problems(dir)).toEqual([
      "Pulumi.gateway.yaml: k8tre:gateway.listeners.2.apex: got false; expected true like stack prd's k8tre:dns.apex (the listener and the environment's DNS zone must agree on example.org)",
    ]);
  });

  it("a CIDR overlap introduced in dev is reported in dev's file (and in the other side's, with its own key)", () => {
    const dir = projectWith({ dev: (c) => Object.assign(c["k8tre:cluster"], { serviceCidr: "172.16.32.0/20", dnsServiceIp: "172.16.32.10" }) });
    expect(problems(dir)).toEqual([
      'Pulumi.dev.yaml: k8tre:cluster.serviceCidr: got "172.16.32.0/20"; expected a range that does not overlap k8tre:cluster.serviceCidr of stack stg (172.16.32.0/20)',
      'Pulumi.stg.yaml: k8tre:cluster.serviceCidr: got "172.16.32.0/20"; expected a range that does not overlap k8tre:cluster.serviceCidr of stack dev (172.16.32.0/20)',
    ]);
  });

  it("one run reports every problem: a per-stack error does not hide a cross-stack one", () => {
    const dir = projectWith({ dev: (c) => Object.assign(c, { "k8tre:bogus": 1, "k8tre:cluster": { ...c["k8tre:cluster"], podCidr: "10.13.0.0/16" } }) });
    const ps = problems(dir);
    expect(ps).toContainEqual("Pulumi.dev.yaml: k8tre:bogus: got 1; expected a known key (see docs/config.md)");
    expect(ps).toContainEqual('Pulumi.dev.yaml: k8tre:cluster.podCidr: got "10.13.0.0/16"; expected a range that does not overlap k8tre:network.spokes.stg.addressSpace of stack network (10.13.0.0/22)');
  });
});

describe("one bad stack file does not block unrelated stacks", () => {
  it("the synth closure of a stack is it and the stacks it references (even from a broken file)", () => {
    const files = readProject(ROOT);
    expect([...stackClosure(files, ["dev"])].sort()).toEqual(["dev", "mgmt", "network"]);
    expect([...stackClosure(files, ["network-lz"])]).toEqual(["network-lz"]);
  });

  it("synth of a stack names other stacks with problems, and fails only for its own", async () => {
    const dir = projectWith({ k3s: (c) => delete c["k8tre:kind"], stg: (c) => (c["k8tre:bogus"] = 1) });
    const err: string[] = [];
    const code = await main(["stg", "--project", dir, "--out", path.join(dir, "out")], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join("\n")).toContain('Invalid configuration for stack "stg" (Pulumi.stg.yaml): 1 problem');
    expect(err.join("\n")).not.toContain('for stack "k3s"');
    expect(err).toContain("Other stacks with problems (not needed here): k3s — npm run synth -- k3s");
  });
});

describe("WAF mode: config and policy accept the same thing", () => {
  const net = () => shipped("gateway") as Record<string, any>;
  const gateway = (patch: Record<string, unknown>) => ({ ...net()["k8tre:gateway"], ...patch });

  it("Detection needs a documented reason and an unprotected stack", () => {
    expect(() => loadStackConfig({ ...net(), "k8tre:protected": false, "k8tre:gateway": gateway({ wafMode: "Detection" }) }, { stack: "gateway" })).toThrow(
      'k8tre:gateway.wafMode: got "Detection"; expected "Prevention" (the mandatory policy waf-policy-prevention refuses Detection), or document a temporary exception in k8tre:gateway.wafDetectionReason (e.g. "tuning false positives until 2026-12-31")',
    );
    expect(() => loadStackConfig({ ...net(), "k8tre:gateway": gateway({ wafMode: "Detection", wafDetectionReason: "tuning false positives until 2026-12-31" }) }, { stack: "gateway" })).toThrow(
      'k8tre:gateway.wafMode: got "Detection"; expected "Prevention" on a protected stack (Detection only logs attacks; the policy waf-policy-prevention requires Prevention in production)',
    );
    const ok = loadStackConfig({ ...net(), "k8tre:protected": false, "k8tre:gateway": gateway({ wafMode: "Detection", wafDetectionReason: "tuning false positives until 2026-12-31" }) }, { stack: "gateway" });
    expect(ok.warnings).toContainEqual(expect.stringContaining("k8tre:gateway.wafMode is Detection (tuning false positives until 2026-12-31)"));
    expect(() => loadStackConfig({ ...net(), "k8tre:gateway": gateway({ wafDetectionReason: "tuning false positives" }) }, { stack: "gateway" })).toThrow(/k8tre:gateway\.wafDetectionReason: .*no value while k8tre:gateway\.wafMode is "Prevention"/);
  });

  it("the policy accepts Detection only with the tag the program writes, and names the config key in its failure", () => {
    expect(POLICY_TAG).toBe(WAF_DETECTION_REASON_TAG);
    const waf = (inputs: Record<string, unknown>) => ({
      resources: [{ type: "azure-native:network:WebApplicationFirewallPolicy", name: "waf", urn: "urn:waf", inputs: { managedRules: { managedRuleSets: [{}] }, ...inputs }, protect: false }],
    }) as any;
    const bare = evaluatePlan(waf({ policySettings: { state: "Enabled", mode: "Detection" } }));
    expect(bare.violations.map((v) => v.message)).toEqual([
      'policySettings.mode must be "Prevention" (found "Detection" without a k8tre-waf-detection-reason tag) — fix: k8tre:gateway.wafMode "Prevention" in the gateway stack (or, on an unprotected stack, k8tre:gateway.wafDetectionReason)',
    ]);
    const tagged = evaluatePlan(waf({ policySettings: { state: "Enabled", mode: "Detection" }, tags: { [WAF_DETECTION_REASON_TAG]: "tuning false positives until 2026-12-31" } }));
    expect(tagged.violations).toEqual([]);
  });

  it("every policy's fix names config keys that exist", () => {
    const withFix = rules.filter((r) => r.fix);
    expect(withFix.map((r) => r.name).sort()).toEqual(["aks-encryption-at-host", "storage-shared-key-disabled", "waf-policy-prevention"]);
    for (const r of withFix) {
      for (const key of r.fix!.match(/k8tre:[A-Za-z.[\]]+/g) ?? []) {
        const [top, ...rest] = key.replace(/^k8tre:/, "").replace(/\[\]/g, "").split(".");
        let schema: any = (TOP_LEVEL_KEYS as any)[top]?.schema;
        expect({ key, top: schema !== undefined }).toEqual({ key, top: true });
        for (const seg of rest) {
          schema = unwrap(schema);
          schema = schema?.shape?.[seg] ?? unwrap(schema?.element)?.shape?.[seg];
          expect({ key, seg, found: schema !== undefined }).toEqual({ key, seg, found: true });
        }
      }
    }
  });
});

function unwrap(s: any): any {
  for (let i = 0; i < 6 && s && !s.shape && !s.element; i++) s = s.def?.innerType ?? s.def?.in ?? s._zod?.def?.innerType ?? s.def?.schema;
  return s;
}
