/**
 * The AWS cluster stacks' config: the shipped files load; a Kubernetes version outside EKS's
 * support calendar, add-on versions not pinned for it, node groups that cannot scale, too many
 * Cilium operators, the account root as admin, and Azure-only keys are each refused before any
 * resource, naming the key, the value and what is expected.
 */
import { eksSupportStatus } from "../../config/eks-versions";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { readProject } from "../../config/project";
import { PROJECT_DIR } from "../helpers/synth";

const TODAY = new Date("2026-11-23T12:00:00Z");

function raw(stack: string): Record<string, any> {
  return structuredClone(readProject(PROJECT_DIR).stacks.find((s) => s.stack === stack)!.raw) as Record<string, any>;
}

function load(r: Record<string, any>, today = TODAY) {
  return loadStackConfig(r, { stack: "aws-test", today });
}

function problems(r: Record<string, any>, today = TODAY): string[] {
  try {
    load(r, today);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.key}: ${JSON.stringify(i.value)} → ${i.expected}`);
  }
  return [];
}

const withEks = (patch: Record<string, unknown>) => {
  const r = raw("aws-dev");
  r["k8tre:eks"] = { ...r["k8tre:eks"], ...patch };
  return r;
};

describe("shipped AWS cluster stacks", () => {
  it.each(["aws-dev", "aws-mgmt"])("%s loads without problems or warnings", (stack) => {
    const loaded = load(raw(stack));
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.eks?.kubernetesVersion).toBe("1.35");
  });
});

describe("EKS support calendar", () => {
  it("classifies versions by date", () => {
    expect(eksSupportStatus("1.35", TODAY).status).toBe("standard");
    expect(eksSupportStatus("1.33", TODAY).status).toBe("extended");
    expect(eksSupportStatus("1.31", new Date("2026-12-01T00:00:00Z")).status).toBe("ended");
    expect(eksSupportStatus("1.29", TODAY).status).toBe("unknown");
  });

  it("refuses a version EKS no longer supports", () => {
    expect(problems(withEks({ kubernetesVersion: "1.31" }), new Date("2026-12-01T00:00:00Z"))).toContain(
      'k8tre:eks.kubernetesVersion: "1.31" → a supported version: 1.31 left EKS extended support on 2026-11-26 (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html)',
    );
  });

  it("refuses a version in extended support unless the operator opts into paying for it", () => {
    expect(problems(withEks({ kubernetesVersion: "1.33" }))).toContain(
      'k8tre:eks.kubernetesVersion: "1.33" → a version in standard support (1.33 left it on 2026-07-29), or k8tre:eks.supportType EXTENDED to pay for extended support',
    );
  });

  it("refuses a version without pinned add-on versions, saying how to fill the row", () => {
    expect(problems(withEks({ kubernetesVersion: "1.34" }))).toEqual([
      'k8tre:eks.kubernetesVersion: "1.34" → a version with pinned EKS add-on versions (1.35); add a row to config/eks-versions.ts from `aws eks describe-addon-versions --kubernetes-version 1.34`',
    ]);
  });

  it("refuses versions unknown to the calendar and unquoted numbers", () => {
    expect(problems(withEks({ kubernetesVersion: "1.29" }))[0]).toMatch(/^k8tre:eks\.kubernetesVersion: "1\.29" → a Kubernetes version in EKS's support calendar \(1\.31, 1\.32, 1\.33, 1\.34, 1\.35;/);
    expect(problems(withEks({ kubernetesVersion: 1.35 }))[0]).toMatch(/^k8tre:eks\.kubernetesVersion: 1\.35 → a Kubernetes minor version as a quoted string/);
  });

  it("warns 90 days before the end of standard support", () => {
    const loaded = load(raw("aws-dev"), new Date("2027-02-01T00:00:00Z"));
    expect(loaded.warnings).toEqual(["k8tre:eks.kubernetesVersion 1.35: standard support ends on 2027-03-27 (54 days); plan the upgrade"]);
  });
});

describe("EKS cluster settings", () => {
  it("refuses the account root as a cluster admin", () => {
    expect(problems(withEks({ adminPrincipalArns: ["arn:aws:iam::111111111111:root"] }))[0]).toMatch(
      /^k8tre:eks\.adminPrincipalArns\.0: "arn:aws:iam::111111111111:root" → an IAM role or user ARN .*not the account root/,
    );
  });

  it("refuses node groups that cannot hold their bounds and warns when they cannot scale", () => {
    const r = withEks({ nodeGroups: [{ name: "system", instanceTypes: ["m7i.xlarge"], minSize: 3, maxSize: 2 }] });
    expect(problems(r)).toContain('k8tre:eks.nodeGroups.0.minSize: 3 → at most k8tre:eks.nodeGroups.0.maxSize (2)');
    const fixed = load(withEks({ nodeGroups: [{ name: "system", instanceTypes: ["t3a.xlarge"], minSize: 2, maxSize: 2 }] }));
    expect(fixed.warnings).toEqual([
      "k8tre:eks.nodeGroups.0: minSize equals maxSize (2); the cluster autoscaler cannot scale node group system",
      "k8tre:eks.nodeGroups.0.instanceTypes: t3a.xlarge are burstable (CPU credits run out under sustained load)",
    ]);
  });

  it("refuses more Cilium operator replicas than the cluster has nodes (the reference's Pending second operator)", () => {
    const r = withEks({ nodeGroups: [{ name: "system", instanceTypes: ["m7i.xlarge"], minSize: 1, maxSize: 3 }], cilium: { operatorReplicas: 2 } });
    expect(problems(r)).toEqual([
      "k8tre:eks.cilium.operatorReplicas: 2 → at most the cluster's minimum node count (1): operator replicas run on distinct nodes, the rest would stay Pending",
    ]);
  });

  it("refuses a CloudWatch retention the API does not accept", () => {
    expect(problems(withEks({ logRetentionDays: 100 }))[0]).toMatch(/^k8tre:eks\.logRetentionDays: 100 → a CloudWatch Logs retention: one of 1, 3, 5/);
  });
});

describe("platform-specific keys", () => {
  it("an AWS management stack needs an OIDC provider, not Entra ID groups", () => {
    const r = raw("aws-mgmt");
    r["k8tre:argocd"] = { ...r["k8tre:argocd"], oidc: undefined, adminGroupObjectIds: ["00000000-0000-0000-0000-00000000a001"] };
    expect(problems(r)).toEqual([
      'k8tre:argocd.oidc: undefined → the OIDC provider ArgoCD signs users in with on AWS (issuer, clientId, adminGroups)',
      'k8tre:argocd.adminGroupObjectIds: ["00000000-0000-0000-0000-00000000a001"] → no value on AWS (Entra ID groups); list admin groups in k8tre:argocd.oidc.adminGroups',
    ]);
  });

  it("Let's Encrypt on AWS needs the public Route53 zone for DNS-01", () => {
    const r = raw("aws-dev");
    r["k8tre:agnostics"] = { certificates: { issuer: "letsencrypt", email: "ops@example.org" } };
    expect(problems(r)).toEqual([
      "k8tre:dns.route53PublicZoneId: undefined → the public Route53 hosted zone ID (e.g. Z0123456789ABCDEFGHIJ) for Let's Encrypt DNS-01 challenges",
    ]);
  });

  it("the secret prefix is a plain path: no wildcards that would widen ESO's IAM scope", () => {
    const r = raw("aws-dev");
    r["k8tre:secrets"] = { backend: "SecretsManager", prefix: "k8tre/*" };
    expect(problems(r)[0]).toMatch(/^k8tre:secrets\.prefix: "k8tre\/\*" → a path prefix such as k8tre\/dev/);
  });

  it("AKS cluster keys are refused on AWS", () => {
    const r = raw("aws-dev");
    r["k8tre:cluster"] = { kubernetesVersion: "1.33" };
    expect(problems(r)[0]).toMatch(/^k8tre:cluster: .* → no value: this key is not used by a environment stack on aws/);
  });
});
