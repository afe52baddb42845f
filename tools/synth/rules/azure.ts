/**
 * Azure's create-time rules, enforced by the offline engine over every synthesized plan.
 *
 * The fakes (tools/synth/fakes/) answer every create with success; these rules are what Azure
 * would refuse — or what provably cannot work once created — for the resource types the program
 * declares. Each row: an id, the types it checks, the Microsoft document it comes from, and a
 * check over the resource's inputs and, where the rule needs it, the whole plan (union of the
 * stacks evaluated so far: a cluster's subnet lives in the network stack's plan).
 *
 * To add a rule: append a row, cite the document, and add a violating and a compliant fixture to
 * test/synth/azureRules.test.ts. A rule whose program fix has not landed yet is a `warning` with
 * `pending` saying what is missing; it is reported, never skipped.
 */
import { GET_NETWORK_WATCHER, WATCHER_RG_KEY, watcherConfigureCommand } from "../../../components/azure/network/prerequisites";
import { PROVIDERS_GET } from "../../../components/azure/providerRegistration";
import { AKS_KUBERNETES_VERSIONS, supportedMinors, versionSupport } from "../../../components/kubernetes/versions";
import {
  AZURE_RESERVED_PER_SUBNET,
  envelope,
  cidrOf,
  grants,
  poolsOf,
  propertiesPrefix,
  BLOB_WRITE,
  DNS_ZONE_WRITE,
  type RoleNeed,
  show,
  SUBNET_JOIN,
  VNET_JOIN,
  sizeOf,
  subnetPrefixes,
  T,
  userAssignedIdentityIds,
  waitsFor,
} from "./helpers";
import { isUnknown, lastSegment, list, obj, type PlanIndex, type PlanResource, subscriptionOfId, vnetOfSubnet } from "./plan";
import type { AzureRule, RuleFinding } from "./types";

const DOCS = {
  names: "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules",
  nodePoolNames: "https://learn.microsoft.com/azure/aks/create-node-pools",
  byoCni: "https://learn.microsoft.com/azure/aks/use-byo-cni",
  ipPlanning: "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning",
  privateClusters: "https://learn.microsoft.com/azure/aks/private-clusters",
  internalLb: "https://learn.microsoft.com/azure/aks/internal-lb",
  kubeProxy: "https://learn.microsoft.com/azure/aks/configure-kube-proxy",
  versions: "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions",
  lts: "https://learn.microsoft.com/azure/aks/long-term-support",
  hostEncryption: "https://learn.microsoft.com/azure/aks/enable-host-encryption",
  ssh: "https://learn.microsoft.com/azure/aks/manage-ssh-node-access",
  appGwInfra: "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure",
  vnetFaq: "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq",
  peering: "https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview",
  manageSubnet: "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet",
  blobFeatures: "https://learn.microsoft.com/azure/storage/blobs/storage-feature-support-in-storage-accounts",
  versioning: "https://learn.microsoft.com/azure/storage/blobs/versioning-overview",
  nfsShares: "https://learn.microsoft.com/azure/storage/files/files-nfs-protocol",
  nfsCreate: "https://learn.microsoft.com/azure/storage/files/storage-files-how-to-create-nfs-shares",
  secureTransfer: "https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer",
  sasPolicy: "https://learn.microsoft.com/azure/storage/common/sas-expiration-policy",
  roleAssignmentsTemplate: "https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template",
  builtInRoles: "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles",
  nsgFlowLogs: "https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview",
  vnetFlowLogs: "https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview",
  flowLogIdentity: "https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-managed-identity",
  flowLogInsights: "https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-portal#register-insights-provider",
  networkWatcherCreate: "https://learn.microsoft.com/azure/network-watcher/network-watcher-create",
  flowLogTemplate: "https://learn.microsoft.com/azure/templates/microsoft.network/networkwatchers/flowlogs",
} as const;

/** The spoke a VNet belongs to (network stack tag `k8tre-spoke`), for config keys. */
function spokeOf(plan: PlanIndex, vnetId: string): string | undefined {
  const vnet = plan.byArmId(vnetId);
  const tag = obj(vnet?.inputs.tags)["k8tre-spoke"];
  return typeof tag === "string" ? tag : undefined;
}

/** The network stack (the stack that declares `vnetId`), for config keys that live there. */
function declaringStack(plan: PlanIndex, id: string): string | undefined {
  return plan.byArmId(id)?.stack;
}

/** The cluster's control-plane identity, when it is a user-assigned identity declared in the plan. */
function controlPlaneIdentity(cluster: PlanResource, plan: PlanIndex): PlanResource | undefined {
  const [id] = userAssignedIdentityIds(cluster);
  return id ? plan.byArmId(id) : undefined;
}

/**
 * A role prerequisite: `roles` granted to the cluster's control-plane identity at `target` (or
 * above), declared in the plan, and created before the cluster.
 */
function roleFindings(cluster: PlanResource, plan: PlanIndex, target: string, need: RoleNeed, property: string, why: string): RuleFinding[] {
  const roleName = need.label;
  const identity = controlPlaneIdentity(cluster, plan);
  if (!identity) {
    return [{ property: "identity.userAssignedIdentities", message: `the control-plane identity is not a user-assigned identity declared in the evaluated plans, so its ${roleName} grant on ${target} cannot be checked; AKS needs it (${why})` }];
  }
  const found = grants(plan, identity, need, target);
  if (!found.length) {
    const where = /\/subnets\/[^/]+$/i.test(target) ? `subnet ${lastSegment(vnetOfSubnet(target))}/${lastSegment(target)}` : lastSegment(target);
    return [{ property, message: `the control-plane identity ${identity.name} has no role assignment on ${where} or a parent scope granting ${roleName} in the plan; ${why}` }];
  }
  if (!found.some((ra) => waitsFor(plan, cluster, ra))) {
    return [{ property, message: `the grant ${found.map((r) => r.name).join(", ")} on ${lastSegment(target)} exists but the cluster does not depend on it: on a fresh deploy AKS can be created before the grant and fail (${why})` }];
  }
  return [];
}

