/**
 * `k8tre:aws:Cluster` — a private EKS cluster with Cilium as its whole CNI, shared by the
 * management and environment stacks. In order:
 *
 * 1. a KMS key (rotation on) for secrets envelope encryption, the control-plane log group and
 *    the nodes' root volumes; the log group, KMS-encrypted and retained, before the cluster;
 * 2. the cluster: private endpoint only, authentication mode API (access entries, no aws-auth
 *    ConfigMap), no creator admin, every control-plane log type, no self-managed add-ons
 *    (no VPC CNI, no kube-proxy), deletion protection on protected stacks;
 * 3. access entries with the cluster-admin access policy for the configured principals and the
 *    deployer role — never the account root;
 * 4. a Kubernetes provider whose kubeconfig runs `aws eks get-token` (no stored token);
 * 5. Gateway API CRDs, then Cilium (ENI IPAM, native routing, kube-proxy replacement on the
 *    private endpoint host, Gateway API, L7 proxy, Hubble) through the platform-neutral
 *    Bootstrap component, installed without waiting (no node exists yet);
 * 6. managed node groups only after Cilium: launch templates with IMDSv2 required and hop
 *    limit 1, encrypted gp3 root volumes, every subnet (AZ spread), autoscaling bounds from
 *    config, and Cilium's agent-not-ready taint so workloads wait for the agent.
 *
 * The Cilium operator runs on the host network and tolerates `node.kubernetes.io/not-ready`
 * (chart 1.19.6 values `operator.hostNetwork`, `operator.tolerations`), so it starts on the
 * first NotReady node, attaches ENIs, and the nodes turn Ready. Add-ons that need pod
 * addresses (CoreDNS) and Pod Identity come after (./addons.ts).
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import type * as inputs from "@pulumi/aws/types/input";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EksConfig, NodeGroupConfig } from "../../../config/schema/eks";
import { Bootstrap } from "../../kubernetes/bootstrap";
import { type AwsScope, clusterKmsPolicy, clusterRoleTrust, keyPolicy, MANAGED_POLICIES, managedPolicyArn, nodeRoleTrust } from "./iam";
import { eksKubeconfig, endpointHost } from "./kubeconfig";

export * from "./iam";
export * from "./kubeconfig";

/** Every control-plane log type EKS offers (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";
export const clusterAccessPolicyArn = (partition: string, name: string) => `arn:${partition}:eks::aws:cluster-access-policy/${name}`;

/** Cilium removes this taint once its agent runs on the node (chart value agentNotReadyTaintKey). */
export const CILIUM_NOT_READY_TAINT = { key: "node.cilium.io/agent-not-ready", value: "true", effect: "NO_EXECUTE" } as const;

/** The log group EKS writes control-plane logs to; it must exist (with our retention and key) first. */
export const controlPlaneLogGroupName = (cluster: string) => `/aws/eks/${cluster}/cluster`;

/** Launch template settings an auditor checks (pure). */
export function launchTemplateSettings(ng: Pick<NodeGroupConfig, "diskSizeGb">, kmsKeyArn: pulumi.Input<string>) {
  return {
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", ebs: { volumeSize: ng.diskSizeGb, volumeType: "gp3", encrypted: "true", kmsKeyId: kmsKeyArn, deleteOnTermination: "true" } },
    ],
  };
}

/** Ingress of the API endpoint's security group: 443 from each allowed network and group (pure). */
export function apiIngressRules(cidrs: readonly string[], securityGroupIds: readonly string[]): inputs.ec2.SecurityGroupIngress[] {
  return [
    ...(cidrs.length ? [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [...cidrs], description: "Kubernetes API from the deployer path" }] : []),
    ...(securityGroupIds.length ? [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [...securityGroupIds], description: "Kubernetes API from the deployer" }] : []),
  ];
}

