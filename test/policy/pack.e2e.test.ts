/**
 * End-to-end: the real pack, started the way the Pulumi CLI's policy analyzer starts a Node.js
 * pack (`@pulumi/pulumi/cmd/run-policy-pack` in the pack directory, TypeScript compiled by
 * ts-node against policy/tsconfig.json), resolving @pulumi/policy from the repository's root
 * node_modules. The test then talks to it over the analyzer gRPC protocol as the engine does.
 * No Pulumi CLI, cloud or network.
 */
import * as grpc from "@grpc/grpc-js";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { TYPES } from "../../policy/rules";

const PACK_DIR = path.resolve(__dirname, "../../policy");
let child: ChildProcess;
let client: analyzerGrpc.AnalyzerClient;
let stderr = "";

beforeAll(async () => {
  child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
  });
  client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 180_000);

afterAll(() => {
  client?.close();
  child?.kill();
});

async function analyze(type: string, props: Record<string, unknown>, protect: boolean) {
  const req = new analyzer.AnalyzeRequest();
  req.setType(type);
  req.setName("r");
  req.setUrn(`urn:pulumi:dev::k8tre::${type}::r`);
  req.setProperties(Struct.fromJavaScript(props as any));
  const opts = new analyzer.AnalyzerResourceOptions();
  opts.setProtect(protect);
  req.setOptions(opts);
  const res = await new Promise<analyzer.AnalyzeResponse>((resolve, reject) => client.analyze(req, (err, r) => (err ? reject(err) : resolve(r))));
  return res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), pack: d.getPolicypackname(), mandatory: d.getEnforcementlevel() === analyzer.EnforcementLevel.MANDATORY, message: d.getMessage() }));
}

it("serves the pack and reports a non-compliant Key Vault's violations as mandatory", async () => {
  const diags = await analyze(TYPES.vault, { properties: { publicNetworkAccess: "Enabled", enablePurgeProtection: false, enableRbacAuthorization: true } }, false);
  expect(diags.map((d) => d.policy).sort()).toEqual(["keyvault-no-public-network-access", "keyvault-purge-protection", "protect-stateful-resources"]);
  expect(diags.every((d) => d.mandatory && d.pack === "k8tre-tre-baseline")).toBe(true);
});

it("passes a compliant, protected Key Vault", async () => {
  const diags = await analyze(TYPES.vault, { properties: { publicNetworkAccess: "Disabled", enablePurgeProtection: true, enableRbacAuthorization: true } }, true);
  expect(diags).toEqual([]);
});

it("reports the advisory encryption-at-host policy as advisory", async () => {
  const cluster = {
    apiServerAccessProfile: { enablePrivateCluster: true },
    disableLocalAccounts: true,
    aadProfile: { managed: true, enableAzureRBAC: true },
    agentPoolProfiles: [{ name: "system", mode: "System" }],
  };
  const diags = await analyze(TYPES.managedCluster, cluster, false);
  expect(diags).toEqual([expect.objectContaining({ policy: "aks-encryption-at-host", mandatory: false })]);
});
