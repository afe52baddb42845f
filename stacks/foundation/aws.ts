/**
 * The foundation of every AWS cluster stack (environment or management): the private EKS
 * cluster with Cilium, the environment's data (KMS key, EFS), its private Route53 zone, one Pod
 * Identity per controller, the pinned EKS add-ons, then the agnostics layer. Wiring only: every
 * decision lives in config and the components.
 */
import * as route53 from "@pulumi/aws/route53";
import * as pulumi from "@pulumi/pulumi";
import { Agnostics } from "../../components/agnostics";
import { WORKLOAD_IDENTITIES } from "../../components/agnostics/identities";
import { AWS_LBC } from "../../components/agnostics/ingress";
import type { AwsPlatform } from "../../components/agnostics/platform";
import {
  type AwsScope,
  Cluster,
  certManagerPolicy,
  clusterAutoscalerPolicy,
  externalDnsPolicy,
  externalSecretsPolicy,
  loadBalancerControllerPolicy,
  type PolicyDocument,
} from "../../components/aws/eks";
import { ClusterAddons, PodIdentity } from "../../components/aws/eks/identities";
import { EnvironmentData } from "../../components/aws/environment";
import type { StackConfig } from "../../config/schema";
import type { StackContext, StackOutputs } from "../context";
import { environmentDomain } from "../domain";

/** What a cluster stack reads from the AWS network stack (stacks/network/aws.ts outputs). */
export interface AwsNetworkRefs {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: pulumi.Output<string>;
  readonly nodeSubnetIds: pulumi.Output<string[]>;
  readonly podSubnetIds: pulumi.Output<string[]>;
  readonly clusterApiAccess: pulumi.Output<{ cidrs: string[]; deployerSecurityGroupId?: string }>;
  readonly publicZoneId: pulumi.Output<string | undefined>;
}

export function readAwsNetwork(ctx: StackContext): AwsNetworkRefs {
  const ref = ctx.stackRef("network");
  return {
    vpcId: ref.requireOutput("vpcId") as pulumi.Output<string>,
    vpcCidr: ref.requireOutput("vpcCidr") as pulumi.Output<string>,
    nodeSubnetIds: ref.requireOutput("nodeSubnetIds") as pulumi.Output<string[]>,
    podSubnetIds: ref.requireOutput("podSubnetIds") as pulumi.Output<string[]>,
    clusterApiAccess: ref.requireOutput("clusterApiAccess") as AwsNetworkRefs["clusterApiAccess"],
    publicZoneId: ref.getOutput("publicZoneId") as pulumi.Output<string | undefined>,
  };
}

/** The secret prefix ESO may read (k8tre:secrets.prefix, default k8tre/<environment>). */
export function secretPrefix(c: StackConfig): string {
  return c.secrets?.prefix ?? `k8tre/${c.environment}`;
}

/** The controllers that call AWS and the service accounts they run as (each one Pod Identity). */
export const CONTROLLER_SUBJECTS = {
  externaldns: WORKLOAD_IDENTITIES.externalDns,
  externalsecrets: WORKLOAD_IDENTITIES.externalSecrets,
  certmanager: WORKLOAD_IDENTITIES.certManager,
  lbc: { namespace: AWS_LBC.namespace, serviceAccount: AWS_LBC.serviceAccount },
  // K8TRE's cluster-autoscaler ApplicationSet installs the autoscaler under this service account.
  autoscaler: { namespace: "kube-system", serviceAccount: "cluster-autoscaler-sa" },
} as const;
export type Controller = keyof typeof CONTROLLER_SUBJECTS;

export interface ControllerScope {
  readonly clusterName: string;
  readonly vpcId: string;
  readonly privateZoneId: string;
  readonly publicZoneId?: string;
  readonly secretBackend: "SecretsManager" | "ParameterStore";
  readonly secretPrefix: string;
  readonly dataKeyArn: string;
}