/** Scaling bounds of a node group (the autoscaler owns desiredSize after creation). */
export function scalingConfig(ng: Pick<NodeGroupConfig, "minSize" | "maxSize" | "desiredSize">): { minSize: number; maxSize: number; desiredSize: number } {
  return { minSize: ng.minSize, maxSize: ng.maxSize, desiredSize: ng.desiredSize ?? Math.max(ng.minSize, 1) };
}

export interface EksClusterArgs {
  readonly config: EksConfig;
  /** Physical cluster name (AwsNaming.eksCluster()). */
  readonly clusterName: string;
  /** IAM role names: cluster and node roles. */
  readonly roleNames: { readonly cluster: string; readonly node: string };
  readonly keyAlias: string;
  readonly scope: AwsScope;
  readonly vpcId: pulumi.Input<string>;
  /** Private node subnets, one or more per AZ (control-plane ENIs and nodes). */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Subnets Cilium creates pod ENIs in (large ranges; one per AZ); default: the node subnets. */
  readonly podSubnetIds?: pulumi.Input<string[]>;
  /** Networks that reach the private API endpoint (deployer path, VPN). */
  readonly apiAccessCidrs: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups whose members reach the private API endpoint (e.g. the deployer's). */
  readonly apiAccessSecurityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** The role the deployer assumes (k8tre:aws.assumeRoleArn): gets an admin access entry, and `aws eks get-token` assumes it. */
  readonly deployerRoleArn?: string;
  readonly tags: Record<string, string>;
  /** Protected stack: EKS deletion protection and Pulumi `protect` on the cluster. */
  readonly protect: boolean;
}

export interface EksClusterOptions extends pulumi.ComponentResourceOptions {
  /** The stack's explicit aws provider (never the ambient default). */
  readonly provider: pulumi.ProviderResource;
}

export class Cluster extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  /** The private endpoint's bare host name. */
  readonly endpointHost: pulumi.Output<string>;
  readonly caData: pulumi.Output<string>;
  /** The EKS-managed cluster security group, attached to the control plane and every node (and so to pod ENIs). */
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  /** The additional security group of the API endpoint (443 from the allowed sources). */
  readonly apiSecurityGroupId: pulumi.Output<string>;
  /**
   * A second, rule-less security group on the API endpoint for peers that exist only later (the
   * management ArgoCD): a stack adds standalone 443 ingress rules to it (aws.vpc.SecurityGroupIngressRule)
   * without touching the cluster. Changing a cluster's security groups is possible
   * (UpdateClusterConfig, https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html)
   * but is an asynchronous cluster update; a rule on a group the cluster already has is one EC2 call.
   */
  readonly peerSecurityGroupId: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly k8sProvider: k8s.Provider;
  readonly bootstrap: Bootstrap;
  readonly nodeGroups: eks.NodeGroup[];
  readonly nodeRoleArn: pulumi.Output<string>;
  readonly resource: eks.Cluster;
  /** Access policy associations: anything the deployer does in the cluster depends on them. */
  readonly access: pulumi.Resource[];

