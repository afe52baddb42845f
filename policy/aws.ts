/**
 * AWS rules of the K8TRE TRE baseline, in the style of `rules.ts` (pure: one resource in,
 * violation messages out). Each rule names the AWS Security Hub (Foundational Security Best
 * Practices, FSBP) or CIS AWS Foundations control it implements, so an auditor can map it.
 * Imports from `rules.ts` are types only: `rules.ts` includes this module's rules.
 */
import type { PolicyResource, ResourceRule } from "./rules";

export const AWS_TYPES = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  flowLog: "aws:ec2/flowLog:FlowLog",
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  kmsKey: "aws:kms/key:Key",
  zone: "aws:route53/zone:Zone",
  firewallConfig: "aws:route53/resolverFirewallConfig:ResolverFirewallConfig",
  firewallRule: "aws:route53/resolverFirewallRule:ResolverFirewallRule",
  eksCluster: "aws:eks/cluster:Cluster",
  eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
  eksAccessEntry: "aws:eks/accessEntry:AccessEntry",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamPolicy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
} as const;

/** Every EKS control-plane log type (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** AWS managed policies no K8TRE role may carry (service-wide write or full admin). */
export const FORBIDDEN_MANAGED_POLICY = /(FullAccess|AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/** Findings in an IAM policy document: PassRole on any role, admin wildcards, service-wide wildcards. */
export function iamDocumentFindings(document: unknown): string[] {
  const d = typeof document === "string" ? (JSON.parse(document) as Record<string, any>) : obj(document);
  const out: string[] = [];
  for (const st of list(Array.isArray(d.Statement) ? d.Statement : [d.Statement]).map(obj)) {
    if (st.Effect !== "Allow") continue;
    const actions = ([] as unknown[]).concat(st.Action ?? []).map(String);
    const resources = ([] as unknown[]).concat(st.Resource ?? []).map(String);
    const sid = st.Sid ? `statement ${st.Sid}` : "a statement";
    for (const a of actions) {
      if (a === "*") out.push(`${sid} allows every action ("*")`);
      else if (/^[a-z0-9-]+:\*$/i.test(a)) out.push(`${sid} allows every action of a service (${a})`);
      if (/^iam:(PassRole|\*)$/i.test(a) && resources.some((r) => r === "*" || /:role\/\*$/.test(r) || /:role\/$/.test(r))) {
        out.push(`${sid} allows ${a} on ${resources.join(", ")}: a role that may pass every role can become any of them`);
      }
    }
  }
  return out;
}

/** CloudWatch log retention an auditor expects at least (Security Hub CloudWatch.16 default: 365 days). */
export const MIN_LOG_RETENTION_DAYS = 365;

const show = (v: unknown): string => (v === undefined ? "unset" : JSON.stringify(v));
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, any> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : {});

/** Sources that mean "the whole internet". */
const OPEN = new Set(["0.0.0.0/0", "::/0"]);

function openIngress(r: PolicyResource): string[] {
  if (r.type === AWS_TYPES.ingressRule) {
    const src = r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6;
    return OPEN.has(src) ? [`ingress from ${src} (port ${show(r.inputs.fromPort)}-${show(r.inputs.toPort)}, ${show(r.inputs.ipProtocol)}): allow named networks or security groups only`] : [];
  }
  return list(r.inputs.ingress)
    .map(obj)
    .filter((i) => [...list(i.cidrBlocks), ...list(i.ipv6CidrBlocks)].some((c) => OPEN.has(c)))
    .map((i) => `inline ingress ${show(i.fromPort)}-${show(i.toPort)}/${show(i.protocol)} from the internet: allow named networks or security groups only`);
}

