/**
 * Helpers shared by the agnostics components: pinned Helm releases, namespaces, the workload
 * identity labels, and the leaf-path walk the tests use to check Helm values against the keys
 * verified in each pinned chart.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VERSIONS } from "../kubernetes/versions";

export type ChartKey = "externalSecrets" | "certManager" | "externalDns" | "coredns" | "longhorn" | "csiDriverNfs" | "metallb" | "nginxIngress" | "awsLoadBalancerController";

/** Pod label and SA annotation of Azure workload identity (webhook ≥ 1.0). */
export const WI_USE_LABEL = "azure.workload.identity/use";
export const WI_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

/** Every agnostics namespace carries this label (network policies select by it). */
export const PART_OF_LABEL = { "app.kubernetes.io/part-of": "k8tre-agnostics" } as const;

/** Pod Security Admission level of a namespace: `baseline` enforced (restricted warned) unless a chart needs host access. */
export function namespaceLabels(name: string, privileged = false): Record<string, string> {
  return {
    ...PART_OF_LABEL,
    "kubernetes.io/metadata.name": name,
    "pod-security.kubernetes.io/enforce": privileged ? "privileged" : "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
}

export function namespace(name: string, parent: pulumi.Resource, privileged = false): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(`ns-${name}`, { metadata: { name, labels: namespaceLabels(name, privileged) } }, { parent });
}

export interface ReleaseOptions {
  /** Release name (also the chart's fullname base). */
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly values: pulumi.Input<Record<string, unknown>>;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly parent: pulumi.Resource;
  /** Seconds Helm waits for readiness (first installs pull images). */
  readonly timeout?: number;
}

/** A Helm release of a chart pinned in components/kubernetes/versions.ts. */
export function pinnedRelease(resourceName: string, key: ChartKey, o: ReleaseOptions): k8s.helm.v3.Release {
  const pin = VERSIONS[key];
  return new k8s.helm.v3.Release(
    resourceName,
    {
      name: o.name,
      chart: pin.chart,
      version: pin.version,
      ...(pin.repo ? { repositoryOpts: { repo: pin.repo } } : {}),
      namespace: o.namespace,
      createNamespace: false,
      values: o.values,
      atomic: false,
      timeout: o.timeout ?? 600,
      maxHistory: 5,
    },
    { parent: o.parent, dependsOn: o.dependsOn },
  );
}

/**
 * The leaf paths of a Helm values object. Walking stops at any path listed in `stops` (maps
 * whose keys are data, such as `podLabels`, or whole objects the chart passes through), at
 * arrays and at scalars. Used by the tests: every leaf must be a key verified in the pinned chart.
 */
export function leafPaths(values: unknown, stops: readonly string[], prefix = ""): string[] {
  if (prefix && stops.includes(prefix)) return [prefix];
  if (values === null || typeof values !== "object" || Array.isArray(values)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    out.push(...leafPaths(v, stops, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}
