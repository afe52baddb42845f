/** `k8tre:cluster` — an AKS cluster (management and environment stacks on Azure). */
import { z } from "zod";
import { azureVmSize, bool, cidr, guid, int, ipv4, zones } from "./fields";

const kubernetesVersion = z
  .string({ error: 'a Kubernetes version as a quoted string such as "1.35" (unquoted YAML numbers lose trailing zeros)' })
  .regex(/^1\.\d{2}(\.\d{1,2})?$/, 'a Kubernetes version such as "1.35" (the minor: AKS runs its latest patch) or "1.35.2"')
  .describe("Checked against the AKS release calendar (config/kubernetes-versions.ts): an error once out of support (unless LTS), a warning within 60 days of it.");

const osSku = z.enum(["AzureLinux", "Ubuntu"]).default("AzureLinux").describe("Node OS image.");

const systemPool = z.strictObject({
  vmSize: azureVmSize("a VM size"),
  minCount: int("the minimum node count", 1, 100).default(2),
  maxCount: int("the maximum node count", 1, 1000).default(5),
  zones: zones.default(["1", "2", "3"]).describe("Availability zones of the pool's nodes."),
  osDiskSizeGb: int("the OS disk size in GB", 30, 2048).default(128),
  osSku,
  maxPods: int("the maximum pods per node", 10, 250).default(110),
  hostEncryption: bool("encryption at host").default(true),
});

const userPool = systemPool.extend({
  name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, "an agent pool name of 1-12 lower-case letters or digits starting with a letter").describe("Agent pool name (not system)."),
  minCount: int("the minimum node count", 0, 1000).default(1),
  labels: z.record(z.string(), z.string()).default({}).describe("Kubernetes labels on the pool's nodes."),
  taints: z.array(z.string().regex(/^[^=:]+(=[^:]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/, "a taint such as key=value:NoSchedule")).default([]).describe("Node taints, key=value:Effect."),
});

export const cluster = z.strictObject({
  kubernetesVersion,
  skuTier: z.enum(["Standard", "Premium"]).default("Standard").describe("AKS pricing tier (Standard: financially backed API server SLA)."),
  supportPlan: z.enum(["KubernetesOfficial", "AKSLongTermSupport"]).default("KubernetesOfficial")
    .describe("AKSLongTermSupport: one more year of support per minor (needs skuTier Premium)."),
  podCidr: cidr("the Cilium pod CIDR"),
  serviceCidr: cidr("the Kubernetes service CIDR"),
  dnsServiceIp: ipv4("the cluster DNS service IP (inside serviceCidr)"),
  outboundType: z.enum(["userDefinedRouting", "loadBalancer"], {
    error: 'outboundType "userDefinedRouting" (egress through the hub firewall) or "loadBalancer"',
  }).describe("Egress: loadBalancer (the cluster's own), or userDefinedRouting through the hub firewall (needs k8tre:network.hub.firewallPrivateIp)."),
  kubeProxy: z.enum(["disabled", "enabled"]).default("disabled")
    .describe("disabled: Cilium's kube-proxy replacement owns services (needs the AKS KubeProxyConfigurationPreview feature). enabled: keep kube-proxy."),
  adminGroupObjectIds: z.array(guid("an Entra ID group object ID")).min(1, "at least one Entra ID admin group object ID")
    .describe("Entra ID groups that become cluster admins (Azure RBAC)."),
  kubeloginMode: z.enum(["azurecli", "workloadidentity", "spn", "msi"]).default("azurecli")
    .describe("How the Kubernetes provider's kubelogin exec plugin authenticates (non-interactive)."),
  systemPool: systemPool.describe("The system node pool (CriticalAddonsOnly)."),
  userPools: z.array(userPool).default([]).describe("Workload node pools."),
  autoUpgradeChannel: z.enum(["patch", "stable", "rapid", "node-image", "none"]).default("patch").describe("AKS cluster auto-upgrade channel."),
  nodeOsUpgradeChannel: z.enum(["NodeImage", "SecurityPatch", "Unmanaged", "None"]).default("NodeImage").describe("How node OS security updates are applied."),
  logAnalyticsWorkspaceId: z.string().optional().describe("Existing Log Analytics workspace ID; default: one is created per cluster."),
  logRetentionDays: int("the log retention in days", 30, 730).default(90),
  defender: bool("Microsoft Defender for Containers").default(true),
  monitorMetrics: bool("Azure Monitor managed Prometheus metrics").default(false)
    .describe("Must stay false: managed Prometheus needs an Azure Monitor workspace, data collection endpoint, rule and rule association that the program does not declare (docs/environment.md)."),
  logPublicQuery: bool("public query access to the cluster's Log Analytics workspace").default(false)
    .describe("false: the workspace answers queries only through an Azure Monitor Private Link Scope (docs/environment.md)."),
  cilium: z
    .strictObject({
      hubbleUi: bool("the Hubble UI").default(true),
      operatorReplicas: int("Cilium operator replicas", 1, 3).default(2),
    })
    .default({ hubbleUi: true, operatorReplicas: 2 })
    .describe("Cilium settings of the BYO-CNI install."),
});

export type ClusterConfig = z.infer<typeof cluster>;
