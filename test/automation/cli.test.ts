import * as fs from "node:fs";
import * as path from "node:path";
import { main, type ExecutorContext } from "../../automation/cli";
import { parseCliArgs } from "../../automation/args";
import { capture, event, FakeExecutor, PASSPHRASE_ENV, STANDARD_STACKS, writeProject, type Script, type StackSpec } from "./helpers";

function setup(scripts: Record<string, Script> = {}, stacks = STANDARD_STACKS) {
  const dir = writeProject(stacks);
  const fake = new FakeExecutor(scripts);
  const contexts: ExecutorContext[] = [];
  const io = capture(dir);
  const run = (argv: string[], env: Record<string, string | undefined> = PASSPHRASE_ENV) =>
    main(argv, env, io, {
      createExecutor: async (ctx) => {
        contexts.push(ctx);
        return fake;
      },
    });
  return { dir, fake, io, run, contexts };
}

const CHANGED = { create: 2, same: 5 };
const UNCHANGED = { same: 7 };

describe("runner: up", () => {
  it("up dev previews its dependencies and updates only the out-of-date ones, in order", async () => {
    const t = setup({ "preview network": { changes: UNCHANGED }, "preview mgmt": { changes: CHANGED }, "up mgmt": { changes: { update: 1, same: 6 } }, "up dev": { changes: { create: 9 } } });
    const code = await t.run(["up", "dev", "--summary-json", "out/summary.json"]);
    expect(code).toBe(0);
    expect(t.fake.sequence()[0]).toBe("preview network");
    expect(t.fake.sequence().slice(1).sort()).toEqual(["preview mgmt", "up dev", "up mgmt"]);
    const json = JSON.parse(fs.readFileSync(path.join(t.dir, "out/summary.json"), "utf8"));
    expect(json.stacks.map((s: { stack: string; role: string; status: string; operations: string[] }) => [s.stack, s.role, s.status, s.operations.join("+")])).toEqual([
      ["network", "dependency", "unchanged", "preview"],
      ["mgmt", "dependency", "succeeded", "preview+up"],
      ["dev", "requested", "succeeded", "up"],
    ]);
    expect(json.stacks[1].changes).toEqual({ create: 0, update: 1, delete: 0, replace: 0, same: 6 });
    expect(t.io.out()).toContain("wave 2: mgmt (dependency), dev (in parallel)");
    expect(t.io.out()).toContain("[network] up to date; skipping up");
    expect(t.io.out()).toContain("[mgmt] out of date (2 create, 5 same); running up");
  });

  it("--only runs just the named stack", async () => {
    const t = setup();
    expect(await t.run(["up", "dev", "--only"])).toBe(0);
    expect(t.fake.sequence()).toEqual(["up dev"]);
  });

  it("--all runs every stack: environments alongside mgmt once network succeeded, within the bound", async () => {
    const t = setup({ "up *": { changes: CHANGED, delayMs: 20 } });
    expect(await t.run(["up", "--all", "--parallel", "2"])).toBe(0);
    const seq = t.fake.sequence();
    expect(seq[0]).toBe("up network");
    expect(seq.slice(1).sort()).toEqual(["up dev", "up mgmt", "up prd", "up stg"]);
    expect(t.fake.maxInFlight).toBe(2);
    const network = t.fake.calls.find((c) => c.stack === "network")!;
    for (const s of ["mgmt", "dev", "stg", "prd"]) expect(t.fake.calls.find((c) => c.stack === s)!.start).toBeGreaterThan(network.end);
    // Nothing deferred: no late pass; the environments' management stack was made to exist first.
    expect(t.fake.ensured.sort()).toEqual(["mgmt", "mgmt", "mgmt"]);
  });

  it("runs an environment's late pass after mgmt, targeted at what its main pass deferred", async () => {
    const deferred = { value: [{ what: "argocd-registration", reason: "no outputs yet", targets: ["**::argocd-registration*"] }], secret: false };
    const t = setup({ "up *": { delayMs: 10 }, "up dev": { outputs: { deferred } }, "up mgmt": { delayMs: 40 }, "up dev late": { outputs: {} } });
    expect(await t.run(["up", "--all", "--summary-json", "s.json"])).toBe(0);
    const mgmt = t.fake.calls.find((c) => c.stack === "mgmt")!;
    const devCalls = t.fake.calls.filter((c) => c.stack === "dev");
    expect(devCalls.map((c) => c.targets)).toEqual([undefined, ["**::argocd-registration*"]]);
    expect(devCalls[0].start).toBeLessThan(mgmt.end);
    expect(devCalls[1].start).toBeGreaterThan(mgmt.end);
    expect(t.fake.calls.filter((c) => c.targets).map((c) => c.stack)).toEqual(["dev"]);
    const json = JSON.parse(fs.readFileSync(path.join(t.dir, "s.json"), "utf8"));
    const dev = json.stacks.find((s: { stack: string }) => s.stack === "dev");
    expect(dev.latePass).toMatchObject({ status: "succeeded", targets: ["**::argocd-registration*"] });
    expect(json.stacks.find((s: { stack: string }) => s.stack === "stg").latePass).toMatchObject({ status: "unchanged" });
  });

  it("fails a late pass whose stack still defers, and skips late passes when mgmt fails", async () => {
    const deferred = { value: [{ what: "argocd-registration", reason: "no outputs yet", targets: ["**::x"] }], secret: false };
    const t = setup({ "up dev": { outputs: { deferred } } });
    expect(await t.run(["up", "dev"])).toBe(1);
    const t2 = setup({ "up mgmt": { fail: "mgmt broke" } });
    expect(await t2.run(["up", "--all", "--summary-json", "s.json"])).toBe(1);
    const json = JSON.parse(fs.readFileSync(path.join(t2.dir, "s.json"), "utf8"));
    expect(json.stacks.find((s: { stack: string }) => s.stack === "dev")).toMatchObject({ status: "succeeded", latePass: { status: "skipped" } });
  });

  it("--parallel 3 lets all three environments run at once", async () => {
    const t = setup({ "up *": { delayMs: 20 } });
    expect(await t.run(["up", "--all", "--parallel", "3"])).toBe(0);
    expect(t.fake.maxInFlight).toBe(3);
  });

  it("a failing stack skips its dependants, reports them, and exits 1", async () => {
    const t = setup({ "up network": { fail: "pulumi up failed for stack network with exit code 255", events: [event({ diagnosticEvent: { message: "<{%fg 1%}>error: AKS quota exceeded<{%reset%}>\n", color: "raw", severity: "error" } })] } });
    const code = await t.run(["up", "--all", "--summary-md", "summary.md", "--summary-json", "summary.json"]);
    expect(code).toBe(1);
    expect(t.fake.sequence()).toEqual(["up network"]);
    const json = JSON.parse(fs.readFileSync(path.join(t.dir, "summary.json"), "utf8"));
    expect(json.ok).toBe(false);
    const byName = Object.fromEntries(json.stacks.map((s: { stack: string }) => [s.stack, s]));
    expect(byName.network.status).toBe("failed");
    expect(byName.network.errors).toEqual(["pulumi up failed for stack network with exit code 255", "error: AKS quota exceeded", "error: something broke"]);
    for (const env of ["mgmt", "dev", "stg", "prd"]) {
      expect(byName[env]).toMatchObject({ status: "skipped", note: "not run: its dependency network did not succeed", operations: [] });
    }
    const md = fs.readFileSync(path.join(t.dir, "summary.md"), "utf8");
    expect(md).toContain("### ❌ K8TRE `up`: 1 failed, 4 skipped");
    expect(md).toContain("<details><summary><code>network</code>: pulumi up failed for stack network with exit code 255</summary>");
    expect(t.io.out()).toContain("[dev] skipped: not run: its dependency network did not succeed");
    expect(t.io.out()).toContain("up did not succeed: network failed, mgmt skipped, dev skipped, prd skipped, stg skipped");
  });

  it("a failing independent stack does not stop the others", async () => {
    const stacks = { ...STANDARD_STACKS, k3s: { kind: "environment", refs: { network: "network" } } };
    const t = setup({ "up mgmt": { fail: "mgmt broke" } }, stacks);
    expect(await t.run(["up", "--all"])).toBe(1);
    expect(t.fake.sequence()[0]).toBe("up network");
    expect(t.fake.sequence().slice(1).sort()).toEqual(["up dev", "up k3s", "up mgmt", "up prd", "up stg"]);
  });

  it("streams engine events with a [stack] prefix and prints progress lines", async () => {
    const t = setup({
      "preview dev": {
        events: [
          event({ resourcePreEvent: { metadata: { op: "create", urn: "urn:pulumi:dev::k8tre::azure-native:resources:ResourceGroup::rg-dev", type: "azure-native:resources:ResourceGroup", provider: "" } } }),
          event({ resourcePreEvent: { metadata: { op: "same", urn: "urn:pulumi:dev::k8tre::pulumi:pulumi:Stack::k8tre-dev", type: "pulumi:pulumi:Stack", provider: "" } } }),
          event({ diagnosticEvent: { message: "deprecated field\n", color: "raw", severity: "warning" } }),
        ],
        changes: { create: 1, same: 1 },
      },
    });
    expect(await t.run(["preview", "dev", "--only"])).toBe(0);
    const out = t.io.out();
    expect(out).toContain("[dev] preview started\n");
    expect(out).toContain("[dev] + create   azure-native:resources:ResourceGroup rg-dev\n");
    expect(out).not.toContain("k8tre-dev\n"); // unchanged resources are not streamed
    expect(out).toContain("[dev] warning: deprecated field\n");
    expect(out).toContain("[dev] summary: 1 create, 1 same in 1s\n");
    expect(out).toContain("[progress] 0/1 done · running: dev · ok 0 · failed 0 · skipped 0\n");
    expect(out).toContain("[progress] 1/1 done · running: none · ok 1 · failed 0 · skipped 0\n");
  });
});