/** What each controller may touch (cert-manager only when a public zone exists for DNS-01). */
export function controllerPolicies(s: AwsScope, i: ControllerScope): Partial<Record<Controller, PolicyDocument>> {
  return {
    externaldns: externalDnsPolicy(s, i.privateZoneId),
    externalsecrets: externalSecretsPolicy(s, i.secretBackend, i.secretPrefix, i.dataKeyArn),
    lbc: loadBalancerControllerPolicy(s, i.clusterName, i.vpcId),
    autoscaler: clusterAutoscalerPolicy(s, i.clusterName),
    ...(i.publicZoneId ? { certmanager: certManagerPolicy(s, i.publicZoneId) } : {}),
  };
}

export interface AwsClusterFoundation {
  readonly cluster: Cluster;
  readonly data: EnvironmentData;
  readonly addons: ClusterAddons;
  readonly zone: route53.Zone;
  readonly net: AwsNetworkRefs;
  readonly identities: Record<string, PodIdentity>;
  readonly agnostics: Record<string, unknown>;
  /** Everything in-cluster work must follow (Cilium, nodes, CoreDNS, Pod Identity agent). */
  readonly ready: pulumi.Resource[];
}

/**
 * The private EKS cluster, its data and identities, the environment zone and the agnostics
 * layer. Shared by the environment stacks and the management stack.
 */
export function buildAwsClusterFoundation(ctx: StackContext): AwsClusterFoundation {
  const c = ctx.config;
  const eks = c.eks!;
  const naming = ctx.awsNaming;
  const provider = ctx.awsProvider();
  const child = { provider };
  const scope: AwsScope = { partition: ctx.awsPartition, accountId: ctx.awsAccountId, region: ctx.awsRegion };
  const net = readAwsNetwork(ctx);
  const clusterName = naming.eksCluster();
  const domain = environmentDomain(c);
  const tags = ctx.tags;

  const cluster = new Cluster(
    "cluster",
    {
      config: eks,
      clusterName,
      roleNames: { cluster: naming.iamRole("eks-cluster"), node: naming.iamRole("eks-node") },
      keyAlias: naming.kmsAlias("eks"),
      scope,
      vpcId: net.vpcId,
      subnetIds: net.nodeSubnetIds,
      podSubnetIds: net.podSubnetIds,
      apiAccessCidrs: pulumi.all([net.clusterApiAccess, eks.apiAccessCidrs]).apply(([a, extra]) => [...new Set([...a.cidrs, ...extra])]),
      apiAccessSecurityGroupIds: net.clusterApiAccess.apply((a) => (a.deployerSecurityGroupId ? [a.deployerSecurityGroupId] : [])),
      deployerRoleArn: c.aws!.assumeRoleArn,
      tags,
      protect: c.protected,
    },
    { provider },
  );

  const data = new EnvironmentData(
    "data",
    {
      name: clusterName,
      keyAlias: naming.kmsAlias("default-storage"),
      scope,
      vpcId: net.vpcId,
      subnetIds: net.nodeSubnetIds,
      nodeSecurityGroupId: cluster.nodeSecurityGroupId,
      tags,
    },
    { provider },
  );

  // The environment's own private zone (ExternalDNS may write here only), in the shared VPC.
  const zone = new route53.Zone(
    "zone",
    { name: domain, comment: `K8TRE ${c.environment}: records ExternalDNS keeps for the cluster's gateway and routes`, vpcs: [{ vpcId: net.vpcId, vpcRegion: scope.region }], forceDestroy: false, tags },
    // The zone's records are derived (ExternalDNS rewrites them), but resolvers and the
    // institution's DNS delegate to it: never deleted with the stack by accident.
    { ...child, protect: true },
  );

  const publicZoneId = c.dns?.route53PublicZoneId;
  const secretBackend = c.secrets?.backend ?? "SecretsManager";  const identities: Record<string, PodIdentity> = {};
  const policies = pulumi
    .all([net.vpcId, zone.zoneId, data.kmsKeyArn])
    .apply(([vpcId, privateZoneId, dataKeyArn]) => controllerPolicies(scope, { clusterName, vpcId, privateZoneId, publicZoneId, secretBackend, secretPrefix: secretPrefix(c), dataKeyArn }));
  const controllers: Controller[] = ["externaldns", "externalsecrets", "lbc", "autoscaler", ...(publicZoneId ? (["certmanager"] as const) : [])];
  for (const key of controllers) {
    identities[key] = new PodIdentity(
      `id-${key}`,
      {
        roleName: naming.iamRole(key),
        clusterName: cluster.clusterName,
        clusterNameValue: clusterName,
        ...CONTROLLER_SUBJECTS[key],
        scope,
        policy: policies.apply((p) => p[key]!),
        associate: true,
        tags,
      },
      { provider, dependsOn: [cluster.resource] },
    );
  }

  const addons = new ClusterAddons(
    "addons",
    {
      clusterName: cluster.clusterName,
      clusterNameValue: clusterName,
      kubernetesVersion: eks.kubernetesVersion,
      scope,
      dataKeyArn: data.kmsKeyArn,
      fileSystemArn: data.fileSystemArn,
      roleNames: { ebsCsi: naming.iamRole("ebs-csi"), efsCsi: naming.iamRole("efs-csi") },
      nodeGroups: cluster.nodeGroups,
      tags,
    },
    { provider },
  );

  const ready: pulumi.Resource[] = [...cluster.bootstrap.ready, ...cluster.nodeGroups, ...addons.ready, ...Object.values(identities).flatMap((i) => i.ready)];
  const agnostics = installAwsAgnostics(ctx, { cluster, data, zone, net, ready, publicZoneId });
  return { cluster, data, addons, zone, net, identities, agnostics, ready };
}

