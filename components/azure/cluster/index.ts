/**
 * `k8tre:azure:Cluster` — a private, Entra-ID-only AKS cluster with BYO CNI, ready for Cilium:
 * resource group, control-plane identity and the role assignments AKS needs before it is
 * created, the cluster (kube-proxy disabled through a preview API, or kept: ADR 0003), user node
 * pools, Log Analytics with control-plane diagnostic settings, and a Kubernetes provider whose
 * kubeconfig authenticates with kubelogin non-interactively. Used by the environment and
 * management stacks.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as resources from "@pulumi/azure-native/resources";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Naming } from "../../../config/naming";
import type { ClusterConfig } from "../../../config/schema/cluster";
import { type KubeloginMode, toKubeloginKubeconfig } from "./kubeconfig";
import type { ProviderReader } from "../providerRegistration";
import { checkFeatures, checkProviders, requiredFeatures, requiredProviders } from "./prerequisites";
import { logWorkspace } from "../monitoring/workspace";
import { assignRole, subscriptionOfId } from "../roleAssignment";
import { stableUuid } from "../../../config/naming";
import {
  channelOwnsVersion,
  CONTROL_PLANE_LOG_CATEGORIES,
  KUBE_PROXY_PREVIEW_API_VERSION,
  type ClusterSpecInput,
  managedClusterBody,
  poolSettings,
  previewClusterProperties,
} from "./spec";

export * from "./kubeconfig";
export * from "./prerequisites";
export * from "./spec";

/** Physical names of the cluster's resources. */
export interface ClusterNames {
  readonly resourceGroup: string;
  readonly cluster: string;
  readonly dnsPrefix: string;
  readonly nodeResourceGroup: string;
  readonly identity: string;
  readonly workspace: string;
}

/** The conventional names for a stack's cluster. */
export function clusterNames(naming: Naming): ClusterNames {
  return {
    resourceGroup: naming.resourceGroup("aks"),
    cluster: naming.aksCluster(),
    dnsPrefix: naming.aksDnsPrefix(),
    nodeResourceGroup: naming.resourceGroup("aks-nodes"),
    identity: naming.resource("id", "aks"),
    workspace: naming.resource("log", "aks"),
  };
}

export interface ClusterArgs {
  readonly config: ClusterConfig;
  readonly names: ClusterNames;
  readonly location: pulumi.Input<string>;
  readonly tenantId: string;
  /** The cluster's subscription (where its feature prerequisites are checked). */
  readonly subscriptionId: string;
  readonly tags: Record<string, string>;
  /** The spoke's node subnet (Network Contributor is granted on it). */
  readonly nodeSubnetId: pulumi.Input<string>;
  /** The spoke's ingress-services subnet (internal load balancers; subnet join is granted on it). */
  readonly ingressSubnetId: pulumi.Input<string>;
  /** The spoke VNet (AKS links the private DNS zone to it; VNet join is granted on it). */
  readonly vnetId: pulumi.Input<string>;
  /** The `privatelink.<region>.azmk8s.io` zone (Private DNS Zone Contributor is granted on it). */
  readonly privateDnsZoneId: pulumi.Input<string>;
  /** Explicit provider for the subscription holding the private DNS zones (connectivity). */
  readonly dnsProvider: pulumi.ProviderResource;
  /** Explicit provider for the subscription holding the node subnet; default: the cluster's. */
  readonly networkProvider?: pulumi.ProviderResource;
  /** Protect the cluster from deletion (production). */
  readonly protect?: boolean;
  /** How the preflight reads provider registrations; default: the process-wide reader (ARM). */
  readonly providerReader?: ProviderReader;
}

interface CustomRoleSpec {
  readonly vnetId: pulumi.Input<string>;
  readonly roleName: pulumi.Input<string>;
  readonly description: string;
  readonly actions: readonly string[];
}

/**
 * A custom role usable only on one VNet (and below), defined in the VNet's subscription, named
 * deterministically from that VNet and its role name (custom role names are unique per tenant).
 */
