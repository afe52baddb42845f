/**
 * Registration of a cluster in the management ArgoCD, written by the cluster's own stack
 * (adding an environment never edits the management stack):
 *
 * - {@link ClusterRegistration}: the labelled ArgoCD cluster Secret in the management cluster's
 *   `argocd` namespace. Its `config` holds no credential: a per-platform {@link ClusterAuth}
 *   strategy (./auth.ts) tells ArgoCD how to obtain a short-lived one — `argocd-k8s-auth azure`
 *   with workload identity on AKS, a projected, audience-bound service-account token on K3s.
 * - {@link ArgoCdTargetAccess}: on the target cluster, the Kubernetes RBAC that lets the
 *   strategy's subjects (and nobody else) deploy K8TRE.
 *
 * The labels are everything K8TRE's ApplicationSets select on or read (see {@link clusterLabels}).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { assertNoStoredCredential, type ClusterAuth, type RbacSubject } from "./auth";
import { ARGOCD_NAMESPACE } from "./chart";

export const CLUSTER_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/** Labels K8TRE's ApplicationSets read, always present on a registration. */
export const REQUIRED_CLUSTER_LABELS = [
  "environment", "vendor", "secret-store", "external-dns", "external-domain", "region", "cluster-name",
] as const;

export interface ClusterLabelInput {
  /** `environment`: K8TRE's envs/<dir> name (dev, stg, prd). */
  readonly environment: string;
  /** `vendor`: azure | k3s. */
  readonly vendor: string;
  /** `secret-store`: the ClusterSecretStore backend in the cluster. */
  readonly secretStore: string;
  /** `external-dns`: the ExternalDNS provider directory (azure | k3s). */
  readonly externalDns: string;
  /** `external-domain`: the environment's DNS zone (becomes DOMAIN in manifests). */
  readonly externalDomain: string;
  /** `region`: the Azure region, or `on-prem`. */
  readonly region: string;
  /** `cluster-name`: the cluster's name. */
  readonly clusterName: string;
  /** Components to opt out of: `skip-<name>: "true"`. */
  readonly skip?: readonly string[];
  /** `metallb-ip-range` (k3s), only if it is a valid label value (a range, not a CIDR). */
  readonly metallbIpRange?: string;
  /** Operator extras; may not redefine the labels above. */
  readonly extra?: Readonly<Record<string, string>>;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

/** The cluster Secret's labels. Throws on a value Kubernetes would reject (config validates first). */
export function clusterLabels(input: ClusterLabelInput): Record<string, string> {
  const labels: Record<string, string> = {
    [CLUSTER_SECRET_TYPE_LABEL]: "cluster",
    environment: input.environment,
    vendor: input.vendor,
    "secret-store": input.secretStore,
    "external-dns": input.externalDns,
    "external-domain": input.externalDomain,
    region: input.region,
    "cluster-name": input.clusterName,
  };
  if (input.metallbIpRange && isLabelValue(input.metallbIpRange)) labels["metallb-ip-range"] = input.metallbIpRange;
  for (const s of [...new Set(input.skip ?? [])].sort()) labels[`skip-${s}`] = "true";
  for (const [k, v] of Object.entries(input.extra ?? {})) {
    if (k in labels) throw new Error(`clusterLabels: extra label "${k}" would redefine a label K8TRE's ApplicationSets read`);
    labels[k] = v;
  }
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabelValue(v)) throw new Error(`clusterLabels: label ${k}="${v}" is not a valid Kubernetes label value`);
  }
  return labels;
}

/**
 * The cluster Secret's `config` JSON: the strategy's credential-free auth and the target API
 * server's CA (TLS verification on). Throws if the auth would store a credential.
 */
export function clusterConfig(auth: ClusterAuth, caData: string): string {
  const config = { ...auth.config, tlsClientConfig: { insecure: false, caData } };
  assertNoStoredCredential(config);
  return JSON.stringify(config);
}

/**
 * The base64 CA bundle of a kubeconfig's current (or only) cluster — the same bytes ArgoCD puts
 * in `tlsClientConfig.caData`. Throws when there is none: ArgoCD must verify the API server.
 */
export function kubeconfigCaData(kubeconfig: string): string {
  const doc = parse(kubeconfig) as { "current-context"?: string; contexts?: { name: string; context: { cluster: string } }[]; clusters?: { name: string; cluster: Record<string, string> }[] };
  const clusters = doc?.clusters ?? [];
  const ctxCluster = doc?.contexts?.find((c) => c.name === doc["current-context"])?.context.cluster;
  const cluster = clusters.find((c) => c.name === ctxCluster) ?? (clusters.length === 1 ? clusters[0] : undefined);
  const ca = cluster?.cluster?.["certificate-authority-data"];
  if (!ca) throw new Error("kubeconfig has no certificate-authority-data for its current cluster; ArgoCD needs the API server's CA");
  return ca;
}

