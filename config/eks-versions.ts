/**
 * Amazon EKS Kubernetes versions this program deploys, with their support window, and the EKS
 * add-on versions pinned for each. Pure data plus two small lookups; the config loader checks
 * `k8tre:eks.kubernetesVersion` against it before any resource is declared.
 *
 * Support window: a minor version is in standard support for 14 months after its EKS release,
 * then in extended support (extra per-cluster-hour cost) for 12 more; after that EKS upgrades
 * the cluster itself. Dates from the EKS release calendar,
 * https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (cross-checked with
 * https://endoflife.date/amazon-eks and the AWS samples' calendar of 2026-04-24). Add a row when EKS releases a version.
 */

export interface EksVersionWindow {
  /** Last day of standard support (UTC, YYYY-MM-DD). */
  readonly endOfStandardSupport: string;
  readonly endOfExtendedSupport: string;
}

export const EKS_VERSION_SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";

export const EKS_VERSIONS: Readonly<Record<string, EksVersionWindow>> = {
  "1.31": { endOfStandardSupport: "2025-11-26", endOfExtendedSupport: "2026-11-26" },
  "1.32": { endOfStandardSupport: "2026-03-23", endOfExtendedSupport: "2027-03-23" },
  "1.33": { endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29" },
  "1.34": { endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02" },
  "1.35": { endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27" },
};

/** The EKS add-ons the cluster component installs (no vpc-cni, no kube-proxy: Cilium replaces both). */
export const EKS_ADDONS = ["coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver", "aws-efs-csi-driver"] as const;
export type EksAddonName = (typeof EKS_ADDONS)[number];

/**
 * Add-on versions per Kubernetes minor, each an `addonVersion` that `aws eks
 * describe-addon-versions --kubernetes-version <v> --addon-name <name>` lists as compatible
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html). Pinned,
 * never `mostRecent`, so a plan never changes under the operator; bump them here and review the
 * plan. A version without a row is refused by the loader with the command to fill it in.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddonName, string>>>> = {
  "1.35": {
    coredns: "v1.13.2-eksbuild.4",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "aws-ebs-csi-driver": "v1.59.0-eksbuild.1",
    "aws-efs-csi-driver": "v3.1.0-eksbuild.1",
  },
};

export type SupportStatus =
  | { readonly status: "unknown" }
  | { readonly status: "standard"; readonly window: EksVersionWindow; readonly daysLeft: number }
  | { readonly status: "extended"; readonly window: EksVersionWindow; readonly daysLeft: number }
  | { readonly status: "ended"; readonly window: EksVersionWindow };

const DAY = 24 * 3600 * 1000;

/** Where a minor version (`1.35`, or `1.35.2`) stands on `today` in the EKS support calendar. */
export function eksSupportStatus(version: string, today: Date): SupportStatus {
  const minor = version.split(".").slice(0, 2).join(".");
  const window = EKS_VERSIONS[minor];
  if (!window) return { status: "unknown" };
  const t = today.getTime();
  const std = Date.parse(`${window.endOfStandardSupport}T00:00:00Z`);
  const ext = Date.parse(`${window.endOfExtendedSupport}T00:00:00Z`);
  if (t < std) return { status: "standard", window, daysLeft: Math.floor((std - t) / DAY) };
  if (t < ext) return { status: "extended", window, daysLeft: Math.floor((ext - t) / DAY) };
  return { status: "ended", window };
}

export function eksMinor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}