function customRole(name: string, r: CustomRoleSpec, opts: pulumi.CustomResourceOptions): authorization.RoleDefinition {
  const vnet = pulumi.output(r.vnetId);
  return new authorization.RoleDefinition(
    name,
    {
      roleDefinitionId: pulumi.all([vnet, r.roleName]).apply(([v, roleName]) => stableUuid("role-definition", v.toLowerCase(), roleName)),
      scope: vnet.apply((v) => `/subscriptions/${subscriptionOfId(v)}`),
      roleName: r.roleName,
      description: r.description,
      roleType: "CustomRole",
      permissions: [{ actions: [...r.actions], notActions: [] }],
      assignableScopes: [r.vnetId],
    },
    opts,
  );
}

export interface ClusterOptions extends pulumi.ComponentResourceOptions {
  /** The azure-native provider of the cluster's subscription (required: never the ambient default). */
  readonly provider: pulumi.ProviderResource;
}

export class Cluster extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly resourceGroupId: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly clusterId: pulumi.Output<string>;
  /** The API server's private FQDN (a bare host name). */
  readonly privateFqdn: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  /** Control-plane identity. */
  readonly identityId: pulumi.Output<string>;
  readonly identityPrincipalId: pulumi.Output<string>;
  /** Kubelet identity (object ID), for data-plane grants such as AcrPull. */
  readonly kubeletPrincipalId: pulumi.Output<string | undefined>;
  readonly workspaceId: pulumi.Output<string>;
  /** kubelogin exec kubeconfig (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** Kubernetes provider for everything in the cluster (server-side apply). */
  readonly k8sProvider: k8s.Provider;
  /** The cluster resource (typed or generic preview); depend on it. */
  readonly resource: pulumi.CustomResource;
  readonly kubeProxyDisabled: boolean;
  /**
   * The subscription prerequisites checked before anything is created (./prerequisites.ts): the
   * features of the cluster's subscription, and Microsoft.ContainerService in the private DNS
   * zone's subscription when that is another one.
   */
  readonly preflight: pulumi.Output<string[]>;

  constructor(name: string, args: ClusterArgs, opts: ClusterOptions) {
    // No args to super: a component's inputs hold back every child until they resolve.
    super("k8tre:azure:Cluster", name, {}, opts);
    const c = args.config;
    const provider = opts.provider;
    const child = { parent: this, provider };
    const n = args.names;

    // Nothing is created before the subscription prerequisites check out: the first resources
    // take their names through the check. The zone's subscription is read with the token of the
    // provider that manages the zone.
    const featuresChecked = checkFeatures(args.subscriptionId, requiredFeatures(c), { provider, parent: this });
    const providersChecked = pulumi
      .output(args.privateDnsZoneId)
      .apply((zoneId) => checkProviders(requiredProviders(args.subscriptionId, zoneId), { provider: args.dnsProvider, parent: this }, args.providerReader));
    this.preflight = pulumi.all([featuresChecked, providersChecked]).apply(([f, p]) => [...f, ...p]);
    const afterPreflight = <T>(value: T) => this.preflight.apply(() => value);

    const rg = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: afterPreflight(n.resourceGroup), location: args.location, tags: args.tags }, child);

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: n.identity, resourceGroupName: rg.name, location: args.location, tags: args.tags },
      child,
    );

    // AKS must be able to join nodes/LBs to the subnet and write the API server's A record
    // before it is created; the cluster depends on both grants.
    const subnetGrant = assignRole(
      `${name}-subnet-network-contributor`,
      { scope: args.nodeSubnetId, role: "networkContributor", principalId: identity.principalId },
      { parent: this, provider: args.networkProvider ?? provider },
    );
    const zoneGrant = assignRole(
      `${name}-dns-zone-contributor`,
      { scope: args.privateDnsZoneId, role: "privateDnsZoneContributor", principalId: identity.principalId },
      { parent: this, provider: args.dnsProvider },
    );
    // The Cilium gateway's internal load balancer takes its IP from the ingress subnet (annotation
    // azure-load-balancer-internal-subnet); the cloud controller needs subnets/read + join there:
    // "If you want to define a custom role instead [of Network Contributor], you need
    // Microsoft.Network/virtualNetworks/subnets/join/action, .../subnets/read"
    // (https://learn.microsoft.com/azure/aks/internal-lb). A custom role at subnet scope is
    // narrower than Network Contributor, which could also rewrite the subnet's NSG and routes.
    const netChild = { parent: this, provider: args.networkProvider ?? provider };
    const ingressRole = customRole(`${name}-ingress-subnet-join-role`, {
      vnetId: args.vnetId,
      roleName: afterPreflight(`k8tre ${n.cluster} ingress subnet join`),
      description: "AKS control plane: place internal load balancer frontends in the ingress-services subnet",
      actions: ["Microsoft.Network/virtualNetworks/subnets/read", "Microsoft.Network/virtualNetworks/subnets/join/action"],
    }, netChild);
    const ingressGrant = assignRole(
      `${name}-ingress-subnet-join`,
      { scope: args.ingressSubnetId, role: { definitionId: ingressRole.id }, principalId: identity.principalId, description: "AKS internal load balancer in the ingress subnet" },
      netChild,
    );
    // With a custom private DNS zone AKS links the zone to the cluster VNet when no link exists
    // (landing zones whose zones are linked to the hub only): the identity needs join rights on
    // the VNet. Microsoft documents Network Contributor on the VNet for custom zones
    // (https://learn.microsoft.com/azure/aks/private-clusters, "Private DNS Zone Contributor and
    // Network Contributor roles"); the link itself is a virtualNetworks/join/action on the VNet,
    // so a custom role with that action (and read) is granted instead of the whole of Network
    // Contributor. Granted in both network modes: harmless where a link already exists.
    const vnetRole = customRole(`${name}-vnet-link-role`, {
      vnetId: args.vnetId,
      roleName: afterPreflight(`k8tre ${n.cluster} private DNS VNet link`),
      description: "AKS control plane: link the custom private DNS zone to the cluster VNet",
      actions: ["Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/join/action"],
    }, netChild);
    const vnetGrant = assignRole(
      `${name}-vnet-link-join`,
      { scope: args.vnetId, role: { definitionId: vnetRole.id }, principalId: identity.principalId, description: "AKS links its private DNS zone to the cluster VNet" },
      netChild,
    );

    const workspaceId = c.logAnalyticsWorkspaceId
      ? pulumi.output(c.logAnalyticsWorkspaceId)
      : // The audit trail (kube-audit, Key Vault AuditEvent) is evidence: the workspace is protected,
        // so deleting it is an explicit operator act, not a side effect of destroying an environment.
        logWorkspace(
          `${name}-logs`,
          { workspaceName: n.workspace, resourceGroupName: rg.name, location: args.location, retentionInDays: c.logRetentionDays, publicQuery: c.logPublicQuery, tags: args.tags },
          child,
        ).id;

    const spec: ClusterSpecInput = {
      config: c,
      tenantId: args.tenantId,
      dnsPrefix: n.dnsPrefix,
      nodeResourceGroup: n.nodeResourceGroup,
      nodeSubnetId: args.nodeSubnetId,
      privateDnsZoneId: args.privateDnsZoneId,
      workspaceId,
      tags: args.tags,
    };
    const clusterOpts: pulumi.CustomResourceOptions = {
      ...child,
      dependsOn: [subnetGrant, zoneGrant, ingressGrant, vnetGrant],
      protect: args.protect ?? false,
    };
    const identityArgs = { type: "UserAssigned" as const, userAssignedIdentities: [identity.id] };
    const sku = { name: "Base", tier: c.skuTier };

    this.kubeProxyDisabled = c.kubeProxy === "disabled";
    let clusterName: pulumi.Output<string>;
    let clusterId: pulumi.Output<string>;
    let privateFqdn: pulumi.Output<string>;
    let oidcIssuerUrl: pulumi.Output<string>;
    let kubeletObjectId: pulumi.Output<string | undefined>;
    if (this.kubeProxyDisabled) {
      // The stable API the SDK ships cannot disable kube-proxy: declare the same body through the
      // generic ARM resource at a preview API version (ADR 0003). Autoscaled node counts drift.
      const aks = new resources.Resource(
        `${name}-aks`,
        {
          resourceProviderNamespace: "Microsoft.ContainerService",
          resourceType: "managedClusters",
          parentResourcePath: "",
          apiVersion: KUBE_PROXY_PREVIEW_API_VERSION,
          resourceGroupName: rg.name,
          resourceName: n.cluster,
          location: args.location,
          identity: identityArgs,
          sku,
          tags: args.tags,
          properties: previewClusterProperties(spec),
        },
        { ...clusterOpts, ignoreChanges: ["properties.agentPoolProfiles[0].count", ...(channelOwnsVersion(c) ? ["properties.kubernetesVersion", "properties.agentPoolProfiles[0].orchestratorVersion"] : [])] },
      );
      this.resource = aks;
      clusterName = aks.name;
      clusterId = aks.id;
      const props = aks.properties as pulumi.Output<Record<string, any> | undefined>;
      privateFqdn = props.apply((p) => String(p?.privateFQDN ?? ""));
      oidcIssuerUrl = props.apply((p) => String(p?.oidcIssuerProfile?.issuerURL ?? ""));
      kubeletObjectId = props.apply((p) => p?.identityProfile?.kubeletidentity?.objectId as string | undefined);
    } else {
      const aks = new containerservice.ManagedCluster(
        `${name}-aks`,
        { ...managedClusterBody(spec), resourceGroupName: rg.name, resourceName: n.cluster, location: args.location, identity: identityArgs, sku, tags: args.tags },
        { ...clusterOpts, ignoreChanges: ["agentPoolProfiles[0].count", ...(channelOwnsVersion(c) ? ["kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"] : [])] },
      );
      this.resource = aks;
      clusterName = aks.name;
      clusterId = aks.id;
      privateFqdn = aks.privateFQDN;
      oidcIssuerUrl = aks.oidcIssuerProfile.apply((p) => p?.issuerURL ?? "");
      kubeletObjectId = aks.identityProfile.apply((p) => p?.kubeletidentity?.objectId);
    }

    for (const p of c.userPools) {
      new containerservice.AgentPool(
        `${name}-pool-${p.name}`,
        {
          resourceGroupName: rg.name,
          resourceName: clusterName,
          agentPoolName: p.name,
          mode: "User",
          ...poolSettings(p, c.kubernetesVersion, args.nodeSubnetId, args.tags),
          nodeLabels: p.labels,
          nodeTaints: p.taints,
        },
        { ...child, dependsOn: [this.resource], ignoreChanges: ["count", ...(channelOwnsVersion(c) ? ["orchestratorVersion"] : [])] },
      );
    }

    new monitor.DiagnosticSetting(
      `${name}-diagnostics`,
      {
        name: "k8tre-control-plane",
        resourceUri: clusterId,
        workspaceId,
        logAnalyticsDestinationType: "Dedicated",
        logs: CONTROL_PLANE_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
        metrics: [{ category: "AllMetrics", enabled: true }],
      },
      child,
    );

    const creds = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: rg.name, resourceName: clusterName, format: "exec" },
      { provider, parent: this },
    );
    const mode: KubeloginMode = c.kubeloginMode;
    this.kubeconfig = pulumi.secret(
      creds.apply((r) => {
        const value = r.kubeconfigs?.[0]?.value;
        if (!value) throw new Error(`AKS returned no user kubeconfig for ${n.cluster}`);
        return toKubeloginKubeconfig(Buffer.from(value, "base64").toString("utf8"), { mode, tenantId: args.tenantId });
      }),
    );
    this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true, deleteUnreachable: false }, { parent: this });

    this.resourceGroupName = rg.name;
    this.resourceGroupId = rg.id;
    this.clusterName = clusterName;
    this.clusterId = clusterId;
    this.privateFqdn = privateFqdn;
    this.oidcIssuerUrl = oidcIssuerUrl;
    this.identityId = identity.id;
    this.identityPrincipalId = identity.principalId;
    this.kubeletPrincipalId = kubeletObjectId;
    this.workspaceId = workspaceId;

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      clusterName: this.clusterName,
      clusterId: this.clusterId,
      privateFqdn: this.privateFqdn,
      oidcIssuerUrl: this.oidcIssuerUrl,
      identityId: this.identityId,
      workspaceId: this.workspaceId,
      kubeconfig: this.kubeconfig,
    });
  }
}
