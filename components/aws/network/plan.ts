/**
 * Pure pieces of the AWS network: subnet roles and their tags, route-table wiring, VPC endpoint
 * service names, the DNS Firewall's built-in allow list and the IAM/KMS policy documents. No
 * Pulumi here, so each is tested directly.
 */

export type SubnetRole = "nodes" | "pods" | "endpoints" | "public" | "deployer";
export const SUBNET_ROLES: readonly SubnetRole[] = ["nodes", "pods", "endpoints", "public", "deployer"];

/** The tag the clusters and controllers select subnets by. */
export const SUBNET_ROLE_TAG = "k8tre.io/subnet-role";

/**
 * Tags per role. Node subnets carry `kubernetes.io/role/internal-elb` so the AWS Load Balancer
 * Controller places internal load balancers there (kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/subnet_discovery/);
 * public subnets deliberately do not carry `kubernetes.io/role/elb`: nothing in the TRE may
 * create an internet-facing load balancer by discovery. Pod subnets are found by Cilium's ENI
 * IPAM through their IDs or the role tag (docs.cilium.io/en/stable/network/concepts/ipam/eni/).
 */
export function subnetTags(role: SubnetRole): Record<string, string> {
  const tags: Record<string, string> = { [SUBNET_ROLE_TAG]: role };
  if (role === "nodes") tags["kubernetes.io/role/internal-elb"] = "1";
  return tags;
}

export type NatMode = "perAz" | "single" | "none";

/** Which NAT gateway (index) the private route table of zone `az` sends 0.0.0.0/0 to; undefined: no default route. */
export function natFor(mode: NatMode, az: number): number | undefined {
  if (mode === "none") return undefined;
  return mode === "perAz" ? az : 0;
}

/**
 * `com.amazonaws.<region>.<service>` (docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
 * The China partition prefixes most services with `cn.`; this program has not verified every
 * service there, so the prefix follows the documented general form.
 */
export function endpointServiceName(partition: string, region: string, service: string): string {
  return `${partition === "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws"}.${region}.${service}`;
}

/** The DNS suffix of public service hostnames in a partition. */
export function serviceDnsSuffix(partition: string): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/**
 * Domains the DNS Firewall always allows: the TRE's own domain, AWS service names (API endpoints,
 * the private EKS endpoint, ECR, S3), and EC2's internal host names (`*.compute.internal`,
 * `ec2.internal` in us-east-1; docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html). Trailing
 * dots as in the Route53 domain-list examples.
 */
export function builtInAllowedDomains(domain: string, partition: string): string[] {
  const suffix = serviceDnsSuffix(partition);
  return [`${domain}.`, `*.${domain}.`, `*.${suffix}.`, "*.compute.internal.", "ec2.internal.", "*.ec2.internal."];
}

/** Normalises a configured domain to the list form (trailing dot), for de-duplication. */
export function firewallDomain(d: string): string {
  return d.endsWith(".") ? d : `${d}.`;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

/**
 * Key policy of the log encryption key: the account's IAM administers it (the AWS default key
 * policy statement, so access is governed by IAM policies), and CloudWatch Logs in this region may
 * use it only for the named log groups (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export function logsKeyPolicy(p: { partition: string; region: string; accountId: string; logGroupNames: string[] }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountIamAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: `arn:${p.partition}:iam::${p.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsUsesTheKeyForTheseLogGroupsOnly",
        Effect: "Allow",
        Principal: { Service: `logs.${p.region}.${serviceDnsSuffix(p.partition)}` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": p.logGroupNames.map((n) => `arn:${p.partition}:logs:${p.region}:${p.accountId}:log-group:${n}`) } },
      },
    ],
  };
}

/** Trust policy of the flow-log delivery role: the VPC Flow Logs service, for this account's flow logs only (confused-deputy conditions). */
export function flowLogsTrustPolicy(p: { partition: string; region: string; accountId: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": p.accountId },
          ArnLike: { "aws:SourceArn": `arn:${p.partition}:ec2:${p.region}:${p.accountId}:vpc-flow-log/*` },
        },
      },
    ],
  };
}

/** What the delivery role may do: write to its one log group (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html, narrowed). */
export function flowLogsRolePolicy(logGroupArn: string): PolicyDocument {
  const account = logGroupArn.split(":").slice(0, 5).join(":");
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [logGroupArn, `${logGroupArn}:*`] },
      { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: `${account}:log-group:*` },
    ],
  };
}