export const awsRules: readonly ResourceRule[] = [
  {
    name: "aws-vpc-flow-logs",
    description: "VPC flow logs capture all traffic, to a log destination, at one-minute aggregation.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EC2.6 (VPC flow logging enabled); CIS AWS 3.7; SATRE: audit and monitoring",
    resourceTypes: [AWS_TYPES.flowLog],
    check: (r) => {
      const v: string[] = [];
      if (r.inputs.trafficType !== "ALL") v.push(`trafficType must be "ALL" (found ${show(r.inputs.trafficType)}): rejected and accepted traffic are both evidence`);
      if (!("logDestination" in r.inputs)) v.push("logDestination must name the log group or bucket the records go to");
      if (!("vpcId" in r.inputs) && !("subnetId" in r.inputs) && !("eniId" in r.inputs)) v.push("the flow log must be attached to a VPC, subnet or ENI");
      return v;
    },
  },
  {
    name: "aws-default-security-group-closed",
    description: "Every VPC's default security group has no rules, so nothing can use it to talk.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EC2.2 (default security group allows no traffic); CIS AWS 5.4; SATRE: secure network",
    resourceTypes: [AWS_TYPES.defaultSecurityGroup],
    check: (r) => {
      const v: string[] = [];
      if (list(r.inputs.ingress).length) v.push(`ingress must be empty (found ${list(r.inputs.ingress).length} rules)`);
      if (list(r.inputs.egress).length) v.push(`egress must be empty (found ${list(r.inputs.egress).length} rules)`);
      return v;
    },
  },
  {
    name: "aws-vpc-endpoint-private-dns",
    description: "Interface VPC endpoints have private DNS on and a security group, so SDKs use them without configuration and access is restricted.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EC2.10 (EC2 API through a VPC endpoint), applied to every interface endpoint; SATRE: secure network",
    resourceTypes: [AWS_TYPES.vpcEndpoint],
    check: (r) => {
      if (r.inputs.vpcEndpointType !== "Interface") return [];
      const v: string[] = [];
      if (r.inputs.privateDnsEnabled !== true) v.push(`privateDnsEnabled must be true (found ${show(r.inputs.privateDnsEnabled)}): without it traffic to ${show(r.inputs.serviceName)} still leaves through NAT`);
      if (list(r.inputs.securityGroupIds).length === 0) v.push("securityGroupIds must name a security group that admits HTTPS from the VPC only");
      return v;
    },
  },
  {
    name: "aws-log-group-encrypted-retained",
    description: `CloudWatch log groups are encrypted with a customer-managed KMS key and kept for at least ${MIN_LOG_RETENTION_DAYS} days.`,
    enforcementLevel: "mandatory",
    baseline: "Security Hub CloudWatch.16 (retention ≥ 365 days); CIS AWS 3.x (log encryption with KMS); SATRE: audit and monitoring, data protection",
    resourceTypes: [AWS_TYPES.logGroup],
    check: (r) => {
      const v: string[] = [];
      if (!("kmsKeyId" in r.inputs)) v.push("kmsKeyId must name a customer-managed KMS key");
      const days = r.inputs.retentionInDays;
      // 0 / unset = never expire: retained, but say it explicitly.
      if (typeof days !== "number" || (days !== 0 && days < MIN_LOG_RETENTION_DAYS)) {
        v.push(`retentionInDays must be at least ${MIN_LOG_RETENTION_DAYS} or 0 (never expire) (found ${show(days)})`);
      }
      return v;
    },
  },
  {
    name: "aws-kms-key-rotation",
    description: "Customer-managed symmetric KMS keys rotate automatically.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub KMS.4 (key rotation enabled); CIS AWS 3.6; SATRE: data protection",
    resourceTypes: [AWS_TYPES.kmsKey],
    check: (r) => {
      const spec = r.inputs.customerMasterKeySpec ?? r.inputs.keySpec ?? "SYMMETRIC_DEFAULT";
      if (spec !== "SYMMETRIC_DEFAULT") return [];
      return r.inputs.enableKeyRotation === true ? [] : [`enableKeyRotation must be true (found ${show(r.inputs.enableKeyRotation)})`];
    },
  },
  {
    name: "aws-subnet-no-auto-public-ip",
    description: "No subnet assigns public IPs to what is launched in it.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EC2.15 (subnets do not auto-assign public IPs); SATRE: secure network",
    resourceTypes: [AWS_TYPES.subnet],
    check: (r) => (r.inputs.mapPublicIpOnLaunch === true ? ["mapPublicIpOnLaunch must not be true"] : []),
  },
  {
    name: "aws-security-group-no-internet-ingress",
    description: "No security group admits traffic from the whole internet (0.0.0.0/0 or ::/0).",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EC2.18/EC2.19 (no unrestricted ingress); CIS AWS 5.2, 5.3 (here: any port); SATRE: secure network",
    resourceTypes: [AWS_TYPES.ingressRule, AWS_TYPES.securityGroup],
    check: openIngress,
  },
  {
    name: "aws-dns-firewall-fail-closed",
    description: "Route53 Resolver DNS Firewall blocks queries it cannot evaluate (fail closed).",
    enforcementLevel: "mandatory",
    baseline: "SATRE: secure network (egress control); Route53 Resolver FirewallConfig FirewallFailOpen (DISABLED favours security over availability)",
    resourceTypes: [AWS_TYPES.firewallConfig],
    check: (r) => (r.inputs.firewallFailOpen === "DISABLED" ? [] : [`firewallFailOpen must be "DISABLED" (found ${show(r.inputs.firewallFailOpen)})`]),
  },
  {
    name: "aws-protect-stateful-resources",
    description: "AWS resources that hold data or evidence (KMS keys, hosted zones, log groups) are protected from deletion.",
    enforcementLevel: "mandatory",
    baseline: "SATRE: data protection; K8TRE design: deleting data or audit evidence is an explicit operator act",
    resourceTypes: [AWS_TYPES.kmsKey, AWS_TYPES.zone, AWS_TYPES.logGroup],
    check: (r) => (r.protect === true ? [] : ["the resource must have the `protect: true` resource option"]),
  },
  {
    name: "aws-eks-private-endpoint",
    description: "EKS API servers are reachable on their private endpoint only.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EKS.1 (EKS cluster endpoints should not be publicly accessible); CIS EKS 5.4.2; SATRE: secure network",
    resourceTypes: [AWS_TYPES.eksCluster],
    check: (r) => {
      const vpc = obj(r.inputs.vpcConfig);
      const v: string[] = [];
      // The EKS API defaults endpointPublicAccess to true: it must be set false explicitly.
      if (vpc.endpointPublicAccess !== false) v.push(`vpcConfig.endpointPublicAccess must be false (found ${show(vpc.endpointPublicAccess)}; EKS defaults it to true)`);
      if (vpc.endpointPrivateAccess !== true) v.push(`vpcConfig.endpointPrivateAccess must be true (found ${show(vpc.endpointPrivateAccess)})`);
      return v;
    },
  },
  {
    name: "aws-eks-access-entries",
    description: "EKS clusters authenticate through access entries only (no aws-auth ConfigMap), the creator gets no implicit admin, and the account root is no cluster principal.",
    enforcementLevel: "mandatory",
    baseline: "CIS EKS 4.1 (least privilege RBAC); EKS best practices (access entries, no creator admin); SATRE: identity and access",
    resourceTypes: [AWS_TYPES.eksCluster, AWS_TYPES.eksAccessEntry],
    check: (r) => {
      if (r.type === AWS_TYPES.eksAccessEntry) {
        return /:root$/.test(String(r.inputs.principalArn ?? "")) ? [`principalArn ${show(r.inputs.principalArn)} is the account root: every principal with EKS permissions would get its access`] : [];
      }
      const a = obj(r.inputs.accessConfig);
      const v: string[] = [];
      if (a.authenticationMode !== "API") v.push(`accessConfig.authenticationMode must be "API" (found ${show(a.authenticationMode)})`);
      if (a.bootstrapClusterCreatorAdminPermissions !== false) v.push(`accessConfig.bootstrapClusterCreatorAdminPermissions must be false (found ${show(a.bootstrapClusterCreatorAdminPermissions)})`);
      return v;
    },
  },
  {
    name: "aws-eks-secrets-encryption",
    description: "Kubernetes secrets are envelope-encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EKS.3 (EKS clusters should use encrypted Kubernetes secrets); CIS EKS 5.3.1; SATRE: data protection",
    resourceTypes: [AWS_TYPES.eksCluster],
    check: (r) => {
      const configs = list(r.inputs.encryptionConfig ? [r.inputs.encryptionConfig] : []).map(obj);
      const ok = configs.some((c) => list(c.resources).includes("secrets") && obj(c.provider).keyArn);
      return ok ? [] : ['encryptionConfig must encrypt resources ["secrets"] with provider.keyArn set'];
    },
  },
  {
    name: "aws-eks-control-plane-logs",
    description: `EKS clusters send every control-plane log type (${EKS_LOG_TYPES.join(", ")}) to CloudWatch.`,
    enforcementLevel: "mandatory",
    baseline: "Security Hub EKS.8 (EKS clusters should have audit logging enabled), extended to every log type; CIS EKS 2.1.1; SATRE: audit and monitoring",
    resourceTypes: [AWS_TYPES.eksCluster],
    check: (r) => {
      const enabled = list(r.inputs.enabledClusterLogTypes).map(String);
      const missing = EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
      return missing.length ? [`enabledClusterLogTypes lacks ${missing.join(", ")}`] : [];
    },
  },
  {
    name: "aws-eks-nodes-imdsv2",
    description: "EKS nodes launch from a template that requires IMDSv2 with a hop limit of 1 (pods cannot reach the node's credentials) and encrypts the root volume.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub EC2.8 (IMDSv2), applied to node launch templates; CIS EKS 4.x (restrict access to the instance metadata service); SATRE: secure compute",
    resourceTypes: [AWS_TYPES.launchTemplate, AWS_TYPES.eksNodeGroup],
    check: (r) => {
      if (r.type === AWS_TYPES.eksNodeGroup) {
        // Without a launch template EKS's own template applies (hop limit 2: pods reach IMDS).
        return obj(r.inputs.launchTemplate).id || obj(r.inputs.launchTemplate).name ? [] : ["launchTemplate must name a template that requires IMDSv2 with hop limit 1"];
      }
      const m = obj(r.inputs.metadataOptions);
      const v: string[] = [];
      if (m.httpTokens !== "required") v.push(`metadataOptions.httpTokens must be "required" (found ${show(m.httpTokens)})`);
      if (m.httpPutResponseHopLimit !== 1) v.push(`metadataOptions.httpPutResponseHopLimit must be 1 (found ${show(m.httpPutResponseHopLimit)})`);
      for (const b of list(r.inputs.blockDeviceMappings).map(obj)) {
        const ebs = obj(b.ebs);
        if (Object.keys(ebs).length && String(ebs.encrypted) !== "true") v.push(`block device ${show(b.deviceName)} must be encrypted`);
      }
      return v;
    },
  },
  {
    name: "aws-iam-least-privilege",
    description: "No K8TRE IAM policy allows every action, every action of a service, or passing every role; no role carries an AWS FullAccess/Administrator managed policy.",
    enforcementLevel: "mandatory",
    baseline: "Security Hub IAM.1 (no full \"*\" admin privileges), IAM.21 (no wildcard service actions); CIS AWS 1.16; SATRE: identity and access",
    resourceTypes: [AWS_TYPES.rolePolicy, AWS_TYPES.iamPolicy, AWS_TYPES.rolePolicyAttachment],
    check: (r, ctx) => {
      if (r.type === AWS_TYPES.rolePolicyAttachment) {
        const arn = String(r.inputs.policyArn ?? "");
        return FORBIDDEN_MANAGED_POLICY.test(arn) ? [`policyArn ${arn} grants service-wide or administrative access`] : [];
      }
      const doc = r.inputs.policy;
      if (typeof doc === "string" && (doc === "[unknown]" || doc === "[secret]")) ctx.notEvaluable("the policy document is not known in this plan");
      return iamDocumentFindings(doc);
    },
  },
];
