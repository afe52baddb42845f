/**
 * `k8tre:aws:EnvironmentData` — the AWS side of one K8TRE cluster's data besides the cluster:
 * a KMS key (rotation on) for everything the environment stores, an EFS file system encrypted
 * with it (backups on, protected), a mount target in every node subnet (so every AZ the nodes
 * run in), and a security group that admits NFS from the nodes' security group only. The
 * storage classes on top (rwo-default on EBS gp3 with the same key, rwx-default on EFS access
 * points) are declared by the agnostics layer from this component's outputs.
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as efs from "@pulumi/aws/efs";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { type AwsScope, keyPolicy } from "../eks/iam";

export interface EnvironmentDataArgs {
  readonly name: string;
  readonly keyAlias: string;
  readonly scope: AwsScope;
  readonly vpcId: pulumi.Input<string>;
  /**
   * The node subnets, one per AZ (one mount target each). From the network stack's outputs,
   * which a StackReference resolves during preview too, so the mount targets show in the plan.
   */
  readonly subnetIds: pulumi.Input<string[]>;
  /** The nodes' security group (EKS cluster security group): the only NFS source. */
  readonly nodeSecurityGroupId: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

/** EFS settings an auditor checks (pure). */
export function fileSystemSettings(kmsKeyArn: pulumi.Input<string>) {
  return {
    encrypted: true,
    kmsKeyId: kmsKeyArn,
    performanceMode: "generalPurpose",
    throughputMode: "elastic",
    // Infrequent-access tiering after 30 days; back to standard on first access.
    lifecyclePolicies: [{ transitionToIa: "AFTER_30_DAYS" }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }],
  };
}

export class EnvironmentData extends pulumi.ComponentResource {
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly kmsKeyId: pulumi.Output<string>;
  readonly fileSystemId: pulumi.Output<string>;
  readonly fileSystemArn: pulumi.Output<string>;
  readonly mountTargets: pulumi.Output<efs.MountTarget[]>;

  constructor(name: string, args: EnvironmentDataArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:aws:EnvironmentData", name, {}, opts);
    const child = { parent: this, provider: opts.provider };
    const key = new kms.Key(
      `${name}-key`,
      { description: `K8TRE ${args.name}: research data (EFS, EBS volumes, secrets)`, enableKeyRotation: true, deletionWindowInDays: 30, policy: JSON.stringify(keyPolicy(args.scope, { logs: false, autoscaling: false })), tags: args.tags },
      { ...child, protect: true },
    );
    new kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, child);

    const fs = new efs.FileSystem(
      `${name}-efs`,
      { ...fileSystemSettings(key.arn), tags: { ...args.tags, Name: `${args.name}-rwx` } },
      { ...child, protect: true },
    );
    new efs.BackupPolicy(`${name}-efs-backup`, { fileSystemId: fs.id, backupPolicy: { status: "ENABLED" } }, child);
    // TLS-only access, and only through mount targets (no public or cross-account mounts).
    new efs.FileSystemPolicy(
      `${name}-efs-policy`,
      {
        fileSystemId: fs.id,
        bypassPolicyLockoutSafetyCheck: false,
        policy: fs.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
              {
                Sid: "MountThroughMountTargetsOnly",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
                Resource: arn,
                Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
              },
            ],
          }),
        ),
      },
      child,
    );

    const sg = new ec2.SecurityGroup(
      `${name}-efs-sg`,
      {
        name: `${args.name}-efs`,
        description: `EFS of ${args.name}: NFS from the cluster nodes only`,
        vpcId: args.vpcId,
        ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: [args.nodeSecurityGroupId], description: "NFS from the EKS nodes" }],
        egress: [],
        tags: { ...args.tags, Name: `${args.name}-efs` },
      },
      child,
    );
    this.mountTargets = pulumi.output(args.subnetIds).apply((ids) =>
      ids.map((subnetId, i) => new efs.MountTarget(`${name}-efs-mt-${i}`, { fileSystemId: fs.id, subnetId, securityGroups: [sg.id] }, child)),
    );

    this.kmsKeyArn = key.arn;
    this.kmsKeyId = key.keyId;
    this.fileSystemId = fs.id;
    this.fileSystemArn = fs.arn;
    this.registerOutputs({ kmsKeyArn: this.kmsKeyArn, fileSystemId: this.fileSystemId });
  }
}
