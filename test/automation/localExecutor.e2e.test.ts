/**
 * End-to-end: the real LocalWorkspace executor (Automation API) driving a FAKE `pulumi` executable
 * found on PATH. No real CLI, network or credentials.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../automation/cli";
import { findOnPath } from "../../automation/localExecutor";
import { capture, STANDARD_STACKS, tempDir, writeProject } from "./helpers";

interface Invocation {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

const PROTO = require.resolve("@pulumi/pulumi/proto/events_grpc_pb");

function fakeCli(scenario: Record<string, unknown>) {
  const root = tempDir("fakecli");
  const bin = path.join(root, "bin");
  const stateDir = path.join(root, "state");
  fs.mkdirSync(bin);
  fs.mkdirSync(stateDir);
  const log = path.join(root, "invocations.jsonl");
  fs.writeFileSync(log, "");
  fs.copyFileSync(path.join(__dirname, "fixtures", "fake-pulumi.js"), path.join(bin, "pulumi"));
  fs.chmodSync(path.join(bin, "pulumi"), 0o755);
  fs.writeFileSync(
    path.join(bin, "fake-pulumi.json"),
    JSON.stringify({
      log,
      stateDir,
      scenario,
      eventsGrpc: PROTO,
      eventsPb: require.resolve("@pulumi/pulumi/proto/events_pb"),
      grpc: require.resolve("@grpc/grpc-js", { paths: [path.dirname(PROTO)] }),
    }),
  );
  const invocations = (): Invocation[] =>
    fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l));
  return { bin, stateDir, invocations, path: `${bin}${path.delimiter}${process.env.PATH}` };
}

const flagValue = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];
const ops = (inv: Invocation[]) =>
  inv.filter((i) => ["preview", "up", "refresh", "destroy"].includes(i.argv[0])).map((i) => `${i.argv[0]} ${flagValue(i.argv, "--stack")}`);

describe("LocalWorkspace executor against a fake pulumi CLI", () => {
  it("up dev: previews dependencies, updates only the out-of-date one, streams events, passes policy pack, backend and passphrase", async () => {
    const cli = fakeCli({
      network: { preview: { changes: { same: 3 } } },
      mgmt: { preview: { changes: { update: 1, same: 2 } }, up: { changes: { update: 1, same: 2 } } },
      dev: { up: { changes: { create: 4, same: 1 }, policy: "Key Vault should enable purge protection" }, outputs: { clusterName: { value: "aks-dev", secret: false } } },
    });
    const dir = writeProject({ network: STANDARD_STACKS.network, mgmt: STANDARD_STACKS.mgmt, dev: STANDARD_STACKS.dev });
    fs.mkdirSync(path.join(dir, "policy"));
    fs.writeFileSync(path.join(dir, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\n");
    const io = capture(dir);

    const code = await main(["up", "dev", "--summary-json", "summary.json", "--summary-md", "summary.md"], { PATH: cli.path, PULUMI_CONFIG_PASSPHRASE: "pw" }, io);
    expect(io.err()).toBe("");
    expect(code).toBe(0);

    const inv = cli.invocations();
    // dev starts once network is known good, alongside mgmt (its late reference).
    expect(ops(inv)[0]).toBe("preview network");
    expect(ops(inv).slice(1).sort()).toEqual(["preview mgmt", "up dev", "up mgmt"]);
    expect(inv[0].argv).toEqual(["version"]);
    // Stacks that did not exist were created with the passphrase provider.
    const inits = inv.filter((i) => i.argv[0] === "stack" && i.argv[1] === "init").map((i) => i.argv.slice(2, 5));
    expect(inits.sort()).toEqual([
      ["dev", "--secrets-provider", "passphrase"],
      ["mgmt", "--secrets-provider", "passphrase"],
      ["network", "--secrets-provider", "passphrase"],
    ]);

    const policyDir = path.join(dir, "policy");
    const previewNet = inv.find((i) => i.argv[0] === "preview")!;
    expect(previewNet.cwd).toBe(dir);
    expect(flagValue(previewNet.argv, "--policy-pack")).toBe(policyDir);
    expect(flagValue(previewNet.argv, "--event-log")).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(flagValue(previewNet.argv, "--exec-kind")).toBe("auto.local");
    expect(flagValue(previewNet.argv, "--color")).toBe("never");
    expect(previewNet.argv).toContain("--non-interactive");
    const upDev = inv.find((i) => i.argv[0] === "up" && flagValue(i.argv, "--stack") === "dev")!;
    expect(upDev.argv.slice(0, 3)).toEqual(["up", "--yes", "--skip-preview"]);
    expect(flagValue(upDev.argv, "--policy-pack")).toBe(policyDir);
    for (const i of inv.filter((x) => x.argv[0] !== "version")) {
      expect(i.env).toMatchObject({
        PULUMI_BACKEND_URL: `file://${path.join(dir, ".pulumi-state")}`,
        PULUMI_CONFIG_PASSPHRASE: "pw",
        PULUMI_AUTOMATION_API: "true",
        PULUMI_SKIP_UPDATE_CHECK: "true",
      });
    }
    expect(fs.statSync(path.join(dir, ".pulumi-state")).isDirectory()).toBe(true);

    // Engine events arrived over the gRPC event stream and were streamed with prefixes.
    const out = io.out();
    expect(out).toContain("[dev] + create   azure-native:resources:ResourceGroup create-3\n");
    expect(out).toContain("[dev] policy warning k8tre-policies/keyvault-purge-protection: Key Vault should enable purge protection (kv)\n");
    expect(out).toContain("[mgmt] out of date (1 update, 2 same); running up\n");

    const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
    expect(summary.stacks.map((s: { stack: string; status: string }) => `${s.stack}:${s.status}`)).toEqual(["network:unchanged", "mgmt:succeeded", "dev:succeeded"]);
    expect(summary.stacks[2].changes).toEqual({ create: 4, update: 0, delete: 0, replace: 0, same: 1 });
    expect(summary.stacks[2].outputs).toEqual({ clusterName: "aks-dev" });
    expect(summary.stacks[2].policyViolations).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, "summary.md"), "utf8")).toContain("| `dev` | environment | ✅ succeeded | up | 4 | 0 | 0 | 0 | 1 | ⚠️ 1 |");
  });

  it("a failing update: error lines from the CLI reach the summary, dependants are skipped, exit code 1", async () => {
    const cli = fakeCli({ network: { up: { changes: { create: 1 }, fail: "AKS quota exceeded in uksouth" } } });
    const dir = writeProject({ network: STANDARD_STACKS.network, mgmt: STANDARD_STACKS.mgmt, dev: STANDARD_STACKS.dev, stg: STANDARD_STACKS.stg });
    const io = capture(dir);
    const backend = `file://${tempDir("backend")}`;
    const code = await main(["up", "--all", "--no-policy-pack", "--summary-json", "s.json"], { PATH: cli.path, PULUMI_CONFIG_PASSPHRASE: "pw", PULUMI_BACKEND_URL: backend }, io);
    expect(code).toBe(1);
    const inv = cli.invocations();
    expect(ops(inv)).toEqual(["up network"]);
    expect(inv.some((i) => i.argv.includes("--policy-pack"))).toBe(false);
    expect(inv.filter((i) => i.argv[0] === "up").every((i) => i.env.PULUMI_BACKEND_URL === backend)).toBe(true);
    const s = JSON.parse(fs.readFileSync(path.join(dir, "s.json"), "utf8"));
    const mgmt = s.stacks.find((x: { stack: string }) => x.stack === "network");
    expect(mgmt.status).toBe("failed");
    expect(mgmt.errors[0]).toBe("pulumi up failed for stack network with exit code 255");
    expect(mgmt.errors).toContain("error: AKS quota exceeded in uksouth");
    expect(s.stacks.filter((x: { status: string }) => x.status === "skipped").map((x: { stack: string }) => x.stack)).toEqual(["mgmt", "dev", "stg"]);
  });

  it("destroy and refresh of stacks that were never created do nothing; outputs reads existing stacks", async () => {
    const cli = fakeCli({ network: { outputs: { hubId: { value: "/vnet/hub", secret: false }, key: { value: "k", secret: true } } } });
    const dir = writeProject({ network: { kind: "network" }, dev: { kind: "environment", refs: { network: "network" } } });
    const io = capture(dir);
    const env = { PATH: cli.path, PULUMI_CONFIG_PASSPHRASE: "pw" };
    expect(await main(["destroy", "dev", "--only"], env, io)).toBe(0);
    expect(io.out()).toContain(`[dev] stack "dev" does not exist in the backend file://${path.join(dir, ".pulumi-state")}; nothing to destroy`);
    expect(ops(cli.invocations())).toEqual([]);
    expect(cli.invocations().some((i) => i.argv[1] === "init")).toBe(false);

    expect(await main(["up", "network", "--only"], env, io)).toBe(0);
    const before = cli.invocations().length;
    expect(await main(["outputs", "network", "--only"], env, io)).toBe(0);
    const outputCalls = cli.invocations().slice(before).filter((i) => i.argv[0] === "stack" && i.argv[1] === "output");
    expect(outputCalls.map((i) => i.argv.includes("--show-secrets"))).toEqual([false, true]);
    expect(io.out()).toContain(JSON.stringify({ network: { hubId: "/vnet/hub", key: "[secret]" } }, null, 2));
  });

  it("without a CLI on PATH it explains how to get one (and does not install without --install-cli)", async () => {
    const dir = writeProject({ network: { kind: "network" } });
    const io = capture(dir);
    const emptyPath = tempDir("nopath");
    expect(findOnPath("pulumi", emptyPath)).toBeUndefined();
    expect(await main(["preview", "--all"], { PATH: emptyPath, PULUMI_CONFIG_PASSPHRASE: "pw" }, io)).toBe(2);
    expect(io.err()).toBe(
      "error: the Pulumi CLI is not on PATH. Install v3.270.0 (https://www.pulumi.com/docs/iac/download-install/), " +
        "or re-run with --install-cli to download it (needs access to get.pulumi.com).\n",
    );
  });
});