/** Node subnets of a cluster's pools. */
function nodeSubnetIds(cluster: PlanResource, plan: PlanIndex): string[] {
  return [...new Set(poolsOf(cluster, plan).map((p) => p.inputs.vnetSubnetID).filter((s): s is string => typeof s === "string" && !isUnknown(s)))];
}

/**
 * A subscription feature prerequisite, met in one of two ways: a read-only preflight (the program
 * reads `features:getSubscriptionFeatureRegistration` through the provider of the resource's
 * subscription and refuses to continue unless it is Registered: components/azure/cluster/
 * prerequisites.ts), or a `features:SubscriptionFeatureRegistration` resource in that subscription
 * that the resource depends on.
 */
function featureFindings(r: PlanResource, plan: PlanIndex, ns: string, feature: string, property: string, configKey?: string): RuleFinding[] {
  const sub = r.subscriptionId;
  const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();
  const preflight = plan.invokes.some((i) => i.stack === r.stack && i.token === "azure-native:features:getSubscriptionFeatureRegistration" && same(i.inputs.providerNamespace, ns) && same(i.inputs.featureName, feature) && i.subscriptionId === sub);
  if (preflight) return [];
  const regs = plan.ofType(T.feature).filter((f) => same(f.inputs.providerNamespace, ns) && same(f.inputs.featureName, feature) && f.subscriptionId === sub);
  const fix = `az feature register --subscription ${sub} --namespace ${ns} --name ${feature} && az provider register --subscription ${sub} --namespace ${ns}`;
  if (!regs.length) {
    return [{ property, message: `needs the subscription feature ${ns}/${feature} in subscription ${sub}; the plan neither checks it (a getSubscriptionFeatureRegistration preflight through that subscription's provider) nor registers it (by hand: ${fix})`, configKey }];
  }
  if (!regs.some((f) => waitsFor(plan, r, f))) {
    return [{ property, message: `the registration of ${ns}/${feature} (${regs.map((f) => f.name).join(", ")}) is declared but this resource does not depend on it: on a fresh deploy it can be created first and be refused`, configKey }];
  }
  return [];
}

function nameFinding(value: unknown, property: string, ok: boolean, rule: string, configKey?: string): RuleFinding[] {
  if (typeof value !== "string" || isUnknown(value) || ok) return [];
  return [{ property, message: `${show(value)} is not a valid name: ${rule}`, configKey }];
}

