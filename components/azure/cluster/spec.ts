/**
 * The AKS managed-cluster body, as a pure function of the typed config. The same object feeds
 * both the typed `containerservice.ManagedCluster` (API 2025-09-01, kube-proxy kept) and the
 * generic `resources.Resource` at a preview API version (kube-proxy disabled; see
 * docs/adr/0003-kube-proxy.md), so the two paths cannot drift.
 */
import type * as containerservice from "@pulumi/azure-native/containerservice";
import type * as inputs from "@pulumi/azure-native/types/input";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../../../config/schema/cluster";

/**
 * Preview API used only when kube-proxy is disabled. The generic resource's `properties` are sent
 * to ARM verbatim, so they must use ARM JSON names; every key is checked against this API
 * version's specification in components/azure/cluster/arm/managedClusters-2026-03-02-preview.json
 * (test/cluster/armSpec.test.ts). The stable 2025-09-01 API the SDK ships has
 * no `networkProfile.kubeProxyConfig`; this preview does (and needs the subscription feature
 * `Microsoft.ContainerService/KubeProxyConfigurationPreview`).
 */
export const KUBE_PROXY_PREVIEW_API_VERSION = "2026-03-02-preview";

/** The AKS AAD server application (the same in every tenant; kubelogin `--server-id`). */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** Name of the system node pool declared inline (AKS needs one system pool at creation). */
export const SYSTEM_POOL_NAME = "system";

/** Control-plane log categories sent to Log Analytics. A TRE keeps its audit trail. */
export const CONTROL_PLANE_LOG_CATEGORIES = [
  "kube-audit-admin",
  "guard",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "cluster-autoscaler",
  "cloud-controller-manager",
] as const;

export interface ClusterSpecInput {
  readonly config: ClusterConfig;
  readonly tenantId: string;
  readonly dnsPrefix: string;
  readonly nodeResourceGroup: string;
  readonly nodeSubnetId: pulumi.Input<string>;
  /** The `privatelink.<region>.azmk8s.io` zone (from the network stack). */
  readonly privateDnsZoneId: pulumi.Input<string>;
  /** Log Analytics workspace for Defender. */
  readonly workspaceId: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

/** The ManagedCluster inputs that do not name or place the resource. */
export type ManagedClusterBody = Omit<containerservice.ManagedClusterArgs, "resourceGroupName" | "resourceName" | "location" | "identity" | "sku" | "tags">;

type PoolConfig = ClusterSpecInput["config"]["systemPool"];

/**
 * The settings every node pool shares, system or user: autoscaled VM scale sets in the node
 * subnet, no public node IPs, host encryption as configured.
 */
export function poolSettings(p: PoolConfig, kubernetesVersion: string, nodeSubnetId: pulumi.Input<string>, tags: Record<string, string>) {
  return {
    type: "VirtualMachineScaleSets",
    osType: "Linux",
    osSKU: p.osSku,
    vmSize: p.vmSize,
    orchestratorVersion: kubernetesVersion,
    enableAutoScaling: true,
    count: p.minCount,
    minCount: p.minCount,
    maxCount: p.maxCount,
    availabilityZones: p.zones,
    osDiskSizeGB: p.osDiskSizeGb,
    maxPods: p.maxPods,
    enableEncryptionAtHost: p.hostEncryption,
    enableNodePublicIP: false,
    vnetSubnetID: nodeSubnetId,
    upgradeSettings: { maxSurge: "33%" },
    // No SSH daemon on any node ("SSH service will be turned off on the node"; pool-level
    // `securityProfile.sshAccess`, VM scale set pools only; kubectl debug node still works):
    // https://learn.microsoft.com/azure/aks/manage-ssh-node-access. A preview: needs the
    // Microsoft.ContainerService/DisableSSHPreview feature (see ./prerequisites.ts).
    securityProfile: { sshAccess: "Disabled" },
    tags,
  } satisfies Partial<inputs.containerservice.ManagedClusterAgentPoolProfileArgs>;
}

export function systemPoolProfile(i: ClusterSpecInput): inputs.containerservice.ManagedClusterAgentPoolProfileArgs[] {
  return [{ name: SYSTEM_POOL_NAME, mode: "System", ...poolSettings(i.config.systemPool, i.config.kubernetesVersion, i.nodeSubnetId, i.tags) }];
}

/** Everything the cluster is: private, Entra-only, BYO CNI, audited. */
export function managedClusterBody(i: ClusterSpecInput): ManagedClusterBody {
  const c = i.config;
  return {
    kubernetesVersion: c.kubernetesVersion,
    dnsPrefix: i.dnsPrefix,
    nodeResourceGroup: i.nodeResourceGroup,
    supportPlan: c.supportPlan,
    enableRBAC: true,
    disableLocalAccounts: true,
    aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: c.adminGroupObjectIds, tenantID: i.tenantId },
    apiServerAccessProfile: {
      enablePrivateCluster: true,
      privateDNSZone: i.privateDnsZoneId,
      enablePrivateClusterPublicFQDN: false,
      // `az aks command invoke` would be a second path to the API that bypasses the private network.
      disableRunCommand: true,
    },
    networkProfile: {
      // BYO CNI: Cilium is installed by the bootstrap component and allocates pod IPs itself,
      // but AKS needs the range too: "You must specify a Pod CIDR ... The AKS control plane uses
      // this range for internal traffic routing to pods ... If no pod CIDR is provided, control
      // plane to pod communication might fail" (https://learn.microsoft.com/azure/aks/use-byo-cni).
      networkPlugin: "none",
      podCidr: c.podCidr,
      serviceCidr: c.serviceCidr,
      dnsServiceIP: c.dnsServiceIp,
      outboundType: c.outboundType,
      loadBalancerSku: "standard",
    },
    oidcIssuerProfile: { enabled: true },
    securityProfile: {
      workloadIdentity: { enabled: true },
      imageCleaner: { enabled: true, intervalHours: 48 },
      ...(c.defender ? { defender: { logAnalyticsWorkspaceResourceId: i.workspaceId, securityMonitoring: { enabled: true } } } : {}),
    },
    addonProfiles: {
      azurepolicy: { enabled: true },
      azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
    },
    autoUpgradeProfile: { upgradeChannel: c.autoUpgradeChannel, nodeOSUpgradeChannel: c.nodeOsUpgradeChannel },
    autoScalerProfile: AUTOSCALER_PROFILE,
    storageProfile: {
      diskCSIDriver: { enabled: true },
      fileCSIDriver: { enabled: true },
      blobCSIDriver: { enabled: true },
      snapshotController: { enabled: true },
    },
    azureMonitorProfile: { metrics: { enabled: c.monitorMetrics } },
    agentPoolProfiles: systemPoolProfile(i),
  };
}

