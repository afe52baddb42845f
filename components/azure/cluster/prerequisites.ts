/**
 * Subscription prerequisites of the cluster that the program cannot create itself, checked before
 * anything is declared: each missing one fails `pulumi preview`/`up` with its name and the command
 * that fixes it.
 *
 * Why a preflight and not `features.SubscriptionFeatureRegistration` resources: that resource
 * fails with "cannot create already existing resource" whether or not the feature is registered
 * (https://github.com/pulumi/pulumi-azure-native/issues/1722, open), a registered preview feature
 * only takes effect after the resource provider is re-registered (`az provider register`), which
 * no azure-native resource does (https://github.com/pulumi/pulumi-azure-native/issues/3479), and
 * deleting such a resource with a stack would unregister the feature for every cluster in the
 * subscription. A read-only check is safe to run from every stack.
 *
 * The same holds for resource provider registration (Microsoft.ContainerService in the private
 * DNS zone's subscription): it is subscription-wide and a stack's destroy must not undo it, so the
 * program only reads it. azure-native has no function for that read; it goes to ARM's Providers -
 * Get with the zone provider's token (../providerRegistration.ts, ../preflight.ts).
 */
import * as features from "@pulumi/azure-native/features";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../../../config/schema/cluster";
import { PreflightError } from "../preflight";
import type { ProviderPrerequisite } from "../providerRegistration";
import { subscriptionOfId } from "../roleAssignment";

// The shared preflight machinery, re-exported for the cluster's callers and tests.
export { armToken, assertProviders, checkProviders, PreflightError, type ProviderVerdict, readProviderVerdicts } from "../preflight";

export interface FeaturePrerequisite {
  /** Resource provider namespace, e.g. `Microsoft.ContainerService`. */
  readonly namespace: string;
  readonly feature: string;
  /** What in the cluster needs it. */
  readonly reason: string;
  readonly source: string;
}

/** The subscription features the configured cluster needs, in a stable order. */
export function requiredFeatures(c: ClusterConfig): FeaturePrerequisite[] {
  const out: FeaturePrerequisite[] = [];
  if ([c.systemPool, ...c.userPools].some((p) => p.hostEncryption)) {
    out.push({
      namespace: "Microsoft.Compute",
      feature: "EncryptionAtHost",
      reason: "encryption at host on the node pools (k8tre:cluster.*.hostEncryption)",
      source: "https://learn.microsoft.com/azure/aks/enable-host-encryption",
    });
  }
  if (c.kubeProxy === "disabled") {
    out.push({
      namespace: "Microsoft.ContainerService",
      feature: "KubeProxyConfigurationPreview",
      reason: "a cluster without kube-proxy (k8tre:cluster.kubeProxy disabled, docs/adr/0003-kube-proxy.md)",
      source: "https://learn.microsoft.com/azure/aks/configure-kube-proxy",
    });
  }
  out.push({
    namespace: "Microsoft.ContainerService",
    feature: "DisableSSHPreview",
    reason: "node pools with SSH disabled (securityProfile.sshAccess Disabled)",
    source: "https://learn.microsoft.com/azure/aks/manage-ssh-node-access",
  });
  return out;
}

/** The commands that register a feature and make it take effect. */
export function registerCommands(f: Pick<FeaturePrerequisite, "namespace" | "feature">, subscriptionId: string): string {
  return `az feature register --subscription ${subscriptionId} --namespace ${f.namespace} --name ${f.feature} && az provider register --subscription ${subscriptionId} --namespace ${f.namespace}`;
}

/** The error a failed preflight raises, listing every missing feature (pure, for tests). */
export function missingFeaturesMessage(subscriptionId: string, missing: ReadonlyArray<FeatureState>): string {
  return [
    `subscription ${subscriptionId} is missing ${missing.length} prerequisite${missing.length === 1 ? "" : "s"} of the AKS cluster (docs/environment.md, "Before the first deployment"):`,
    ...missing.map(({ f, state }) => `  - feature ${f.namespace}/${f.feature} is ${state}; needed for ${f.reason} (${f.source}). Fix: ${registerCommands(f, subscriptionId)}`),
    "Registration can take several minutes; wait until `az feature show --namespace <ns> --name <feature>` says Registered, then rerun.",
  ].join("\n");
}

export interface FeatureState {
  readonly f: FeaturePrerequisite;
  /** `Registered`, `NotRegistered`, `Pending`, `Registering`, ... */
  readonly state: string;
}

/** Reads each required feature's registration state in the provider's subscription. */
export function readFeatureStates(required: readonly FeaturePrerequisite[], opts: pulumi.InvokeOutputOptions): pulumi.Output<FeatureState[]> {
  return pulumi.all(
    required.map((f) =>
      features
        .getSubscriptionFeatureRegistrationOutput({ providerNamespace: f.namespace, featureName: f.feature }, opts)
        .apply((r) => ({ f, state: String(r.properties?.state ?? "NotRegistered") })),
    ),
  );
}

/** Throws {@link missingFeaturesMessage} unless every feature is Registered; returns their names. */
export function assertRegistered(subscriptionId: string, states: readonly FeatureState[]): string[] {
  const missing = states.filter((s) => s.state !== "Registered");
  if (missing.length) throw new PreflightError(missingFeaturesMessage(subscriptionId, missing));
  return states.map((s) => `${s.f.namespace}/${s.f.feature}`);
}

/**
 * The preflight: resolves to the registered feature names, or fails the deployment with
 * {@link missingFeaturesMessage}. The cluster component feeds it into its first resources, so
 * nothing is created before it passes.
 */
export function checkFeatures(subscriptionId: string, required: readonly FeaturePrerequisite[], opts: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
  return readFeatureStates(required, opts).apply((states) => assertRegistered(subscriptionId, states));
}

/**
 * The resource providers the cluster needs registered outside its own subscription: with a
 * custom private DNS zone in another subscription, "you need to register the
 * Microsoft.ContainerService Azure provider in both subscriptions"
 * (https://learn.microsoft.com/azure/aks/private-clusters). None when the zone is in the
 * cluster's subscription: there the fix of every Microsoft.ContainerService feature the cluster
 * always needs (DisableSSHPreview, {@link registerCommands}) already registers the provider.
 */
export function requiredProviders(clusterSubscriptionId: string, privateDnsZoneId: string): ProviderPrerequisite[] {
  const zoneSub = subscriptionOfId(privateDnsZoneId);
  if (zoneSub.toLowerCase() === clusterSubscriptionId.toLowerCase()) return [];
  const zone = privateDnsZoneId.split("/").pop();
  return [
    {
      subscriptionId: zoneSub,
      namespace: "Microsoft.ContainerService",
      of: 'the AKS cluster (docs/environment.md, "Before the first deployment")',
      reason: `the cluster's private DNS zone ${zone}, which is in this subscription while the cluster is in ${clusterSubscriptionId}`,
      source: "https://learn.microsoft.com/azure/aks/private-clusters",
    },
  ];
}