const STORAGE_NAME = /^[a-z0-9]{3,24}$/;
const VAULT_NAME = /^(?=.{3,24}$)[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/;
const CLUSTER_NAME = /^(?=.{1,63}$)[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/;
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Key names the program derives resource names from. */
const NAME_KEYS = "k8tre:prefix / k8tre:environment (names derive from them; config/naming.ts)";

export const azureRules: readonly AzureRule[] = [
  // ----------------------------------------------------------------------------------- names
  {
    id: "name-storage-account",
    title: "Storage account names are 3-24 characters, lowercase letters and numbers only.",
    level: "error",
    types: [T.storageAccount],
    sources: [DOCS.names],
    check: (r) => nameFinding(r.inputs.accountName, "accountName", STORAGE_NAME.test(String(r.inputs.accountName)), "3-24 characters, lowercase letters and numbers only", NAME_KEYS),
  },
  {
    id: "name-key-vault",
    title: "Key Vault names are 3-24 characters: alphanumerics and hyphens, start with a letter, end with a letter or digit, no consecutive hyphens.",
    level: "error",
    types: [T.vault],
    sources: [DOCS.names],
    check: (r) =>
      nameFinding(r.inputs.vaultName, "vaultName", VAULT_NAME.test(String(r.inputs.vaultName)), "3-24 alphanumerics and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens", NAME_KEYS),
  },
  {
    id: "name-aks-cluster",
    title: "AKS cluster names are 1-63 characters: alphanumerics, underscores and hyphens, starting and ending with an alphanumeric.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.names],
    check: (r) => {
      const name = r.raw.inputs.resourceName;
      return nameFinding(name, "resourceName", CLUSTER_NAME.test(String(name)), "1-63 alphanumerics, underscores and hyphens, starting and ending with an alphanumeric", NAME_KEYS);
    },
  },
  {
    id: "name-aks-node-pool",
    title: "Linux node pool names are 1-12 lowercase letters and numbers, starting with a letter.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.names, DOCS.nodePoolNames],
    check: (r, plan) =>
      poolsOf(r, plan).flatMap((p, i) =>
        nameFinding(p.name, p.path ? `${p.path}.name` : `agentPoolName (${p.resource.name})`, POOL_NAME.test(p.name), "1-12 lowercase letters and numbers, starting with a letter", p.inputs.mode === "System" ? "k8tre:cluster.systemPool" : `k8tre:cluster.userPools[${Math.max(0, i - 1)}].name`),
      ),
  },
  {
    id: "role-assignment-name-guid",
    title: "A role assignment's name must be a GUID.",
    level: "error",
    types: [T.roleAssignment],
    sources: [DOCS.roleAssignmentsTemplate],
    check: (r) => nameFinding(r.inputs.roleAssignmentName, "roleAssignmentName", GUID.test(String(r.inputs.roleAssignmentName)), "role assignment names are GUIDs"),
  },

  // ---------------------------------------------------------------------- AKS network grants
  {
    id: "aks-node-subnet-network-contributor",
    title: "The cluster identity needs Network Contributor (subnets/join, subnets/read) on the node subnet of a custom VNet, before the cluster is created.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.byoCni, DOCS.builtInRoles],
    check: (r, plan) =>
      nodeSubnetIds(r, plan).flatMap((subnet) =>
        roleFindings(r, plan, subnet, SUBNET_JOIN, `${propertiesPrefix(r)}agentPoolProfiles[].vnetSubnetID`, "AKS joins the node subnet with the cluster identity and refuses the create without subnets/join/action"),
      ),
  },
  {
    id: "aks-private-dns-zone-contributor",
    title: "A private cluster with a custom private DNS zone needs Private DNS Zone Contributor for its identity on the zone, before the cluster is created.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.privateClusters],
    check: (r, plan) => {
      const zone = obj(r.inputs.apiServerAccessProfile).privateDNSZone;
      if (typeof zone !== "string" || isUnknown(zone) || !zone.startsWith("/")) return [];
      return roleFindings(r, plan, zone, DNS_ZONE_WRITE, `${propertiesPrefix(r)}apiServerAccessProfile.privateDNSZone`, "AKS writes the API server's A record into the custom zone");
    },
  },
  {
    id: "aks-private-dns-zone-vnet-link",
    title: "If the custom private DNS zone is not linked to the cluster VNet, the cluster identity must be able to link it (virtualNetworks/join: Network Contributor on the VNet).",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.privateClusters],
    check: (r, plan) => {
      const zone = obj(r.inputs.apiServerAccessProfile).privateDNSZone;
      if (typeof zone !== "string" || isUnknown(zone) || !zone.startsWith("/")) return [];
      return nodeSubnetIds(r, plan).flatMap((subnet) => {
        const vnet = vnetOfSubnet(subnet.toLowerCase());
        const linked = plan.ofType(T.zoneLink).some((l) => String(obj(l.inputs.virtualNetwork).id ?? "").toLowerCase() === vnet && zone.toLowerCase().endsWith(`/${String(l.inputs.privateZoneName).toLowerCase()}`));
        if (linked) return [];
        return roleFindings(r, plan, vnet, VNET_JOIN, `${propertiesPrefix(r)}apiServerAccessProfile.privateDNSZone`, `no link of the zone to the cluster VNet ${lastSegment(vnet)} is in the plan, so AKS creates one, which needs Microsoft.Network/virtualNetworks/join/action on the VNet`);
      });
    },
  },
  {
    id: "aks-ingress-subnet-network-contributor",
    title: "An internal load balancer in another subnet (azure-load-balancer-internal-subnet) needs the cluster identity's Network Contributor on that subnet.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.internalLb, DOCS.byoCni],
    check: (r, plan) => {
      const subnets = nodeSubnetIds(r, plan);
      if (!subnets.length) return [];
      const vnet = vnetOfSubnet(subnets[0].toLowerCase());
      const names = new Set<string>();
      for (const k of plan.resources) {
        if (k.stack !== r.stack || !k.type.startsWith("kubernetes:")) continue;
        const found = findAnnotation(k.raw.inputs, "service.beta.kubernetes.io/azure-load-balancer-internal-subnet");
        for (const n of found) names.add(n);
      }
      return [...names].flatMap((name) =>
        roleFindings(r, plan, `${vnet}/subnets/${name.toLowerCase()}`, SUBNET_JOIN, "(Kubernetes annotation service.beta.kubernetes.io/azure-load-balancer-internal-subnet)", `the internal load balancer's frontend IP is allocated in ${name} by the cluster identity; without the grant the Service never gets an IP`),
      );
    },
  },

  // ------------------------------------------------------------------------- AKS versions
  {
    id: "aks-supported-version",
    title: "AKS creates clusters and node pools only on a Kubernetes minor in support (past community support, only with the Premium tier and the AKSLongTermSupport plan, until LTS ends).",
    level: "error",
    types: [T.cluster, T.agentPool],
    sources: [DOCS.versions, DOCS.lts],
    check: (r, plan, ctx) => {
      // The calendar: config/kubernetes-versions.ts (re-exported by components/kubernetes/versions.ts).
      const cluster = r.type === T.cluster ? r : plan.ofType(T.cluster).find((c) => c.stack === r.stack && (c.raw.inputs.resourceName ?? c.inputs.resourceName) === r.inputs.resourceName);
      const lts = !!cluster && obj(envelope(cluster).sku).tier === "Premium" && cluster.inputs.supportPlan === "AKSLongTermSupport";
      const versions: Array<[string, unknown, string]> =
        r.type === T.cluster
          ? [[`${propertiesPrefix(r)}kubernetesVersion`, r.inputs.kubernetesVersion, "k8tre:cluster.kubernetesVersion"], ...list(r.inputs.agentPoolProfiles).map((p, i): [string, unknown, string] => [`${propertiesPrefix(r)}agentPoolProfiles[${i}].orchestratorVersion`, obj(p).orchestratorVersion, "k8tre:cluster.kubernetesVersion"])]
          : [["orchestratorVersion", r.inputs.orchestratorVersion, "k8tre:cluster.kubernetesVersion"]];
      const out: RuleFinding[] = [];
      for (const [property, v, key] of versions) {
        if (typeof v !== "string" || isUnknown(v)) continue;
        const s = versionSupport(AKS_KUBERNETES_VERSIONS, v, ctx.now, lts);
        const supported = () => supportedMinors(AKS_KUBERNETES_VERSIONS, ctx.now).join(", ");
        let why: string | undefined;
        if (s.status === "unknown") why = `${s.minor} is not in the AKS release calendar (supported on ${ctx.now.toISOString().slice(0, 10)}: ${supported()})`;
        else if (s.status === "not-yet-ga") why = `${s.row.minor} is not generally available on AKS before ${s.row.ga}`;
        else if (s.status === "lts-only") why = `${s.row.minor} left community support on ${s.row.endOfLife}; AKS creates it only with long-term support (sku.tier Premium and supportPlan AKSLongTermSupport), until ${s.row.ltsEndOfLife}; supported: ${supported()}`;
        else if (s.status === "out-of-support") why = `${s.row.minor} went out of ${s.lts ? "long-term " : ""}support on ${s.until}; supported: ${supported()}`;
        if (why) out.push({ property, message: `Kubernetes ${v}: ${why}`, configKey: key });
      }
      return out;
    },
  },

  // ----------------------------------------------------------------------- AKS sizing, CNI
  {
    id: "aks-node-subnet-capacity",
    title: "The node subnet holds every node at maximum scale plus upgrade surge (and, with a flat CNI, their pods), after Azure's 5 reserved addresses.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.ipPlanning, DOCS.byoCni, DOCS.vnetFaq],
    check: (r, plan) => {
      const net = obj(r.inputs.networkProfile);
      const podsFromSubnet = !(net.networkPlugin === "none" || net.networkPluginMode === "overlay" || net.networkPlugin === "kubenet" || net.networkDataplane === "cilium" && net.networkPluginMode === "overlay");
      const bySubnet = new Map<string, number>();
      for (const p of poolsOf(r, plan)) {
        const s = p.inputs.vnetSubnetID;
        if (typeof s !== "string" || isUnknown(s)) continue;
        const max = Number(p.inputs.enableAutoScaling ? (p.inputs.maxCount ?? p.inputs.count) : p.inputs.count) || 1;
        const surgeText = String(obj(p.inputs.upgradeSettings).maxSurge ?? "1");
        const surge = surgeText.endsWith("%") ? Math.ceil((max * Number(surgeText.slice(0, -1))) / 100) : Number(surgeText) || 1;
        const nodes = max + surge;
        const perNode = podsFromSubnet ? 1 + (Number(p.inputs.maxPods) || 30) : 1;
        bySubnet.set(s.toLowerCase(), (bySubnet.get(s.toLowerCase()) ?? 0) + nodes * perNode);
      }
      const out: RuleFinding[] = [];
      for (const [id, needed] of bySubnet) {
        const subnet = plan.subnet(id);
        const prefix = subnet && subnetPrefixes(subnet.inputs)[0];
        if (!subnet || !prefix) continue;
        const usable = Number(sizeOf(prefix)) - AZURE_RESERVED_PER_SUBNET;
        if (needed > usable) {
          const spoke = spokeOf(plan, subnet.vnetId);
          out.push({
            property: `${propertiesPrefix(r)}agentPoolProfiles[].vnetSubnetID`,
            message: `node subnet ${subnet.name} (${prefix.text}) has ${usable} usable addresses but the pools need ${needed} at maximum scale with upgrade surge${podsFromSubnet ? " (nodes and their pods: flat CNI)" : ""}; scale-out and upgrades fail with SubnetIsFull`,
            configKey: `k8tre:cluster.systemPool.maxCount / k8tre:cluster.userPools[].maxCount in Pulumi.${r.stack}.yaml${spoke ? `, or a larger k8tre:network.spokes.${spoke}.nodeSubnet in Pulumi.${declaringStack(plan, subnet.vnetId) ?? "network"}.yaml` : ""}`,
          });
        }
      }
      return out;
    },
  },
  {
    id: "aks-kube-proxy-byo-cni",
    title: "Disabling kube-proxy is supported only with bring-your-own CNI (networkPlugin: none).",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.kubeProxy, DOCS.byoCni],
    check: (r) => {
      const net = obj(r.inputs.networkProfile);
      if (obj(net.kubeProxyConfig).enabled !== false || net.networkPlugin === "none") return [];
      return [{ property: `${propertiesPrefix(r)}networkProfile.kubeProxyConfig.enabled`, message: `kube-proxy is disabled but networkPlugin is ${show(net.networkPlugin)}: nothing would implement Services; AKS accepts a disabled kube-proxy only with BYO CNI`, configKey: "k8tre:cluster.kubeProxy" }];
    },
  },

  // --------------------------------------------------------------- subscription prerequisites
  {
    id: "aks-feature-encryption-at-host",
    title: "Host-based encryption needs the Microsoft.Compute/EncryptionAtHost feature registered in the cluster's subscription.",
    level: "error",
    types: [T.cluster, T.agentPool],
    sources: [DOCS.hostEncryption],
    check: (r, plan) => {
      const pools = r.type === T.agentPool ? [{ inputs: r.inputs, path: "enableEncryptionAtHost" }] : list(r.inputs.agentPoolProfiles).map((p, i) => ({ inputs: obj(p), path: `${propertiesPrefix(r)}agentPoolProfiles[${i}].enableEncryptionAtHost` }));
      const first = pools.find((p) => p.inputs.enableEncryptionAtHost === true);
      return first ? featureFindings(r, plan, "Microsoft.Compute", "EncryptionAtHost", first.path) : [];
    },
  },
  {
    id: "aks-feature-kube-proxy-configuration",
    title: "A kube-proxy configuration (kube-proxy disabled) needs the Microsoft.ContainerService/KubeProxyConfigurationPreview feature registered in the cluster's subscription.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.kubeProxy],
    check: (r, plan) =>
      obj(obj(r.inputs.networkProfile).kubeProxyConfig).enabled === false
        ? featureFindings(r, plan, "Microsoft.ContainerService", "KubeProxyConfigurationPreview", `${propertiesPrefix(r)}networkProfile.kubeProxyConfig`, "k8tre:cluster.kubeProxy")
        : [],
  },

  {
    id: "aks-feature-disable-ssh",
    title: "Node pools with SSH disabled (securityProfile.sshAccess Disabled, preview) need the Microsoft.ContainerService/DisableSSHPreview feature in the cluster's subscription.",
    level: "error",
    types: [T.cluster, T.agentPool],
    sources: [DOCS.ssh],
    check: (r, plan) => {
      const pools = r.type === T.agentPool ? [{ inputs: r.inputs, path: "securityProfile.sshAccess" }] : list(r.inputs.agentPoolProfiles).map((p, i) => ({ inputs: obj(p), path: `${propertiesPrefix(r)}agentPoolProfiles[${i}].securityProfile.sshAccess` }));
      const first = pools.find((p) => obj(p.inputs.securityProfile).sshAccess === "Disabled");
      return first ? featureFindings(r, plan, "Microsoft.ContainerService", "DisableSSHPreview", first.path) : [];
    },
  },

  // ------------------------------------------------------------------------------ storage
  {
    id: "storage-hns-no-versioning",
    title: "Blob versioning is not supported on accounts with a hierarchical namespace (Data Lake Storage).",
    level: "error",
    types: [T.blobService],
    sources: [DOCS.blobFeatures, DOCS.versioning],
    check: (r, plan) => {
      if (r.inputs.isVersioningEnabled !== true) return [];
      const account = accountOf(plan, r);
      if (account?.inputs.isHnsEnabled !== true) return [];
      return [{ property: "isVersioningEnabled", message: `blob versioning on ${account.inputs.accountName}, which has a hierarchical namespace (isHnsEnabled): Azure refuses the blob service properties` }];
    },
  },
  {
    id: "storage-nfs-premium-filestorage",
    title: "NFS file shares exist only on premium FileStorage accounts (Premium_LRS/Premium_ZRS) with secure transfer (HTTPS only) off, reached through a private endpoint or service endpoint.",
    level: "error",
    types: [T.storageClass, T.fileShare],
    sources: [DOCS.nfsShares, DOCS.nfsCreate, DOCS.secureTransfer],
    check: (r, plan) => {
      const params = obj(r.raw.inputs.parameters);
      const nfs = r.type === T.storageClass ? r.raw.inputs.provisioner === "file.csi.azure.com" && String(params.protocol ?? "").toLowerCase() === "nfs" : String(r.inputs.enabledProtocols ?? "").toUpperCase() === "NFS";
      if (!nfs) return [];
      const out: RuleFinding[] = [];
      const where = r.type === T.storageClass ? "parameters.storageAccount" : "accountName";
      const name = r.type === T.storageClass ? params.storageAccount : r.inputs.accountName;
      if (r.type === T.storageClass && !name) {
        if (!/^Premium_/.test(String(params.skuName ?? ""))) out.push({ property: "parameters.skuName", message: `an NFS class that lets the CSI driver create its account must ask for a Premium_LRS or Premium_ZRS FileStorage account (found skuName ${show(params.skuName)})` });
        return out;
      }
      const account = plan.ofType(T.storageAccount).find((a) => a.inputs.accountName === name);
      if (!account) return out;
      const sku = String(obj(account.inputs.sku).name ?? "");
      if (account.inputs.kind !== "FileStorage" || !/^Premium_(LRS|ZRS)$/.test(sku)) out.push({ property: where, message: `NFS shares need a premium FileStorage account; ${name} is kind ${show(account.inputs.kind)} with sku ${show(sku)}: volumes never provision` });
      if (account.inputs.enableHttpsTrafficOnly !== false) out.push({ property: where, message: `${name} requires secure transfer (enableHttpsTrafficOnly ${show(account.inputs.enableHttpsTrafficOnly ?? true)}), which NFS mounts cannot satisfy` });
      return out;
    },
  },
  {
    id: "storage-sas-policy-format",
    title: "A SAS expiration policy has a period DD.HH:MM:SS and an action Log or Block.",
    level: "error",
    types: [T.storageAccount],
    sources: [DOCS.sasPolicy],
    check: (r) => {
      const sas = r.inputs.sasPolicy;
      if (sas === undefined) return [];
      const p = obj(sas);
      const out: RuleFinding[] = [];
      if (!/^\d+\.([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(String(p.sasExpirationPeriod))) out.push({ property: "sasPolicy.sasExpirationPeriod", message: `${show(p.sasExpirationPeriod)} is not a period DD.HH:MM:SS (e.g. "7.00:00:00")` });
      if (!["Log", "Block"].includes(String(p.expirationAction))) out.push({ property: "sasPolicy.expirationAction", message: `${show(p.expirationAction)} is not Log or Block` });
      return out;
    },
  },

  {
    id: "aks-private-dns-zone-provider-registration",
    title: "A custom private DNS zone in another subscription than the cluster needs the Microsoft.ContainerService provider registered in that subscription too; the program must check it before the cluster.",
    level: "error",
    types: [T.cluster],
    sources: [DOCS.privateClusters],
    check: (r, plan) => {
      const zone = obj(r.inputs.apiServerAccessProfile).privateDNSZone;
      const zoneSub = typeof zone === "string" && zone.startsWith("/") ? subscriptionOfId(zone) : undefined;
      if (!zoneSub || !r.subscriptionId || zoneSub === r.subscriptionId) return [];
      // The preflight (components/azure/cluster/prerequisites.ts) reads ARM's Providers - Get
      // (https://learn.microsoft.com/rest/api/resources/providers/get) for the zone's
      // subscription; the offline engine records that read with the stack's invokes.
      const checked = plan.invokes.some(
        (i) => i.stack === r.stack && i.token === PROVIDERS_GET && i.subscriptionId === zoneSub && String(i.inputs.resourceProviderNamespace ?? "").toLowerCase() === "microsoft.containerservice",
      );
      if (checked) return [];
      return [
        {
          property: `${propertiesPrefix(r)}apiServerAccessProfile.privateDNSZone`,
          message: `the zone is in subscription ${zoneSub}, the cluster in ${r.subscriptionId}: AKS needs Microsoft.ContainerService registered in both, and the plan does not read its registration in the zone's subscription before the cluster (a Providers - Get preflight; by hand: az provider register --subscription ${zoneSub} --namespace Microsoft.ContainerService)`,
        },
      ];
    },
  },

  // ----------------------------------------------------------------------- flow logs
  {
    id: "flow-log-no-new-nsg-flow-logs",
    title: "NSG flow logs can no longer be created (since 30 June 2025; retired 30 September 2027): a flow log targets a virtual network.",
    level: "error",
    types: [T.flowLog],
    sources: [DOCS.nsgFlowLogs],
    check: (r) => {
      const target = r.inputs.targetResourceId;
      if (typeof target !== "string" || isUnknown(target) || !/\/networksecuritygroups\//i.test(target)) return [];
      return [{ property: "targetResourceId", message: `targets network security group ${lastSegment(target)}; Azure no longer creates NSG flow logs, use a VNet flow log on the VNet instead` }];
    },
  },
  {
    id: "flow-log-storage-in-vnet-region",
    title: "A VNet flow log and its storage account are in the virtual network's region; the storage account is a Standard general-purpose v2 account.",
    level: "error",
    types: [T.flowLog],
    sources: [DOCS.vnetFlowLogs],
    check: (r, plan) => {
      const vnet = plan.byArmId(r.inputs.targetResourceId);
      const account = plan.byArmId(r.inputs.storageId);
      const out: RuleFinding[] = [];
      const region = vnet?.inputs.location;
      if (vnet && typeof r.inputs.location === "string" && r.inputs.location !== region) out.push({ property: "location", message: `the flow log is in ${show(r.inputs.location)} but its VNet ${vnet.name} is in ${show(region)}; a flow log lives on the Network Watcher of the VNet's region` });
      if (vnet && account && account.inputs.location !== region) out.push({ property: "storageId", message: `storage account ${String(account.inputs.accountName)} is in ${show(account.inputs.location)}, the VNet ${vnet.name} in ${show(region)}; Azure requires the flow log's storage account in the VNet's region` });
      const sku = String(obj(account?.inputs.sku).name ?? "");
      if (account && (!sku.startsWith("Standard_") || (account.inputs.kind !== undefined && account.inputs.kind !== "StorageV2"))) out.push({ property: "storageId", message: `storage account ${String(account.inputs.accountName)} is ${show(account.inputs.kind)} ${show(sku)}; flow logs need a Standard general-purpose v2 account` });
      return out;
    },
  },
  {
    id: "flow-log-identity-blob-writer",
    title: "A flow log writing as a user-assigned identity needs Storage Blob Data Contributor on its storage account, granted before the flow log is created.",
    level: "error",
    types: [T.flowLog],
    sources: [DOCS.flowLogIdentity, DOCS.builtInRoles],
    check: (r, plan) => {
      const [id] = userAssignedIdentityIds(r);
      const storageId = r.inputs.storageId;
      if (!id || typeof storageId !== "string" || isUnknown(storageId)) return [];
      const identity = plan.byArmId(id);
      if (!identity) return [{ property: "identity.userAssignedIdentities", message: `the identity ${lastSegment(id)} is not declared in the evaluated plans, so its ${BLOB_WRITE.label} grant on ${lastSegment(storageId)} cannot be checked` }];
      const found = grants(plan, identity, BLOB_WRITE, storageId);
      if (!found.length) return [{ property: "storageId", message: `the identity ${identity.name} has no role assignment granting ${BLOB_WRITE.label} on storage account ${lastSegment(storageId)}; the flow log cannot write its records` }];
      if (!found.some((ra) => waitsFor(plan, r, ra))) return [{ property: "storageId", message: `the grant ${found.map((g) => g.name).join(", ")} exists but the flow log does not depend on it: on a fresh deploy the flow log can be created before its identity may write` }];
      return [];
    },
  },

  {
    id: "flow-log-insights-provider-registration",
    title: "A VNet flow log needs the Microsoft.Insights resource provider registered in its subscription; the program must check it before the flow log.",
    level: "error",
    types: [T.flowLog],
    sources: [DOCS.flowLogInsights],
    check: (r, plan) => {
      const sub = r.subscriptionId;
      if (!sub) return [];
      // The flow logs' preflight (components/azure/network/prerequisites.ts) reads ARM's
      // Providers - Get for each subscription that holds a flow log; the engine records the read.
      const checked = plan.invokes.some((i) => i.stack === r.stack && i.token === PROVIDERS_GET && i.subscriptionId === sub && String(i.inputs.resourceProviderNamespace ?? "").toLowerCase() === "microsoft.insights");
      if (checked) return [];
      return [
        {
          property: "enabled",
          message: `flow logs in subscription ${sub} need the Microsoft.Insights resource provider registered there, and the plan does not read its registration before the flow log (a Providers - Get preflight through that subscription's provider; by hand: az provider register --subscription ${sub} --namespace Microsoft.Insights)`,
        },
      ];
    },
  },
  {
    id: "flow-log-network-watcher",
    title: "A flow log is a child of its region's Network Watcher (networkWatchers/flowLogs), which must exist in the flow log's subscription: the program must read it (or declare it) before the flow log.",
    level: "error",
    types: [T.flowLog],
    sources: [DOCS.flowLogTemplate, DOCS.networkWatcherCreate],
    check: (r, plan) => {
      const rg = r.inputs.resourceGroupName;
      const name = r.inputs.networkWatcherName;
      const sub = r.subscriptionId;
      if (!sub || typeof rg !== "string" || typeof name !== "string" || isUnknown(rg) || isUnknown(name)) return [];
      const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();
      const read = plan.invokes.some((i) => i.stack === r.stack && i.token === GET_NETWORK_WATCHER && i.subscriptionId === sub && same(i.inputs.resourceGroupName, rg) && same(i.inputs.networkWatcherName, name));
      if (read) return [];
      const declared = plan.byArmId(`/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkWatchers/${name}`);
      if (declared?.type === T.networkWatcher) {
        if (waitsFor(plan, r, declared)) return [];
        return [{ property: "networkWatcherName", message: `the watcher ${rg}/${name} is declared (${declared.name}) but the flow log does not depend on it: on a fresh deploy the flow log can be created first and be refused` }];
      }
      const location = String(r.inputs.location ?? name.replace(/^NetworkWatcher_/i, ""));
      return [
        {
          property: "networkWatcherName",
          message: `the plan neither reads the Network Watcher ${rg}/${name} in subscription ${sub} before the flow log (a getNetworkWatcher preflight through that subscription's provider) nor declares it; a flow log on a missing watcher is refused (by hand: ${watcherConfigureCommand({ subscriptionId: sub, location, resourceGroupName: rg })}, or set ${WATCHER_RG_KEY} to where the region's watcher is)`,
          configKey: WATCHER_RG_KEY,
        },
      ];
    },
  },

  // ----------------------------------------------------------------------- App Gateway v2
  {
    id: "appgw-v2-dedicated-subnet",
    title: "An Application Gateway subnet holds application gateways only; no other resource can be deployed in it.",
    level: "error",
    types: [T.appGateway],
    sources: [DOCS.appGwInfra],
    check: (r, plan) => {
      const out: RuleFinding[] = [];
      for (const id of appGwSubnets(r)) {
        for (const other of resourcesInSubnet(plan, id)) {
          if (other.resource.type === T.appGateway) continue;
          out.push({ property: "gatewayIPConfigurations[].subnet.id", message: `subnet ${lastSegment(id)} is the gateway's subnet but ${other.resource.type} ${other.resource.name} (stack ${other.resource.stack}) is also placed in it (${other.property}); Azure refuses other resources in an Application Gateway subnet` });
        }
      }
      return out;
    },
  },
  {
    id: "appgw-v2-subnet-size",
    title: "An Application Gateway v2 subnet has room for the maximum instance count, one address per private frontend, and Azure's 5 reserved addresses.",
    level: "error",
    types: [T.appGateway],
    sources: [DOCS.appGwInfra],
    check: (r, plan) => {
      const tier = String(obj(r.inputs.sku).tier ?? obj(r.inputs.sku).name ?? "");
      if (!/_v2$/i.test(tier)) return [];
      const max = Number(obj(r.inputs.autoscaleConfiguration).maxCapacity ?? obj(r.inputs.sku).capacity ?? 0);
      const privateFrontends = list(r.inputs.frontendIPConfigurations).filter((f) => obj(f).subnet || obj(f).privateIPAddress).length;
      const needed = max + privateFrontends + AZURE_RESERVED_PER_SUBNET;
      const out: RuleFinding[] = [];
      for (const id of appGwSubnets(r)) {
        const subnet = plan.subnet(id);
        const prefix = subnet && subnetPrefixes(subnet.inputs)[0];
        if (!prefix) continue;
        if (Number(sizeOf(prefix)) < needed) {
          out.push({ property: "autoscaleConfiguration.maxCapacity", message: `subnet ${lastSegment(id)} (${prefix.text}) has ${sizeOf(prefix)} addresses; ${max} instances + ${privateFrontends} private frontend(s) + ${AZURE_RESERVED_PER_SUBNET} reserved need ${needed}`, configKey: "k8tre:gateway.maxCapacity or k8tre:network.hub.gatewaySubnet" });
        }
      }
      return out;
    },
  },
  {
    id: "appgw-v2-no-forced-tunnelling",
    title: "Application Gateway v2 does not support a 0.0.0.0/0 route to a virtual appliance on its subnet.",
    level: "error",
    types: [T.appGateway],
    sources: [DOCS.appGwInfra],
    check: (r, plan) => {
      const out: RuleFinding[] = [];
      for (const id of appGwSubnets(r)) {
        const subnet = plan.subnet(id);
        const rtId = obj(subnet?.inputs.routeTable).id;
        for (const route of routesOf(plan, rtId)) {
          if (route.addressPrefix === "0.0.0.0/0" && route.nextHopType === "VirtualAppliance") {
            out.push({ property: "gatewayIPConfigurations[].subnet.id", message: `subnet ${lastSegment(id)} has route table ${lastSegment(String(rtId))} sending 0.0.0.0/0 to a virtual appliance (${route.nextHopIpAddress}); the v2 gateway's management traffic must go to the Internet directly` });
          }
        }
      }
      return out;
    },
  },

  // ------------------------------------------------------------------------------ networks
  {
    id: "subnet-in-vnet-address-space",
    title: "A subnet's prefix lies inside its VNet's address space and does not overlap another subnet of the VNet.",
    level: "error",
    types: [T.vnet],
    sources: [DOCS.manageSubnet],
    check: (r, plan) => {
      const spaces = list(obj(r.inputs.addressSpace).addressPrefixes).map(cidrOf).filter((c) => c !== undefined);
      if (!spaces.length || !r.armId) return [];
      const subnets = plan.allSubnets().filter((s) => s.vnetId === r.armId);
      const out: RuleFinding[] = [];
      const seen: Array<{ name: string; first: bigint; last: bigint; text: string }> = [];
      for (const s of subnets) {
        for (const p of subnetPrefixes(s.inputs)) {
          if (!spaces.some((sp) => sp!.first <= p.first && p.last <= sp!.last)) out.push({ property: `subnets[${s.name}].addressPrefix`, message: `${p.text} is outside the VNet's address space ${spaces.map((x) => x!.text).join(", ")}` });
          const clash = seen.find((o) => o.first <= p.last && p.first <= o.last);
          if (clash) out.push({ property: `subnets[${s.name}].addressPrefix`, message: `${p.text} overlaps subnet ${clash.name} (${clash.text})` });
          seen.push({ name: s.name, first: p.first, last: p.last, text: p.text });
        }
      }
      return out;
    },
  },
  {
    id: "peering-waits-for-vnets",
    title: "A VNet peering is created on an existing VNet towards an existing remote VNet: it must depend on both when the plan declares them.",
    level: "error",
    types: [T.peering],
    sources: [DOCS.peering],
    check: (r, plan) => {
      const out: RuleFinding[] = [];
      const local = r.armId ? plan.byArmId(r.armId.replace(/\/virtualnetworkpeerings\/[^/]+$/, "")) : undefined;
      const remote = plan.byArmId(obj(r.inputs.remoteVirtualNetwork).id);
      for (const [vnet, role, prop] of [[local, "local", "virtualNetworkName"], [remote, "remote", "remoteVirtualNetwork.id"]] as const) {
        if (vnet && !waitsFor(plan, r, vnet)) out.push({ property: prop, message: `the ${role} VNet ${vnet.name} is declared in the plan but the peering does not depend on it: on a fresh deploy the peering can be created before the VNet exists and fail` });
      }
      return out;
    },
  },
  {
    id: "private-endpoint-subnet",
    title: "A private endpoint goes into an existing, non-delegated subnet other than an Application Gateway subnet.",
    level: "error",
    types: [T.privateEndpoint],
    sources: ["https://learn.microsoft.com/azure/private-link/private-endpoint-overview", DOCS.appGwInfra],
    check: (r, plan) => {
      const id = obj(r.inputs.subnet).id;
      if (typeof id !== "string" || isUnknown(id)) return [];
      const vnetDeclared = plan.byArmId(vnetOfSubnet(id));
      const subnet = plan.subnet(id);
      if (vnetDeclared && !subnet) return [{ property: "subnet.id", message: `subnet ${lastSegment(id)} is not declared on VNet ${vnetDeclared.name}` }];
      if (subnet && list(subnet.inputs.delegations).length) return [{ property: "subnet.id", message: `subnet ${subnet.name} is delegated (${list(subnet.inputs.delegations).map((d) => obj(d).serviceName).join(", ")}); private endpoints cannot use a delegated subnet` }];
      if (plan.ofType(T.appGateway).some((g) => appGwSubnets(g).includes(id.toLowerCase()))) return [{ property: "subnet.id", message: `subnet ${lastSegment(id)} is an Application Gateway subnet, which holds application gateways only` }];
      return [];
    },
  },
];

/** The storage account a child resource (blob/file service, share) belongs to. */
function accountOf(plan: PlanIndex, child: PlanResource): PlanResource | undefined {
  return plan.ofType(T.storageAccount).find((a) => a.stack === child.stack && a.inputs.accountName === child.inputs.accountName && a.inputs.resourceGroupName === child.inputs.resourceGroupName);
}

/** Every value of an annotation anywhere in a Kubernetes object's inputs (Services, Gateways' infrastructure annotations, Helm values). */
function findAnnotation(value: unknown, key: string, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) findAnnotation(v, key, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === "string") out.push(v);
      else findAnnotation(v, key, out);
    }
  }
  return out;
}