/** `cluster-<name>`: the Secret's object name in the argocd namespace. */
export function clusterSecretName(clusterName: string): string {
  return `cluster-${clusterName}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-").slice(0, 253);
}

export interface ClusterRegistrationArgs {
  /** The cluster's name in ArgoCD (also the Secret's name suffix). */
  readonly clusterName: pulumi.Input<string>;
  /** API server URL, e.g. https://<private fqdn>:443. */
  readonly server: pulumi.Input<string>;
  /** Base64 PEM CA bundle of the target API server. */
  readonly caData: pulumi.Input<string>;
  /** How ArgoCD authenticates (./auth.ts); only its `config` is used here. */
  readonly auth: pulumi.Input<ClusterAuth>;
  readonly labels: pulumi.Input<Record<string, string>>;
  /** The management ArgoCD namespace (the mgmt stack's `argocdNamespace` output). */
  readonly namespace?: pulumi.Input<string>;
}

/**
 * The ArgoCD cluster Secret, created through the management cluster's Kubernetes provider
 * (`opts.provider`), which the environment stack builds from the mgmt stack's outputs.
 */
export class ClusterRegistration extends pulumi.ComponentResource {
  readonly secretName: pulumi.Output<string>;
  readonly labels: pulumi.Output<Record<string, string>>;
  /** What the Secret holds (no credential: name, server, exec-auth config). */
  readonly stringData: pulumi.Output<{ name: string; server: string; config: string }>;

  constructor(name: string, args: ClusterRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:argocd:ClusterRegistration", name, {}, opts);
    const config = pulumi.all([args.auth, args.caData]).apply(([auth, ca]) => clusterConfig(auth as ClusterAuth, ca));
    const stringData = pulumi.all([args.clusterName, args.server, config]).apply(([n, server, c]) => ({ name: n, server, config: c }));
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: {
          name: pulumi.output(args.clusterName).apply(clusterSecretName),
          namespace: args.namespace ?? ARGOCD_NAMESPACE,
          labels: args.labels,
          annotations: { "managed-by": "pulumi", "k8tre.io/registered-by": pulumi.getStack() },
        },
        type: "Opaque",
        stringData,
      },
      { parent: this },
    );
    this.secretName = secret.metadata.name;
    this.labels = pulumi.output(args.labels);
    this.stringData = stringData;
    this.registerOutputs({ secretName: this.secretName, labels: this.labels });
  }
}

/** The ClusterRole ArgoCD deploys K8TRE with on a target cluster; see {@link argocdDeployerRules}. */
export const ARGOCD_DEPLOYER_ROLE = "k8tre-argocd-deployer";

/**
 * What ArgoCD needs on a target cluster to deploy K8TRE: it installs CRDs, admission webhooks,
 * namespaces, and charts (cert-manager, External Secrets, CNPG, Longhorn, …) whose ClusterRoles
 * grant `*` verbs. Kubernetes RBAC's escalation check only lets a principal create a role that
 * grants what the principal itself holds (or that has `escalate`/`bind`, which are equivalent to
 * cluster-admin). So the deployer needs every verb on every resource: cluster-admin's resource
 * rules. The dedicated role differs from the built-in `cluster-admin` in one thing only, it grants
 * no non-resource URLs beyond the discovery endpoints every authenticated user already has. The
 * real scoping is on the subject side: one binding, to the management ArgoCD's identity only
 * (the {@link ClusterAuth} subjects), whose tokens only the management cluster's ArgoCD controller
 * and server pods can obtain and which live about an hour.
 */
export function argocdDeployerRules(): k8s.types.input.rbac.v1.PolicyRule[] {
  return [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }];
}

export interface ArgoCdTargetAccessArgs {
  /** The management ArgoCD's identity on this cluster: the {@link ClusterAuth} subjects. */
  readonly subjects: pulumi.Input<readonly RbacSubject[]>;
}

/**
 * The target cluster's side: a ClusterRoleBinding of {@link ARGOCD_DEPLOYER_ROLE} to the
 * strategy's subjects (on AKS the controller identity's object ID as a User, on K3s the
 * prefixed service-account user names). Created through the target cluster's provider (`opts.provider`).
 */
export class ArgoCdTargetAccess extends pulumi.ComponentResource {
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: ArgoCdTargetAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:argocd:TargetAccess", name, {}, opts);
    const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "k8tre" };
    const role = new k8s.rbac.v1.ClusterRole(
      `${name}-role`,
      { metadata: { name: ARGOCD_DEPLOYER_ROLE, labels }, rules: argocdDeployerRules() },
      { parent: this },
    );
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-binding`,
      {
        metadata: { name: ARGOCD_DEPLOYER_ROLE, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: pulumi.output(args.subjects).apply((subjects) => subjects.map((x) => ({ ...x }))),
      },
      { parent: this },
    );
    this.roleName = role.metadata.name;
    this.registerOutputs({ roleName: this.roleName });
  }
}
