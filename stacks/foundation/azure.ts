/**
 * The foundation of every Azure cluster stack (environment or management): the private AKS
 * cluster, Gateway API CRDs and Cilium, Key Vault, storage, private endpoints, workload
 * identities, the environment DNS zone, then the agnostics layer. Wiring only: every decision
 * lives in config and the components.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Agnostics, dnsZoneFromId } from "../../components/agnostics";
import type { AzurePlatform } from "../../components/agnostics/platform";
import { Cluster, clusterNames } from "../../components/azure/cluster";
import { EnvironmentResources, type PrivateDnsZoneKey } from "../../components/azure/environment";
import { parseArmId } from "../../components/azure/network/armId";
import { Bootstrap } from "../../components/kubernetes/bootstrap";
import type { StackContext } from "../context";
import { environmentDomain } from "../domain";
import type { StackOutputs } from "../context";

/** What this stack reads from the network stack (see stacks/network/azure.ts outputs). */
export interface NetworkRefs {
  readonly hubVnetId: pulumi.Output<string>;
  readonly dnsZoneResourceGroupName: pulumi.Output<string>;
  readonly dnsZoneSubscriptionId: pulumi.Output<string>;
  readonly privateDnsZoneIds: pulumi.Output<Record<PrivateDnsZoneKey | "aks", string>>;
  readonly spoke: pulumi.Output<{ vnetId: string; nodeSubnetId: string; ingressSubnetId: string; ingressSubnetName: string; endpointSubnetId: string; subscriptionId: string }>;
}

export function readNetwork(ctx: StackContext): NetworkRefs {
  const ref = ctx.stackRef("network");
  const env = ctx.config.environment;
  const spokes = ref.requireOutput("spokes") as pulumi.Output<Record<string, NetworkRefs["spoke"] extends pulumi.Output<infer T> ? T : never>>;
  return {
    hubVnetId: ref.requireOutput("hubVnetId") as pulumi.Output<string>,
    dnsZoneResourceGroupName: ref.requireOutput("dnsZoneResourceGroupName") as pulumi.Output<string>,
    dnsZoneSubscriptionId: ref.requireOutput("dnsZoneSubscriptionId") as pulumi.Output<string>,
    privateDnsZoneIds: ref.requireOutput("privateDnsZoneIds") as NetworkRefs["privateDnsZoneIds"],
    spoke: spokes.apply((s) => {
      const spoke = s?.[env];
      if (!spoke) throw new Error(`the network stack has no spoke for environment "${env}" (outputs.spokes has: ${Object.keys(s ?? {}).join(", ") || "none"}); add k8tre:network.spokes.${env} to the network stack`);
      return spoke;
    }),
  };
}

/**
 * The agnostics layer (components/agnostics), installed after Cilium: every chart depends on
 * `bootstrap.ready`, and the cloud-facing controllers run as the workload identities above.
 */
export function installAgnostics(
  ctx: StackContext,
  cluster: Cluster,
  bootstrap: Bootstrap,
  env: EnvironmentResources,
  net: NetworkRefs,
): Record<string, unknown> {
  const c = ctx.config;
  const a = c.agnostics;
  if (!a?.enabled) return {};
  const platform: AzurePlatform = {
    kind: "azure",
    tenantId: c.azure!.tenantId,
    subscriptionId: c.azure!.subscriptionId,
    keyVaultUri: env.keyVaultUri,
    dnsZoneName: env.dnsZoneName,
    dnsZoneResourceGroup: net.dnsZoneResourceGroupName,
    dnsZoneSubscriptionId: net.dnsZoneSubscriptionId,
    publicDnsZone: c.dns?.publicZoneId ? dnsZoneFromId(c.dns.publicZoneId) : undefined,
    identities: {
      externalDns: { clientId: env.identities.externalDns.clientId },
      externalSecrets: { clientId: env.identities.externalSecrets.clientId },
      certManager: { clientId: env.identities.certManager.clientId },
    },
    storageAccountName: env.storageAccountNames.files,
    storageResourceGroup: env.resourceGroupName,
    nodeSubnet: {
      vnetResourceGroup: net.spoke.apply((s) => parseArmId(s.nodeSubnetId).resourceGroupName),
      vnetName: net.spoke.apply((s) => parseArmId(s.nodeSubnetId).topName!),
      subnetName: net.spoke.apply((s) => parseArmId(s.nodeSubnetId).name),
    },
    ingressSubnetName: net.spoke.ingressSubnetName,
    location: c.location!,
    fileShareProtocol: c.storage?.fileShareProtocol,
  };
  const agnostics = new Agnostics(
    "agnostics",
    {
      platform,
      domain: environmentDomain(c),
      clusterName: ctx.naming.aksCluster(),
      dependsOn: bootstrap.ready,
      config: a,
    },
    { provider: cluster.k8sProvider },
  );
  return { gatewayHost: agnostics.gatewayHost, secretStoreName: agnostics.secretStoreName };
}