describe("runner: preview, refresh, outputs", () => {
  it("preview of a stack previews its dependencies too and never updates", async () => {
    const t = setup({ "preview *": { changes: CHANGED } });
    expect(await t.run(["preview", "stg"])).toBe(0);
    expect(t.fake.sequence()).toEqual(["preview network", "preview mgmt", "preview stg"]);
  });

  it("passes the default policy pack when ./policy is a policy pack, and an explicit one otherwise", async () => {
    const t = setup();
    fs.mkdirSync(path.join(t.dir, "policy"));
    fs.writeFileSync(path.join(t.dir, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\n");
    expect(await t.run(["preview", "network"])).toBe(0);
    expect(t.contexts[0].policyPacks).toEqual([path.join(t.dir, "policy")]);
    expect(await t.run(["preview", "network", "--no-policy-pack"])).toBe(0);
    expect(t.contexts[1].policyPacks).toEqual([]);
    expect(await t.run(["preview", "network", "--policy-pack", "missing"])).toBe(2);
    expect(t.io.err()).toContain(`error: --policy-pack missing: ${path.join(t.dir, "missing")} has no PulumiPolicy.yaml`);
  });

  it("records policy violations per stack in both summaries", async () => {
    const t = setup({
      "preview dev": {
        changes: CHANGED,
        events: [
          event({
            policyEvent: {
              resourceUrn: "urn:pulumi:dev::k8tre::azure-native:keyvault:Vault::kv-dev",
              message: "Key Vault must enable purge protection | see ADR",
              color: "raw",
              policyName: "keyvault-purge-protection",
              policyPackName: "k8tre",
              policyPackVersion: "0.1.0",
              policyPackVersionTag: "v0.1.0",
              enforcementLevel: "warning",
            },
          }),
        ],
      },
    });
    expect(await t.run(["preview", "dev", "--only", "--summary-md", "s.md", "--summary-json", "s.json"])).toBe(0);
    const md = fs.readFileSync(path.join(t.dir, "s.md"), "utf8");
    expect(md).toContain("| `dev` | warning | `k8tre/keyvault-purge-protection` | kv-dev | Key Vault must enable purge protection \\| see ADR |");
    const json = JSON.parse(fs.readFileSync(path.join(t.dir, "s.json"), "utf8"));
    expect(json.stacks[0].policyViolations).toEqual([
      { policyPack: "k8tre", policy: "keyvault-purge-protection", enforcementLevel: "warning", message: "Key Vault must enable purge protection | see ADR", resourceUrn: "urn:pulumi:dev::k8tre::azure-native:keyvault:Vault::kv-dev" },
    ]);
  });

  it("refresh runs dependencies first", async () => {
    const t = setup();
    expect(await t.run(["refresh", "prd"])).toBe(0);
    expect(t.fake.sequence()).toEqual(["refresh network", "refresh mgmt", "refresh prd"]);
  });

  it("outputs prints JSON with secrets masked unless --show-secrets", async () => {
    const outputs = { vnetId: { value: "/subscriptions/x/vnet", secret: false }, kubeconfig: { value: "apiVersion: v1", secret: true } };
    const t = setup({ "outputs network": { outputs } });
    expect(await t.run(["outputs", "network", "--summary-json", "o.json"])).toBe(0);
    expect(t.io.out()).toContain(JSON.stringify({ network: { vnetId: "/subscriptions/x/vnet", kubeconfig: "[secret]" } }, null, 2));
    expect(fs.readFileSync(path.join(t.dir, "o.json"), "utf8")).not.toContain("apiVersion: v1");
    const t2 = setup({ "outputs network": { outputs } });
    expect(await t2.run(["outputs", "network", "--show-secrets"])).toBe(0);
    expect(t2.io.out()).toContain('"kubeconfig": "apiVersion: v1"');
  });
});

describe("runner: destroy", () => {
  it("destroys dependants before their dependencies", async () => {
    const t = setup({}, { ...STANDARD_STACKS, network: { kind: "network" }, mgmt: { kind: "management", refs: { network: "network" } }, prd: { kind: "environment", refs: { network: "network", management: "mgmt" } } });
    expect(await t.run(["destroy", "--all", "--parallel", "1"])).toBe(0);
    expect(t.fake.sequence()).toEqual(["destroy stg", "destroy prd", "destroy dev", "destroy mgmt", "destroy network"]);
  });

  it("destroy of a stack pulls in its dependants; --only does not", async () => {
    const stacks = { network: { kind: "network" }, mgmt: { kind: "management", refs: { network: "network" } }, dev: { kind: "environment", refs: { management: "mgmt" } } };
    const t = setup({}, stacks);
    expect(await t.run(["destroy", "mgmt"])).toBe(0);
    expect(t.fake.sequence()).toEqual(["destroy dev", "destroy mgmt"]);
    const t2 = setup({}, stacks);
    expect(await t2.run(["destroy", "mgmt", "--only"])).toBe(0);
    expect(t2.fake.sequence()).toEqual(["destroy mgmt"]);
  });

  it("refuses protected stacks without running anything or needing a CLI or passphrase", async () => {
    const t = setup();
    const code = await t.run(["destroy", "dev", "prd", "--summary-json", "d.json"], {});
    expect(code).toBe(1);
    expect(t.fake.calls).toEqual([]);
    expect(t.contexts).toEqual([]);
    expect(t.io.out()).toContain("refusing to destroy protected stack(s) prd (k8tre:protected: true); pass --allow-protected to override");
    const json = JSON.parse(fs.readFileSync(path.join(t.dir, "d.json"), "utf8"));
    expect(json.stacks.map((s: { stack: string; status: string }) => `${s.stack}:${s.status}`)).toEqual(["prd:refused", "dev:skipped"]);
  });

  it("--allow-protected destroys protected stacks", async () => {
    const t = setup();
    expect(await t.run(["destroy", "prd", "--allow-protected"])).toBe(0);
    expect(t.fake.sequence()).toEqual(["destroy prd"]);
  });

  it("a failed destroy keeps the stacks it references", async () => {
    const t = setup({ "destroy dev": { fail: "dev destroy failed" } }, { network: { kind: "network" }, dev: { kind: "environment", refs: { network: "network" } } });
    expect(await t.run(["destroy", "--all"])).toBe(1);
    expect(t.fake.sequence()).toEqual(["destroy dev"]);
    expect(t.io.out()).toContain("[network] skipped: not run: its dependant dev did not succeed");
  });
});

describe("runner: setup errors", () => {
  it("fails early and clearly without a passphrase", async () => {
    const t = setup();
    expect(await t.run(["preview", "--all"], {})).toBe(2);
    expect(t.io.err()).toBe(
      "error: stacks network, mgmt, dev, prd, stg use the passphrase secrets provider: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE\n",
    );
    expect(t.fake.calls).toEqual([]);
  });

  it("treats an empty passphrase as missing and explains why", async () => {
    const t = setup();
    expect(await t.run(["up", "dev", "--only"], { PULUMI_CONFIG_PASSPHRASE: "" })).toBe(2);
    expect(t.io.err()).toBe(
      "error: stack dev uses the passphrase secrets provider: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE " +
        "(PULUMI_CONFIG_PASSPHRASE is empty: in GitHub Actions an unset secret expands to an empty string)\n",
    );
  });

  it("accepts a readable passphrase file and rejects an unreadable one", async () => {
    const t = setup();
    const file = path.join(t.dir, "pass.txt");
    fs.writeFileSync(file, "secret\n");
    expect(await t.run(["preview", "network"], { PULUMI_CONFIG_PASSPHRASE_FILE: file })).toBe(0);
    expect(await t.run(["preview", "network"], { PULUMI_CONFIG_PASSPHRASE_FILE: path.join(t.dir, "nope") })).toBe(2);
    expect(t.io.err()).toContain(`PULUMI_CONFIG_PASSPHRASE_FILE is set to ${path.join(t.dir, "nope")}, which cannot be read`);
  });

  it("needs no passphrase for stacks with another secrets provider", async () => {
    const t = setup({}, { network: { kind: "network", topLevel: "secretsprovider: azurekeyvault://kv.vault.azure.net/keys/k" } });
    expect(await t.run(["preview", "--all"], {})).toBe(0);
  });

  it("defaults the backend to <project>/.pulumi-state and creates it; PULUMI_BACKEND_URL wins", async () => {
    const t = setup();
    expect(await t.run(["preview", "network"], { PULUMI_CONFIG_PASSPHRASE: "x" })).toBe(0);
    expect(t.contexts[0].backendUrl).toBe(`file://${path.join(t.dir, ".pulumi-state")}`);
    expect(fs.statSync(path.join(t.dir, ".pulumi-state")).isDirectory()).toBe(true);
    expect(await t.run(["preview", "network"], { PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_BACKEND_URL: "azblob://state?storage_account=k8tre" })).toBe(0);
    expect(t.contexts[1].backendUrl).toBe("azblob://state?storage_account=k8tre");
    expect(t.io.out()).toContain("backend: azblob://state?storage_account=k8tre\n");
  });

  it("reports graph errors and unknown stacks with exit code 2", async () => {
    const t = setup({}, { network: { kind: "network" }, dev: { kind: "environment", refs: { management: "mgmt" } } });
    expect(await t.run(["preview", "--all"])).toBe(2);
    expect(t.io.err()).toContain('error: Pulumi.dev.yaml: k8tre:stackRefs.management refers to stack "mgmt"');
    const t2 = setup();
    expect(await t2.run(["up", "qa"])).toBe(2);
    expect(t2.io.err()).toBe('error: unknown stack "qa" (known stacks: network, mgmt, dev, prd, stg)\n');
  });

  it("appends the Markdown summary to $GITHUB_STEP_SUMMARY", async () => {
    const t = setup({ "preview *": { changes: CHANGED } });
    const stepSummary = path.join(t.dir, "step-summary.md");
    fs.writeFileSync(stepSummary, "# earlier step\n");
    expect(await t.run(["preview", "network"], { ...PASSPHRASE_ENV, GITHUB_STEP_SUMMARY: stepSummary })).toBe(0);
    const text = fs.readFileSync(stepSummary, "utf8");
    expect(text.startsWith("# earlier step\n<!-- k8tre-deploy:preview -->\n### ✅ K8TRE `preview`: 1 succeeded")).toBe(true);
  });

  it("prints usage errors with exit code 2 and help with exit code 0", async () => {
    const t = setup();
    expect(await t.run(["deploy"])).toBe(2);
    expect(t.io.err()).toContain('error: unknown command "deploy" (expected one of preview, up, refresh, destroy, outputs, plan)');
    expect(await t.run(["--help"])).toBe(0);
    expect(t.io.out()).toContain("Usage: npm run deploy -- <command> [stack ...] [options]");
  });
});

describe("parseCliArgs", () => {
  it("parses options", () => {
    expect(parseCliArgs(["up", "dev", "stg", "--only", "--parallel", "4", "--policy-pack", "a", "--policy-pack", "b", "--install-cli"])).toMatchObject({
      help: false,
      command: "up",
      stacks: ["dev", "stg"],
      only: true,
      parallel: 4,
      policyPacks: ["a", "b"],
      installCli: true,
    });
    expect(parseCliArgs(["preview", "--all"])).toMatchObject({ stacks: [], all: true, only: false, parallel: "auto", policyPacks: undefined, noPolicyPack: false });
    expect(parseCliArgs(["plan", "--json"])).toMatchObject({ command: "plan", stacks: [], json: true });
  });

  it.each([
    [["up", "--parallel", "0"], '--parallel must be a positive integer, got "0"'],
    [["up", "--parallel", "two"], '--parallel must be a positive integer, got "two"'],
    [["up", "--only"], "--only needs at least one stack name"],
    [["up", "dev", "--allow-protected"], "--allow-protected only applies to destroy"],
    [["preview", "--show-secrets"], "--show-secrets only applies to outputs"],
    [["preview", "--policy-pack", "p", "--no-policy-pack"], "--policy-pack and --no-policy-pack cannot be combined"],
    [["up", "dev", "dev"], "stack named twice: dev"],
    [[], "missing command"],
    [["up", "--frobnicate"], "Unknown option '--frobnicate'"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCliArgs(argv as string[])).toThrow(message);
  });
});

describe("runner: choosing stacks and plan", () => {
  const withExamples = { ...STANDARD_STACKS, "network-lz": { kind: "network", example: true }, k3s: { kind: "environment", refs: { network: "network-lz" }, example: true } } as Record<string, StackSpec>;

  it("refuses up without stack names or --all, before anything runs", async () => {
    const t = setup();
    expect(await t.run(["up"])).toBe(2);
    expect(t.io.err()).toContain("name the stacks to up (e.g. `npm run deploy -- up dev`), or pass --all for every stack except the examples");
    expect(t.contexts).toEqual([]);
  });

  it("--all never deploys example stacks; an example runs only when named, and is never pulled in", async () => {
    const t = setup({}, withExamples);
    expect(await t.run(["up", "--all"])).toBe(0);
    expect(t.fake.sequence().some((x) => /network-lz|k3s/.test(x))).toBe(false);
    expect(await t.run(["up", "k3s"])).toBe(2);
    expect(t.io.err()).toContain("network-lz is an example stack (k8tre:example: true in Pulumi.network-lz.yaml) that k3s depends on; name it to include it");
    expect(await t.run(["up", "network-lz", "k3s"])).toBe(0);
  });

  it("plan prints waves, parallel passes and late passes without any executor; --json for tools", async () => {
    const t = setup({}, withExamples);
    expect(await t.run(["plan"], {})).toBe(0);
    expect(t.io.out()).toContain("up: 8 passes in 3 waves, up to 4 at once");
    expect(t.io.out()).toContain("wave 2: mgmt, dev, prd, stg (in parallel)");
    expect(t.io.out()).toContain("wave 3: dev (late pass), prd (late pass), stg (late pass) (in parallel)");
    expect(t.io.out()).not.toContain("k3s");
    expect(t.contexts).toEqual([]);
    const t2 = setup({}, withExamples);
    expect(await t2.run(["plan", "dev", "--json"], {})).toBe(0);
    const doc = JSON.parse(t2.io.out());
    expect(doc.units.map((u: { id: string }) => u.id)).toEqual(["network", "mgmt", "dev", "dev:late"]);
    expect(doc.units.find((u: { id: string }) => u.id === "dev:late").waitsFor).toEqual(["dev", "mgmt"]);
    expect(doc.parallel).toBe(2);
  });
});
