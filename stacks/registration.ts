/**
 * How a cluster stack (Azure environment or k3s) registers its cluster in the management
 * ArgoCD. Called from the stack builder once the cluster exists; everything it needs from the
 * management side comes from the `mgmt` stack's outputs through the `management` stack
 * reference, so adding or renaming an environment touches only that environment's config.
 *
 * Each platform supplies its authentication as a {@link ClusterAuthStrategy} (ADR 0004): the
 * Azure environment builder passes Entra workload identity, the AWS builder EKS Pod Identity and
 * an assumed deployer role (`awsAuthConfig`), the k3s builder a projected, audience-bound
 * service-account token (components/argocd/auth.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAuth } from "../components/argocd/auth";
import {
  ArgoCdTargetAccess,
  ClusterRegistration,
  type ClusterLabelInput,
  clusterLabels,
} from "../components/argocd/registration";
import type { StackConfig } from "../config/schema";
import type { StackContext } from "./context";
import { environmentDomain } from "./domain";

/** The K8TRE label inputs of a stack (pure; see docs/management.md for each value's meaning). */
export function registrationLabelInput(c: StackConfig, clusterName: string): ClusterLabelInput {
  return {
    environment: c.environment,
    vendor: c.platform,
    // The agnostics layer installs the ClusterSecretStore `secret-store` itself; naming its
    // backend here means K8TRE's secret-store ApplicationSet (dirs `kubernetes`, `aws`) does
    // not install a second one (`azure-keyvault`, `aws-secretsmanager` and `aws-parameterstore`
    // match no directory; K8TRE's `aws` store would replace ours with an unscoped Parameter Store one).
    secretStore: secretStoreLabel(c),
    externalDns: c.platform,
    externalDomain: environmentDomain(c),
    region: c.platform === "azure" ? c.location! : c.platform === "aws" ? c.aws!.region : "on-prem",
    clusterName,
    skip: c.registration?.skip ?? [],
    metallbIpRange: c.agnostics?.metallbAddressPool,
    extra: c.registration?.labels ?? {},
  };
}

/** The `secret-store` label: the backend of the agnostics layer's ClusterSecretStore. */
export function secretStoreLabel(c: StackConfig): string {
  switch (c.platform) {
    case "azure":
      return c.agnostics?.secretStore ?? "azure-keyvault";
    case "aws":
      return (c.secrets?.backend ?? "SecretsManager") === "SecretsManager" ? "aws-secretsmanager" : "aws-parameterstore";
    case "k3s":
      return c.agnostics?.secretStore ?? "kubernetes";
  }
}

export interface RegisteredCluster {
  /** The cluster's name in ArgoCD (and the `cluster-name` label). */
  readonly clusterName: string;
  /** `https://<api host>:<port>`. */
  readonly server: pulumi.Input<string>;
  /**
   * The API server's CA bundle (base64 PEM), as ArgoCD's `tlsClientConfig.caData`. Not a secret:
   * pass it unsecreted (e.g. `pulumi.unsecret` of {@link kubeconfigCaData}) so the plan and the
   * policy pack can show the Secret's config.
   */
  readonly caData: pulumi.Input<string>;
  /** The cluster's own Kubernetes provider (for the RBAC ArgoCD needs there). */
  readonly provider: k8s.Provider;
}

/**
 * A platform's way for the management ArgoCD to authenticate to its clusters, computed from the
 * `mgmt` stack's outputs (a StackReference). Never a stored credential.
 */
export type ClusterAuthStrategy = (mgmt: pulumi.StackReference) => pulumi.Input<ClusterAuth>;

export interface Registration {
  readonly access: ArgoCdTargetAccess;
  readonly registration: ClusterRegistration;
  readonly managementProvider: k8s.Provider;
}

/**
 * Grants the management ArgoCD's identity (the strategy's subjects) its role on the cluster,
 * then writes the labelled cluster Secret into the management cluster. Returns undefined when
 * `k8tre:registration.enabled` is false.
 */
export function registerWithManagement(
  ctx: StackContext,
  cluster: RegisteredCluster,
  strategy: ClusterAuthStrategy,
  opts: { dependsOn?: pulumi.Input<pulumi.Resource>[] } = {},
): Registration | undefined {
  if (!ctx.config.registration?.enabled) return undefined;
  if (ctx.managementOutputsExist === false) {
    // The management stack has never completed an update (greenfield: it is being deployed
    // alongside this stack). Nothing reads it now; the runner's late pass registers the cluster.
    const mgmtStack = ctx.stackRefName("management");
    ctx.deferred.push({
      what: "argocd-registration",
      reason: `the management stack ${mgmtStack} has no outputs yet; run \`pulumi up\` again once it is deployed`,
      // What the late pass updates (pulumi up --target, with --target-dependents): the reference
      // (re-read), the management cluster's provider, and the two registration components.
      targets: ["**::management-stack", "**::management-k8s", "**::argocd-access*", "**::argocd-registration*"],
    });
    void pulumi.log.info(`ArgoCD registration deferred: ${mgmtStack} has no outputs yet (the deployment runner's late pass registers this cluster)`);
    return undefined;
  }
  const mgmt = ctx.stackRef("management");
  // pulumi.output deep-unwraps the (plain data) auth; its type loses only the literal kinds.
  const auth = pulumi.output(strategy(mgmt)).apply((a) => a as ClusterAuth);
  const managementProvider = new k8s.Provider("management-k8s", {
    kubeconfig: pulumi.secret(mgmt.requireOutput("kubeconfig") as pulumi.Output<string>),
    enableServerSideApply: true,
  });
  const access = new ArgoCdTargetAccess(
    "argocd-access",
    { subjects: auth.apply((a) => a.subjects) },
    { provider: cluster.provider, dependsOn: opts.dependsOn },
  );
  const registration = new ClusterRegistration(
    "argocd-registration",
    {
      clusterName: cluster.clusterName,
      server: cluster.server,
      caData: cluster.caData,
      auth,
      labels: clusterLabels(registrationLabelInput(ctx.config, cluster.clusterName)),
      namespace: mgmt.requireOutput("argocdNamespace") as pulumi.Output<string>,
    },
    // Registering before ArgoCD may deploy would start syncs that fail on authorization.
    { provider: managementProvider, dependsOn: [access] },
  );
  return { access, registration, managementProvider };
}
