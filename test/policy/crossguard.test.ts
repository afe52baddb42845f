/**
 * The CrossGuard adapter (policy/policies.ts): the pack's policies run the same rules with the
 * arguments CrossGuard passes (props, opts.protect, the SDK's unknown-checking proxy).
 * `policy/index.ts` itself only calls `new PolicyPack`, which starts the analyzer gRPC server,
 * so it is exercised by `pulumi preview --policy-pack policy`, not here.
 */
import { type ResourceValidationArgs, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import * as fs from "node:fs";
import * as path from "node:path";
import { crossGuardPolicies, toCrossGuardPolicy, toPolicyResource } from "../../policy/policies";
import { PACK_NAME, ruleByName, rules, TYPES } from "../../policy/rules";

function args(type: string, props: Record<string, any>, protect = false): ResourceValidationArgs {
  return {
    type,
    props: unknownCheckingProxy(props),
    urn: `urn:pulumi:dev::k8tre::${type}::r`,
    name: "r",
    opts: { protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

async function validate(policyName: string, a: ResourceValidationArgs): Promise<string[]> {
  const policy = crossGuardPolicies().find((p) => p.name === policyName);
  if (!policy || !("validateResource" in policy)) throw new Error(`no CrossGuard resource policy ${policyName}`);
  const messages: string[] = [];
  const fns = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const fn of fns) await fn(a, (m) => messages.push(m));
  return messages;
}

describe("CrossGuard pack", () => {
  it("registers every rule except the synth-only plaintext-secrets scan, with its level", () => {
    const policies = crossGuardPolicies();
    expect(policies.map((p) => p.name)).toEqual(rules.filter((r) => r.name !== "no-plaintext-secrets").map((r) => r.name));
    for (const p of policies) expect(p.enforcementLevel).toBe(ruleByName(p.name).enforcementLevel);
  });

  it("reports violations of a Key Vault and passes a compliant one", async () => {
    const open = { properties: { publicNetworkAccess: "Enabled", enablePurgeProtection: false, enableRbacAuthorization: true } };
    expect(await validate("keyvault-no-public-network-access", args(TYPES.vault, open))).toEqual([expect.stringContaining('found "Enabled"')]);
    expect(await validate("keyvault-purge-protection", args(TYPES.vault, open))).toEqual(["properties.enablePurgeProtection must be true (found false)"]);
    const ok = { properties: { publicNetworkAccess: "Disabled", enablePurgeProtection: true, enableRbacAuthorization: true } };
    expect(await validate("keyvault-no-public-network-access", args(TYPES.vault, ok))).toEqual([]);
  });

  it("runs diagnostics-to-log-analytics over the whole stack, reporting the unlogged vault by URN", async () => {
    const policy = crossGuardPolicies().find((p) => p.name === "diagnostics-to-log-analytics");
    if (!policy || !("validateStack" in policy)) throw new Error("diagnostics-to-log-analytics is not a stack policy");
    const res = (type: string, name: string, props: Record<string, any>) => ({ ...args(type, props), urn: `urn:${name}`, name, isType: () => false, asType: () => undefined });
    const vaults = [res(TYPES.vault, "logged", { vaultName: "kv-a" }), res(TYPES.vault, "silent", { vaultName: "kv-b" })];
    const setting = res("azure-native:monitor:DiagnosticSetting", "s", {
      resourceUri: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-a",
      workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log",
      logs: [{ category: "AuditEvent", enabled: true }],
    });
    const reported: Array<[string, string | undefined]> = [];
    await policy.validateStack({ resources: [...vaults, setting] as any, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: (r?: string): never => { throw new Error(r); } }, (m, urn) => reported.push([m, urn]));
    expect(reported).toEqual([[expect.stringContaining("no diagnostic setting"), "urn:silent"]]);
  });

  it("reads protect from the resource options", async () => {
    expect(await validate("protect-stateful-resources", args(TYPES.storageAccount, {}, false))).toHaveLength(1);
    expect(await validate("protect-stateful-resources", args(TYPES.storageAccount, {}, true))).toEqual([]);
  });

  it("ignores resources of other types", async () => {
    expect(await validate("aks-local-accounts-disabled", args(TYPES.vault, { disableLocalAccounts: false }))).toEqual([]);
  });

  it("lets the SDK's UnknownValueError through during preview (CrossGuard reports it as advisory)", async () => {
    // The sentinel the SDK puts in props for an unknown boolean (not exported from the index).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownBooleanValue } = require("@pulumi/policy/proxy") as { unknownBooleanValue: string };
    await expect(validate("aks-local-accounts-disabled", args(TYPES.managedCluster, { disableLocalAccounts: unknownBooleanValue }))).rejects.toBeInstanceOf(UnknownValueError);
  });

  it("builds the rule's resource from validation args (canonical type, protect)", () => {
    const r = toPolicyResource({ type: "azure-native:storage/v20250101:StorageAccount", name: "st", urn: "u", props: { kind: "StorageV2" }, opts: { protect: true } as any });
    expect(r).toEqual({ type: TYPES.storageAccount, name: "st", urn: "u", inputs: { kind: "StorageV2" }, protect: true });
    expect(toCrossGuardPolicy(ruleByName("helm-chart-pinned")).description).toContain("SATRE");
  });

  it("ships a loadable pack: PulumiPolicy.yaml, package.json pinned like the project", () => {
    const dir = path.resolve(__dirname, "../../policy");
    expect(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.resolve(dir, "../package.json"), "utf8"));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/); // PolicyPack refuses a package.json without a version
    for (const dep of ["@pulumi/policy", "@pulumi/pulumi"]) expect(pkg.dependencies[dep]).toBe(root.dependencies[dep]);
    expect(fs.readFileSync(path.join(dir, "index.ts"), "utf8")).toContain("new PolicyPack(PACK_NAME");
    expect(PACK_NAME).toBe("k8tre-tre-baseline");
  });
});