function installAwsAgnostics(
  ctx: StackContext,
  f: { cluster: Cluster; data: EnvironmentData; zone: route53.Zone; net: AwsNetworkRefs; ready: pulumi.Resource[]; publicZoneId?: string },
): Record<string, unknown> {
  const c = ctx.config;
  const a = c.agnostics;
  if (!a?.enabled) return {};
  const platform: AwsPlatform = {
    kind: "aws",
    region: ctx.awsRegion,
    clusterName: ctx.awsNaming.eksCluster(),
    vpcId: f.net.vpcId,
    loadBalancerSourceRanges: pulumi.all([f.net.vpcCidr, f.net.clusterApiAccess]).apply(([vpc, access]) => [...new Set([vpc, ...access.cidrs])]),
    secretBackend: c.secrets?.backend ?? "SecretsManager",
    privateZoneId: f.zone.zoneId,
    publicZoneId: f.publicZoneId,
    kmsKeyArn: f.data.kmsKeyArn,
    fileSystemId: f.data.fileSystemId,
  };
  const agnostics = new Agnostics(
    "agnostics",
    { platform, domain: environmentDomain(c), clusterName: ctx.awsNaming.eksCluster(), dependsOn: f.ready, config: a },
    { provider: f.cluster.k8sProvider },
  );
  return { gatewayHost: agnostics.gatewayHost, secretStoreName: agnostics.secretStoreName };
}

/** The outputs every AWS cluster stack exports. */
export function awsFoundationOutputs(ctx: StackContext, f: AwsClusterFoundation): StackOutputs {
  const c = ctx.config;
  return {
    platform: "aws",
    region: ctx.awsRegion,
    accountId: ctx.awsAccountId,
    clusterName: f.cluster.clusterName,
    clusterArn: f.cluster.clusterArn,
    endpoint: f.cluster.endpoint,
    kubeconfig: f.cluster.kubeconfig,
    nodeSecurityGroupId: f.cluster.nodeSecurityGroupId,
    clusterKmsKeyArn: f.cluster.kmsKeyArn,
    dataKmsKeyArn: f.data.kmsKeyArn,
    fileSystemId: f.data.fileSystemId,
    dnsZoneName: f.zone.name,
    dnsZoneId: f.zone.zoneId,
    secretStore: { backend: c.secrets?.backend ?? "SecretsManager", prefix: secretPrefix(c) },
    podIdentityRoles: Object.fromEntries(Object.entries(f.identities).map(([k, v]) => [k, v.roleArn])),
    ...f.agnostics,
  };
}
