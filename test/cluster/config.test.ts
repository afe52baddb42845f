/** Cluster config checks beyond the version: zone redundancy in production, managed Prometheus. */
import * as path from "node:path";
import { ConfigError, formatIssue } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { readStackFile } from "../../config/project";

const ROOT = path.resolve(__dirname, "../..");

function problems(stack: string, patch: Record<string, unknown>): string[] {
  const raw = { ...readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), stack).raw };
  raw["k8tre:cluster"] = { ...(raw["k8tre:cluster"] as Record<string, unknown>), ...patch };
  try {
    loadStackConfig(raw, { stack });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map(formatIssue);
  }
  return [];
}

describe("zone redundancy of protected (production) clusters", () => {
  const prd = readStackFile(path.join(ROOT, "Pulumi.prd.yaml"), "prd").raw["k8tre:cluster"] as Record<string, any>;

  it("passes for the shipped production stacks", () => {
    expect(problems("prd", {})).toEqual([]);
    expect(problems("mgmt", {})).toEqual([]);
  });

  it("refuses a pool that can scale below one node per zone", () => {
    expect(problems("prd", { systemPool: { ...prd.systemPool, minCount: 2 } })).toEqual([
      'k8tre:cluster.systemPool.minCount: got 2; expected at least 3 (one node per zone in ["1","2","3"]) on a protected (production) stack, so losing a zone leaves nodes in the others',
    ]);
  });

  it("refuses a pool in a single zone", () => {
    const p = problems("prd", { userPools: [{ ...prd.userPools[0], zones: ["1"] }] });
    expect(p).toEqual([expect.stringContaining('k8tre:cluster.userPools.0.zones: got ["1"]; expected at least two availability zones on a protected')]);
  });

  it("does not apply to unprotected stacks", () => {
    const dev = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"), "dev").raw["k8tre:cluster"] as Record<string, any>;
    expect(problems("dev", { systemPool: { ...dev.systemPool, minCount: 1, zones: ["1"] } })).toEqual([]);
  });
});

describe("managed Prometheus", () => {
  it("is off by default and refused when switched on without what it needs", () => {
    expect(problems("dev", {})).toEqual([]);
    expect(problems("dev", { monitorMetrics: true })).toEqual([expect.stringContaining("k8tre:cluster.monitorMetrics: got true; expected false: managed Prometheus needs an Azure Monitor workspace, data collection endpoint")]);
  });
});
