/**
 * The Kubernetes version against the AKS release calendar (config/kubernetes-versions.ts): the
 * loader refuses a minor AKS no longer creates clusters on, unless long-term support is
 * configured the way AKS requires it, and warns within 60 days of the end of support.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, formatIssue } from "../../config/errors";
import { AKS_KUBERNETES_VERSIONS, versionSupport } from "../../config/kubernetes-versions";
import { loadStackConfig } from "../../config/load";
import { readStackFile } from "../../config/project";
import { AKS_KUBERNETES_VERSIONS as REEXPORTED } from "../../components/kubernetes/versions";

const ROOT = path.resolve(__dirname, "../..");
const TODAY = new Date("2026-11-23T19:00:00Z");

function raw(stack: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  const r = { ...readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`), stack).raw };
  r["k8tre:cluster"] = { ...(r["k8tre:cluster"] as Record<string, unknown>), ...patch };
  return r;
}

function load(patch: Record<string, unknown>, today = TODAY, stack = "dev") {
  return loadStackConfig(raw(stack, patch), { stack, today });
}

function problems(patch: Record<string, unknown>, today = TODAY): string[] {
  try {
    load(patch, today);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map(formatIssue);
  }
  throw new Error("expected a ConfigError");
}

describe("the AKS release calendar table", () => {
  it("has one row per minor, each with dates in order and its source", () => {
    const minors = AKS_KUBERNETES_VERSIONS.map((r) => r.minor);
    expect(new Set(minors).size).toBe(minors.length);
    for (const r of AKS_KUBERNETES_VERSIONS) {
      expect(r.source).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/aks\/supported-kubernetes-versions#/);
      expect(Date.parse(`${r.ga}-01`)).toBeLessThan(Date.parse(r.endOfLife));
      if (r.ltsEndOfLife) expect(Date.parse(r.endOfLife)).toBeLessThan(Date.parse(r.ltsEndOfLife));
    }
    expect(REEXPORTED).toBe(AKS_KUBERNETES_VERSIONS); // one table, visible next to the chart pins
  });

  it("counts the last day of support as supported and the next as not", () => {
    expect(versionSupport(AKS_KUBERNETES_VERSIONS, "1.34", new Date("2026-11-30T23:59:00Z"), false).status).toBe("ending");
    expect(versionSupport(AKS_KUBERNETES_VERSIONS, "1.34.1", new Date("2026-12-01T00:00:00Z"), false).status).toBe("lts-only");
    expect(versionSupport(AKS_KUBERNETES_VERSIONS, "1.31", new Date("2026-12-01T00:00:00Z"), true).status).toBe("out-of-support");
  });
});

describe("k8tre:cluster.kubernetesVersion", () => {
  it("every shipped cluster stack pins a minor AKS supports today, outside the warning window", () => {
    const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s);
    const clusters = stacks.filter((s) => readStackFile(path.join(ROOT, `Pulumi.${s}.yaml`), s).raw["k8tre:cluster"]);
    expect(clusters.length).toBeGreaterThanOrEqual(4);
    for (const s of clusters) {
      const loaded = loadStackConfig(readStackFile(path.join(ROOT, `Pulumi.${s}.yaml`), s).raw, { stack: s });
      expect(loaded.warnings.filter((w) => w.includes("kubernetesVersion"))).toEqual([]);
    }
  });

  it("refuses 1.33 on 2026-11-23 without LTS, naming the key, the value, the end date and the fix", () => {
    const p = problems({ kubernetesVersion: "1.33" });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('k8tre:cluster.kubernetesVersion: got "1.33"');
    expect(p[0]).toContain("left it on 2026-07-31");
    expect(p[0]).toContain("AKSLongTermSupport");
    expect(p[0]).toContain("1.34, 1.35, 1.36, 1.37");
  });

  it("accepts 1.33 with long-term support on the Premium tier", () => {
    expect(() => load({ kubernetesVersion: "1.33", supportPlan: "AKSLongTermSupport", skuTier: "Premium" })).not.toThrow();
  });

  it("refuses long-term support without the Premium tier", () => {
    const p = problems({ supportPlan: "AKSLongTermSupport" });
    expect(p).toEqual([expect.stringContaining('k8tre:cluster.skuTier: got "Standard"; expected "Premium"')]);
  });

  it("refuses a minor past its LTS end of life even with LTS", () => {
    const p = problems({ kubernetesVersion: "1.30", supportPlan: "AKSLongTermSupport", skuTier: "Premium" });
    expect(p).toEqual([expect.stringContaining("1.30 long-term support ended on 2026-07-31")]);
  });

  it("refuses a minor the calendar does not list", () => {
    expect(problems({ kubernetesVersion: "1.28" })).toEqual([expect.stringContaining("a minor in the AKS release calendar")]);
  });

  it("warns within 60 days of the end of support, not before", () => {
    const within = load({ kubernetesVersion: "1.34" }).warnings;
    expect(within).toEqual(expect.arrayContaining([expect.stringMatching(/support for 1\.34 ends on 2026-11-30 \(in 7 days\)/)]));
    expect(load({ kubernetesVersion: "1.35" }).warnings.filter((w) => w.includes("kubernetesVersion"))).toEqual([]);
    expect(load({ kubernetesVersion: "1.35" }, new Date("2027-02-01T00:00:00Z")).warnings).toEqual(
      expect.arrayContaining([expect.stringContaining("support for 1.35 ends on 2027-03-31 (in 58 days)")]),
    );
  });

  it("refuses a pinned patch under a channel that upgrades patches, accepts it with channel none", () => {
    expect(problems({ kubernetesVersion: "1.35.2" })).toEqual([expect.stringContaining('a minor version such as "1.35" with k8tre:cluster.autoUpgradeChannel patch')]);
    expect(() => load({ kubernetesVersion: "1.35.2", autoUpgradeChannel: "none" })).not.toThrow();
  });

  it("warns that a minor-upgrading channel owns the version", () => {
    expect(load({ autoUpgradeChannel: "stable" }).warnings).toEqual(expect.arrayContaining([expect.stringContaining("later changes to it are ignored")]));
  });
});
