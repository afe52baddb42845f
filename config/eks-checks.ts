/**
 * Semantic checks of the AWS cluster stacks (management and environment on EKS): the
 * Kubernetes version against EKS's support calendar and the pinned add-on table, node group
 * bounds that let the autoscaler scale, Cilium operator replicas that fit the nodes, and the
 * platform-specific parts of `k8tre:dns`, `k8tre:argocd` and `k8tre:agnostics`. Pure; called by
 * config/load.ts before any resource is declared.
 */
import { EKS_ADDON_VERSIONS, EKS_VERSION_SOURCE, EKS_VERSIONS, eksMinor, eksSupportStatus } from "./eks-versions";
import type { ConfigIssue } from "./errors";
import type { StackConfig } from "./schema";

const keyOf = (k: string) => `k8tre:${k}`;

/** Warn this many days before the end of standard support. */
export const SUPPORT_WARNING_DAYS = 90;

export function eksChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[], today: Date): void {
  if (c.kind !== "network" && !c.stackRefs.network) {
    issues.push({ key: keyOf("stackRefs.network"), value: undefined, expected: "the AWS network stack this cluster reads its VPC, subnets and zones from (e.g. aws-network)" });
  }
  if (c.eks) eksConfigChecks(c, issues, warnings, today);
  if (c.dns?.publicZoneId) {
    issues.push({ key: keyOf("dns.publicZoneId"), value: c.dns.publicZoneId, expected: "no value on AWS (an Azure DNS zone ID); use k8tre:dns.route53PublicZoneId" });
  }
  const a = c.agnostics;
  if (a?.enabled) {
    if (a.secretStore) {
      issues.push({ key: keyOf("agnostics.secretStore"), value: a.secretStore, expected: "no value on AWS: the store's backend is k8tre:secrets.backend (SecretsManager or ParameterStore)" });
    }
    if (a.metallbAddressPool || a.kareDnsIp) {
      issues.push({ key: keyOf("agnostics.metallbAddressPool"), value: a.metallbAddressPool ?? a.kareDnsIp, expected: "no value on AWS (MetalLB and kare-dns are k3s only)" });
    }
    if (a.certificates.issuer === "letsencrypt" && !c.dns?.route53PublicZoneId) {
      issues.push({ key: keyOf("dns.route53PublicZoneId"), value: undefined, expected: "the public Route53 hosted zone ID (e.g. Z0123456789ABCDEFGHIJ) for Let's Encrypt DNS-01 challenges" });
    }
  }
  if (c.argocd) {
    if (!c.argocd.oidc) {
      issues.push({ key: keyOf("argocd.oidc"), value: undefined, expected: "the OIDC provider ArgoCD signs users in with on AWS (issuer, clientId, adminGroups)" });
    }
    if (c.argocd.adminGroupObjectIds) {
      issues.push({ key: keyOf("argocd.adminGroupObjectIds"), value: c.argocd.adminGroupObjectIds, expected: "no value on AWS (Entra ID groups); list admin groups in k8tre:argocd.oidc.adminGroups" });
    }
  }
}

function eksConfigChecks(c: StackConfig, issues: ConfigIssue[], warnings: string[], today: Date): void {
  const e = c.eks!;
  const version = e.kubernetesVersion;
  const status = eksSupportStatus(version, today);
  const known = Object.keys(EKS_VERSIONS).join(", ");
  switch (status.status) {
    case "unknown":
      issues.push({ key: keyOf("eks.kubernetesVersion"), value: version, expected: `a Kubernetes version in EKS's support calendar (${known}; ${EKS_VERSION_SOURCE}); add a newer one to config/eks-versions.ts` });
      break;
    case "ended":
      issues.push({ key: keyOf("eks.kubernetesVersion"), value: version, expected: `a supported version: ${version} left EKS extended support on ${status.window.endOfExtendedSupport} (${EKS_VERSION_SOURCE})` });
      break;
    case "extended":
      if (e.supportType !== "EXTENDED") {
        issues.push({ key: keyOf("eks.kubernetesVersion"), value: version, expected: `a version in standard support (${version} left it on ${status.window.endOfStandardSupport}), or k8tre:eks.supportType EXTENDED to pay for extended support` });
      } else {
        warnings.push(`k8tre:eks.kubernetesVersion ${version} is in EKS extended support (extra cost per cluster hour) until ${status.window.endOfExtendedSupport}; plan the upgrade`);
      }
      break;
    case "standard":
      if (status.daysLeft < SUPPORT_WARNING_DAYS) {
        warnings.push(`k8tre:eks.kubernetesVersion ${version}: standard support ends on ${status.window.endOfStandardSupport} (${status.daysLeft} days); plan the upgrade`);
      }
      break;
  }
  if (status.status !== "unknown" && !EKS_ADDON_VERSIONS[eksMinor(version)]) {
    issues.push({
      key: keyOf("eks.kubernetesVersion"),
      value: version,
      expected: `a version with pinned EKS add-on versions (${Object.keys(EKS_ADDON_VERSIONS).join(", ")}); add a row to config/eks-versions.ts from \`aws eks describe-addon-versions --kubernetes-version ${eksMinor(version)}\``,
    });
  }

  const names = new Set<string>();
  e.nodeGroups.forEach((ng, i) => {
    const base = `eks.nodeGroups.${i}`;
    if (names.has(ng.name)) issues.push({ key: keyOf(`${base}.name`), value: ng.name, expected: "a unique node group name" });
    names.add(ng.name);
    if (ng.minSize > ng.maxSize) issues.push({ key: keyOf(`${base}.minSize`), value: ng.minSize, expected: `at most k8tre:${base}.maxSize (${ng.maxSize})` });
    else if (ng.minSize === ng.maxSize) warnings.push(`k8tre:${base}: minSize equals maxSize (${ng.maxSize}); the cluster autoscaler cannot scale node group ${ng.name}`);
    if (ng.desiredSize !== undefined && (ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize)) {
      issues.push({ key: keyOf(`${base}.desiredSize`), value: ng.desiredSize, expected: `a size from minSize (${ng.minSize}) to maxSize (${ng.maxSize})` });
    }
    const burstable = ng.instanceTypes.filter((t) => /^t\d/.test(t));
    if (burstable.length) warnings.push(`k8tre:${base}.instanceTypes: ${burstable.join(", ")} are burstable (CPU credits run out under sustained load)`);
  });
  const minNodes = e.nodeGroups.reduce((n, ng) => n + ng.minSize, 0);
  if (e.cilium.operatorReplicas > Math.max(minNodes, 1)) {
    issues.push({
      key: keyOf("eks.cilium.operatorReplicas"),
      value: e.cilium.operatorReplicas,
      expected: `at most the cluster's minimum node count (${minNodes}): operator replicas run on distinct nodes, the rest would stay Pending`,
    });
  }
}