  constructor(name: string, args: EksClusterArgs, opts: EksClusterOptions) {
    super("k8tre:aws:Cluster", name, {}, opts);
    const c = args.config;
    const s = args.scope;
    const child = { parent: this, provider: opts.provider };
    const tags = args.tags;

    // 1. Key, log group.
    const key = new kms.Key(
      `${name}-key`,
      {
        description: `EKS ${args.clusterName}: Kubernetes secrets, control-plane logs, node volumes`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(keyPolicy(s, { logs: true, autoscaling: true })),
        tags,
      },
      // Secrets encrypted with it are unreadable without it: never deleted with the stack.
      { ...child, protect: true },
    );
    new kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, child);
    const logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      { name: controlPlaneLogGroupName(args.clusterName), retentionInDays: c.logRetentionDays, kmsKeyId: key.arn, tags },
      // Audit evidence: protected, and it outlives the cluster.
      { ...child, protect: true, retainOnDelete: true },
    );

    // 2. Cluster role, API security group, cluster.
    const clusterRole = new iam.Role(`${name}-cluster-role`, { name: args.roleNames.cluster, assumeRolePolicy: JSON.stringify(clusterRoleTrust()), tags }, child);
    const clusterPolicies: pulumi.Resource[] = MANAGED_POLICIES.cluster.map(
      (p) => new iam.RolePolicyAttachment(`${name}-cluster-${p}`, { role: clusterRole.name, policyArn: managedPolicyArn(s.partition, p) }, child),
    );
    clusterPolicies.push(
      new iam.RolePolicy(`${name}-cluster-kms`, { role: clusterRole.id, name: "secrets-encryption", policy: key.arn.apply((arn) => JSON.stringify(clusterKmsPolicy(arn))) }, child),
    );
    const apiSg = new ec2.SecurityGroup(
      `${name}-api-sg`,
      {
        name: `${args.clusterName}-api`,
        description: `Private API endpoint of EKS ${args.clusterName}: 443 from the allowed sources only`,
        vpcId: args.vpcId,
        ingress: pulumi
          .all([args.apiAccessCidrs, args.apiAccessSecurityGroupIds ?? []])
          .apply(([cidrs, sgs]) => apiIngressRules(cidrs, sgs)),
        // No egress rules: the control plane answers on established connections only.
        egress: [],
        tags: { ...tags, Name: `${args.clusterName}-api` },
      },
      child,
    );

    const peerSg = new ec2.SecurityGroup(
      `${name}-api-peer-sg`,
      {
        name: `${args.clusterName}-api-peers`,
        description: `Private API endpoint of EKS ${args.clusterName}: 443 from peer clusters (standalone rules only)`,
        vpcId: args.vpcId,
        // No in-line `ingress` or `egress` argument: the group's rules are separate resources, and
        // the provider warns against mixing the two ("rule conflicts, perpetual differences, and
        // result in rules being overwritten":
        // https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/). Without an
        // `egress` argument the provider still removes AWS's default allow-all egress rule when it
        // creates the group (same page, "NOTE on Egress rules"); the endpoint's outbound traffic is
        // the cluster security group's business, not this group's.
        tags: { ...tags, Name: `${args.clusterName}-api-peers` },
      },
      child,
    );

    const cluster = new eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: c.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: { subnetIds: args.subnetIds, endpointPrivateAccess: true, endpointPublicAccess: false, securityGroupIds: [apiSg.id, peerSg.id] },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        bootstrapSelfManagedAddons: false,
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: c.serviceCidr },
        upgradePolicy: { supportType: c.supportType },
        deletionProtection: args.protect,
        tags,
      },
      { ...child, dependsOn: [logGroup, ...clusterPolicies], protect: args.protect },
    );
    this.resource = cluster;

    // 3. Access entries (cluster admin) for the configured principals and the deployer.
    const admins = [...new Set([...c.adminPrincipalArns, ...(args.deployerRoleArn ? [args.deployerRoleArn] : [])])];
    this.access = admins.map((principalArn, i) => {
      const entry = new eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, child);
      return new eks.AccessPolicyAssociation(
        `${name}-admin-${i}-policy`,
        { clusterName: cluster.name, principalArn, policyArn: clusterAccessPolicyArn(s.partition, CLUSTER_ADMIN_POLICY), accessScope: { type: "cluster" } },
        { ...child, dependsOn: [entry] },
      );
    });

    // 4. Kubernetes provider: exec token, private endpoint.
    this.endpoint = cluster.endpoint;
    this.endpointHost = cluster.endpoint.apply(endpointHost);
    this.caData = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
    // No credential inside (an exec user), but kept secret like every kubeconfig in this program,
    // so the plan and policy treat it the same on every platform.
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, this.caData])
        .apply(([clusterName, endpoint, caData]) => eksKubeconfig({ clusterName, endpoint, caData, region: s.region, roleArn: args.deployerRoleArn })),
    );
    this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true, deleteUnreachable: false }, { parent: this, dependsOn: this.access });

    // 5. Gateway API CRDs, then Cilium (no nodes yet: do not wait for its pods).
    this.bootstrap = new Bootstrap(
      `${name}-bootstrap`,
      {
        clusterName: args.clusterName,
        apiServerHost: this.endpointHost,
        ipam: pulumi.output(args.podSubnetIds ?? []).apply((subnetIds) => ({
          mode: "eni" as const,
          prefixDelegation: c.cilium.prefixDelegation,
          eniTags: { [`kubernetes.io/cluster/${args.clusterName}`]: "owned" },
          subnetIds,
        })),
        kubeProxyReplacement: true,
        hubbleUi: c.cilium.hubbleUi,
        operatorReplicas: c.cilium.operatorReplicas,
      },
      { parent: this, provider: this.k8sProvider, skipAwait: true, dependsOn: this.access },
    );

    // 6. Node role, launch templates, node groups — after Cilium.
    const nodeRole = new iam.Role(`${name}-node-role`, { name: args.roleNames.node, assumeRolePolicy: JSON.stringify(nodeRoleTrust()), tags }, child);
    const nodePolicies = MANAGED_POLICIES.node.map(
      (p) => new iam.RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: managedPolicyArn(s.partition, p) }, child),
    );
    this.nodeRoleArn = nodeRole.arn;
    // Node access: EC2_LINUX access entry for the node role (API mode has no aws-auth ConfigMap).
    const nodeAccess = new eks.AccessEntry(`${name}-node-access`, { clusterName: cluster.name, principalArn: nodeRole.arn, type: "EC2_LINUX", tags }, child);

    this.nodeGroups = c.nodeGroups.map((ng) => {
      const lt = new ec2.LaunchTemplate(
        `${name}-lt-${ng.name}`,
        {
          name: `${args.clusterName}-${ng.name}`,
          description: `EKS ${args.clusterName} node group ${ng.name}: IMDSv2 only, encrypted gp3 root`,
          ...launchTemplateSettings(ng, key.arn),
          tagSpecifications: [
            { resourceType: "instance", tags: { ...tags, Name: `${args.clusterName}-${ng.name}` } },
            { resourceType: "volume", tags },
          ],
          updateDefaultVersion: true,
          tags,
        },
        child,
      );
      return new eks.NodeGroup(
        `${name}-ng-${ng.name}`,
        {
          clusterName: cluster.name,
          nodeGroupName: `${args.clusterName}-${ng.name}`,
          nodeRoleArn: nodeRole.arn,
          subnetIds: args.subnetIds,
          instanceTypes: ng.instanceTypes,
          amiType: ng.amiType,
          capacityType: ng.capacityType,
          scalingConfig: scalingConfig(ng),
          updateConfig: { maxUnavailable: 1 },
          launchTemplate: { id: lt.id, version: pulumi.interpolate`${lt.latestVersion}` },
          labels: { ...ng.labels, "k8tre.io/node-group": ng.name },
          taints: [CILIUM_NOT_READY_TAINT, ...ng.taints],
          // EKS tags the group's Auto Scaling group for cluster-autoscaler discovery
          // (k8s.io/cluster-autoscaler/enabled, k8s.io/cluster-autoscaler/<cluster>):
          // https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html
          tags,
        },
        // Nodes stay NotReady until Cilium runs: the group follows the Cilium release.
        { ...child, dependsOn: [...this.bootstrap.ready, ...nodePolicies, nodeAccess], ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    });

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.nodeSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);
    this.apiSecurityGroupId = apiSg.id;
    this.peerSecurityGroupId = peerSg.id;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      endpoint: this.endpoint,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
      kmsKeyArn: this.kmsKeyArn,
      kubeconfig: this.kubeconfig,
    });
  }
}