/** What every Azure cluster stack (environment or management) is built on. */
export interface ClusterFoundation {
  readonly cluster: Cluster;
  readonly bootstrap: Bootstrap;
  readonly env: EnvironmentResources;
  readonly net: NetworkRefs;
  /** Outputs of the agnostics layer (empty when it is disabled). */
  readonly agnostics: Record<string, unknown>;
}

/**
 * The private AKS cluster, Gateway API CRDs and Cilium, the cluster's Key Vault, storage,
 * identities and DNS zone, then the agnostics layer. Shared by the environment stacks and the
 * management stack, so both clusters are built the same way.
 */
export function buildClusterFoundation(ctx: StackContext): ClusterFoundation {
  const c = ctx.config;
  const clusterConfig = c.cluster!;
  const azure = c.azure!;
  const naming = ctx.naming;
  const net = readNetwork(ctx);
  const provider = ctx.azureProvider();
  const dnsProvider = ctx.connectivityProvider();

  const cluster = new Cluster(
    "cluster",
    {
      config: clusterConfig,
      names: clusterNames(naming),
      location: c.location!,
      tenantId: azure.tenantId,
      subscriptionId: azure.subscriptionId,
      tags: ctx.tags,
      nodeSubnetId: net.spoke.nodeSubnetId,
      ingressSubnetId: net.spoke.ingressSubnetId,
      vnetId: net.spoke.vnetId,
      privateDnsZoneId: net.privateDnsZoneIds.aks,
      dnsProvider,
      protect: c.protected,
    },
    { provider },
  );

  const bootstrap = new Bootstrap(
    "bootstrap",
    {
      clusterName: c.environment,
      apiServerHost: cluster.privateFqdn,
      podCidr: clusterConfig.podCidr,
      kubeProxyReplacement: clusterConfig.kubeProxy === "disabled",
      hubbleUi: clusterConfig.cilium.hubbleUi,
      operatorReplicas: clusterConfig.cilium.operatorReplicas,
    },
    { provider: cluster.k8sProvider },
  );

  const publicZoneId = c.dns?.publicZoneId;
  const publicZoneSub = publicZoneId ? /^\/subscriptions\/([^/]+)/i.exec(publicZoneId)![1] : undefined;
  const env = new EnvironmentResources(
    "env",
    {
      names: {
        resourceGroup: naming.resourceGroup("data"),
        storageAccounts: { workspace: naming.storageAccount("ws"), core: naming.storageAccount("core"), files: naming.storageAccount("fs") },
        keyVault: naming.keyVault(),
        dnsZone: environmentDomain(c),
        resource: (abbr, purpose) => naming.resource(abbr, purpose),
      },
      location: c.location!,
      tenantId: azure.tenantId,
      tags: ctx.tags,
      storage: c.storage!,
      keyVault: c.keyVault!,
      logAnalyticsWorkspaceId: cluster.workspaceId,
      endpointSubnetId: net.spoke.endpointSubnetId,
      privateDnsZoneIds: net.privateDnsZoneIds,
      dnsZoneResourceGroupName: net.dnsZoneResourceGroupName,
      hubVnetId: net.hubVnetId,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      fileCsiPrincipalId: cluster.identityPrincipalId,
      publicZoneId,
      dnsProvider,
      publicZoneProvider: publicZoneSub ? ctx.azureProvider(publicZoneSub) : undefined,
    },
    { provider },
  );

  const agnostics = installAgnostics(ctx, cluster, bootstrap, env, net);
  return { cluster, bootstrap, env, net, agnostics };
}

/** The outputs every Azure cluster stack exports (the contract later stacks and the docs rely on). */
export function foundationOutputs(ctx: StackContext, f: ClusterFoundation): StackOutputs {
  const { cluster, env, agnostics } = f;
  const azure = ctx.config.azure!;
  return {
    clusterName: cluster.clusterName,
    clusterId: cluster.clusterId,
    resourceGroupName: cluster.resourceGroupName,
    privateFqdn: cluster.privateFqdn,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    kubeconfig: cluster.kubeconfig,
    kubeProxy: ctx.config.cluster!.kubeProxy,
    identities: {
      externalDns: { clientId: env.identities.externalDns.clientId, principalId: env.identities.externalDns.principalId },
      externalSecrets: { clientId: env.identities.externalSecrets.clientId, principalId: env.identities.externalSecrets.principalId },
      certManager: { clientId: env.identities.certManager.clientId, principalId: env.identities.certManager.principalId },
    },
    keyVaultUri: env.keyVaultUri,
    keyVaultName: env.keyVaultName,
    storageAccounts: { workspace: env.storageAccountNames.workspace, core: env.storageAccountNames.core, files: env.storageAccountNames.files },
    dataResourceGroupName: env.resourceGroupName,
    dnsZoneName: env.dnsZoneName,
    dnsZoneId: env.dnsZoneId,
    tenantId: azure.tenantId,
    subscriptionId: azure.subscriptionId,
    ...agnostics,
  };
}