/** Cluster autoscaler settings (SDK names). Zone-spanning pools stay balanced across zones. */
export const AUTOSCALER_PROFILE = { balanceSimilarNodeGroups: "true" } as const;

/**
 * SDK (client) name → ARM JSON name of the autoscaler settings: ARM spells them in kebab case and
 * the SDK renames them (`x-ms-client-name` in the specification). Sending the SDK name through the
 * generic resource is silently ignored by ARM.
 */
export const AUTOSCALER_ARM_NAMES: Readonly<Record<string, string>> = {
  balanceSimilarNodeGroups: "balance-similar-node-groups",
  daemonsetEvictionForEmptyNodes: "daemonset-eviction-for-empty-nodes",
  daemonsetEvictionForOccupiedNodes: "daemonset-eviction-for-occupied-nodes",
  ignoreDaemonsetsUtilization: "ignore-daemonsets-utilization",
  maxEmptyBulkDelete: "max-empty-bulk-delete",
  maxGracefulTerminationSec: "max-graceful-termination-sec",
  maxNodeProvisionTime: "max-node-provision-time",
  maxTotalUnreadyPercentage: "max-total-unready-percentage",
  newPodScaleUpDelay: "new-pod-scale-up-delay",
  okTotalUnreadyCount: "ok-total-unready-count",
  scanInterval: "scan-interval",
  scaleDownDelayAfterAdd: "scale-down-delay-after-add",
  scaleDownDelayAfterDelete: "scale-down-delay-after-delete",
  scaleDownDelayAfterFailure: "scale-down-delay-after-failure",
  scaleDownUnneededTime: "scale-down-unneeded-time",
  scaleDownUnreadyTime: "scale-down-unready-time",
  scaleDownUtilizationThreshold: "scale-down-utilization-threshold",
  skipNodesWithLocalStorage: "skip-nodes-with-local-storage",
  skipNodesWithSystemPods: "skip-nodes-with-system-pods",
};

/** The autoscaler profile in ARM JSON names; an unmapped SDK name is an error, not a silent drop. */
export function armAutoScalerProfile(profile: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(profile).map(([k, v]) => {
      const arm = AUTOSCALER_ARM_NAMES[k];
      if (!arm) throw new Error(`autoScalerProfile.${k} has no ARM name in AUTOSCALER_ARM_NAMES (components/azure/cluster/spec.ts)`);
      return [arm, v];
    }),
  );
}

/**
 * The ARM `properties` of the generic preview resource, in ARM JSON names: the same body (whose
 * other keys are spelled the same in the SDK and in ARM, as the spec test proves) with the
 * autoscaler profile renamed, plus `networkProfile.kubeProxyConfig.enabled = false`.
 */
export function previewClusterProperties(i: ClusterSpecInput): Record<string, unknown> {
  const body = managedClusterBody(i) as Record<string, unknown>;
  return {
    ...body,
    autoScalerProfile: armAutoScalerProfile(body.autoScalerProfile as Record<string, unknown>),
    networkProfile: { ...(body.networkProfile as Record<string, unknown>), kubeProxyConfig: { enabled: false } },
  };
}

/**
 * Upgrade channels that change the Kubernetes minor themselves ("stable", "rapid": AKS moves the
 * cluster to newer minors). With them the configured version only seeds a new cluster, and the
 * program ignores later differences instead of fighting AKS (the config loader warns). With
 * "patch" the configured minor is an alias AKS keeps ("Updating the cluster with the same
 * <major.minor> once it has been created ... will not trigger an upgrade", managedClusters.json
 * kubernetesVersion), so a minor bump in config is still a real upgrade.
 */
export function channelOwnsVersion(c: Pick<ClusterConfig, "autoUpgradeChannel">): boolean {
  return c.autoUpgradeChannel === "stable" || c.autoUpgradeChannel === "rapid";
}