function appGwSubnets(gw: PlanResource): string[] {
  return list(gw.inputs.gatewayIPConfigurations)
    .map((c) => obj(obj(c).subnet).id)
    .filter((s): s is string => typeof s === "string" && !isUnknown(s))
    .map((s) => s.toLowerCase());
}

/** Resources the plan places in a subnet (node pools, private endpoints, gateways), with the input that places them. */
export function resourcesInSubnet(plan: PlanIndex, subnetId: string): Array<{ resource: PlanResource; property: string }> {
  const id = subnetId.toLowerCase();
  const out: Array<{ resource: PlanResource; property: string }> = [];
  for (const r of plan.resources) {
    if (r.type === T.cluster) {
      list(r.inputs.agentPoolProfiles).forEach((p, i) => {
        if (String(obj(p).vnetSubnetID ?? "").toLowerCase() === id) out.push({ resource: r, property: `agentPoolProfiles[${i}].vnetSubnetID` });
      });
    } else if (r.type === T.agentPool) {
      if (String(r.inputs.vnetSubnetID ?? "").toLowerCase() === id) out.push({ resource: r, property: "vnetSubnetID" });
    } else if (r.type === T.privateEndpoint) {
      if (String(obj(r.inputs.subnet).id ?? "").toLowerCase() === id) out.push({ resource: r, property: "subnet.id" });
    } else if (r.type === T.appGateway) {
      if (appGwSubnets(r).includes(id)) out.push({ resource: r, property: "gatewayIPConfigurations[].subnet.id" });
    }
  }
  return out;
}

/** Routes of a route table (inline `routes` or separate Route resources). */
export function routesOf(plan: PlanIndex, routeTableId: unknown): Array<{ name: string; addressPrefix: string; nextHopType: string; nextHopIpAddress?: string }> {
  const rt = plan.byArmId(routeTableId);
  if (!rt) return [];
  const inline = list(rt.inputs.routes).map((x) => obj(x)).map((x) => ({ name: String(x.name), addressPrefix: String(x.addressPrefix), nextHopType: String(x.nextHopType), nextHopIpAddress: x.nextHopIpAddress as string | undefined }));
  const separate = plan
    .ofType(T.route)
    .filter((x) => x.armId?.startsWith(`${rt.armId}/routes/`))
    .map((x) => ({ name: String(x.inputs.routeName), addressPrefix: String(x.inputs.addressPrefix), nextHopType: String(x.inputs.nextHopType), nextHopIpAddress: x.inputs.nextHopIpAddress as string | undefined }));
  return [...inline, ...separate];
}

