/**
 * VPC flow logs to a CloudWatch log group encrypted with its own KMS key (rotation on) and kept
 * for the configured retention; delivered by a role only the VPC Flow Logs service of this
 * account can assume, allowed to write to that one group.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { flowLogsRolePolicy, flowLogsTrustPolicy, logsKeyPolicy } from "./plan";

export interface FlowLogsArgs {
  vpcId: pulumi.Input<string>;
  partition: string;
  region: string;
  accountId: string;
  logGroupName: string;
  kmsAlias: string;
  roleName: string;
  retentionDays: number;
  trafficType: "ALL" | "ACCEPT" | "REJECT";
  /** Other network log groups (DNS query logs) encrypted with the same key. */
  otherLogGroupNames?: readonly string[];
}

export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroupName: pulumi.Output<string>;
  readonly logGroupArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly flowLogId: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:aws:FlowLogs", name, {}, opts);
    const parent = { parent: this };

    // Audit evidence: the key and the log group are protected from deletion.
    const key = new kms.Key(`${name}-key`, {
      description: `Encrypts the network logs: ${[args.logGroupName, ...(args.otherLogGroupNames ?? [])].join(", ")}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify(logsKeyPolicy({ partition: args.partition, region: args.region, accountId: args.accountId, logGroupNames: [args.logGroupName, ...(args.otherLogGroupNames ?? [])] })),
    }, { parent: this, protect: true });
    new kms.Alias(`${name}-key`, { name: args.kmsAlias, targetKeyId: key.keyId }, parent);

    const group = new cloudwatch.LogGroup(`${name}-group`, {
      name: args.logGroupName,
      retentionInDays: args.retentionDays,
      kmsKeyId: key.arn,
    }, { parent: this, protect: true });

    const role = new iam.Role(`${name}-role`, {
      name: args.roleName,
      description: "Delivers this VPC's flow logs to its CloudWatch log group",
      assumeRolePolicy: JSON.stringify(flowLogsTrustPolicy(args)),
    }, parent);
    new iam.RolePolicy(`${name}-role`, { role: role.id, policy: group.arn.apply((arn) => JSON.stringify(flowLogsRolePolicy(arn))) }, parent);

    const flowLog = new ec2.FlowLog(`${name}`, {
      vpcId: args.vpcId,
      trafficType: args.trafficType,
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      // One-minute aggregation: what an incident responder needs (the default is ten minutes).
      maxAggregationInterval: 60,
    }, parent);

    this.logGroupName = group.name;
    this.logGroupArn = group.arn;
    this.kmsKeyArn = key.arn;
    this.flowLogId = flowLog.id;
    this.registerOutputs({ logGroupName: this.logGroupName, logGroupArn: this.logGroupArn, kmsKeyArn: this.kmsKeyArn });
  }
}
