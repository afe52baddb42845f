/**
 * `k8tre:vpc` — the AWS network stack (stacks/network/aws.ts, docs/aws.md "Network"): one VPC
 * across two or more availability zones, subnets per role and zone, NAT, VPC endpoints, flow
 * logs, private DNS with an inbound resolver and a DNS Firewall, and the deployer's access path.
 */
import { z } from "zod";
import { bool, cidr } from "./fields";

/** CloudWatch Logs retention values (docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Interface endpoints created by default: what EKS nodes, the add-ons and K8TRE's controllers
 * call (docs.aws.amazon.com/eks/latest/userguide/private-clusters.html; service names from
 * docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
 * S3 is a gateway endpoint and always created (ECR image layers live in S3).
 */
export const DEFAULT_INTERFACE_ENDPOINTS = [
  "ec2", // Cilium ENI IPAM (the operator creates and attaches ENIs), node registration
  "ecr.api", // image manifests
  "ecr.dkr", // image pulls
  "sts", // Pod Identity / role chaining (ArgoCD → eks-access role)
  "eks", // EKS API (nodes, add-ons, argocd-k8s-auth aws)
  "eks-auth", // EKS Pod Identity credentials
  "elasticloadbalancing", // AWS Load Balancer Controller
  "autoscaling", // cluster-autoscaler
  "logs", // CloudWatch Logs agents
  "kms", // envelope encryption, EBS/EFS CSI
  "secretsmanager", // External Secrets (Secrets Manager store)
  "ssm", // External Secrets (Parameter Store), Session Manager
  "ssmmessages", // Session Manager (node access without SSH)
  "ec2messages", // Session Manager
  "elasticfilesystem", // EFS CSI driver
] as const;

const ENDPOINT_SERVICE = /^[a-z0-9]+([.-][a-z0-9]+)*$/;

/** Availability zone names such as eu-west-2a (the region is checked against k8tre:aws.region). */
const azName = z.string({ error: "an availability zone name such as eu-west-2a" }).regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "an availability zone name such as eu-west-2a");

const cidrs = (what: string) => z.array(cidr(what), { error: `a list of ${what} CIDRs, one per availability zone` });

/** DNS Firewall domain syntax: an optional leading `*.` and DNS labels (docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-domain-lists.html). */
export const FIREWALL_DOMAIN = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$/;

export const vpcSubnets = z.strictObject({
  nodes: cidrs("node subnet").describe("Private subnets for EKS nodes and internal load balancers (tagged kubernetes.io/role/internal-elb), one per zone, /24 or larger."),
  pods: cidrs("pod subnet").describe("Private subnets for pod ENIs (Cilium ENI IPAM), one per zone, /20 or larger: every pod takes a VPC address."),
  endpoints: cidrs("endpoint subnet").describe("Private subnets for VPC interface endpoints, the Route53 inbound resolver and a transit gateway attachment, one per zone, /27 or larger."),
  public: cidrs("public subnet").default([])
    .describe("Public subnets, only for NAT gateways: one per zone with natGateways perAz, one with single, none with none."),
  deployer: cidrs("deployer subnet").default([])
    .describe("Optional private subnets for a self-hosted CI runner that deploys the clusters (it must reach their private API endpoints)."),
});

export const vpc = z.strictObject({
  cidr: cidr("the VPC address range (/16 to /24)"),
  availabilityZones: z.array(azName).optional()
    .describe("Zones to use, in subnet-list order; default: the region's first zones (getAvailabilityZones, opted-in only), as many as there are node subnets."),
  nameTag: z.string().regex(/^[A-Za-z0-9][\w.-]{0,254}$/, "a Name tag of 1-255 letters, digits, _, . and -").optional()
    .describe("The VPC's Name tag (default <prefix>-<environment>). K8TRE's AWS Load Balancer Controller values find the VPC by Name = the cluster name; see docs/aws.md."),
  subnets: vpcSubnets.describe("The VPC's subnets per role, one CIDR per availability zone: nodes, pods (large: Cilium ENI IPAM gives every pod a VPC address), endpoints, public (NAT only) and the optional deployer subnets; each inside the VPC, none overlapping."),
  natGateways: z.enum(["perAz", "single", "none"], { error: 'one of "perAz", "single" or "none"' }).default("perAz")
    .describe("perAz: one NAT gateway per zone (no cross-zone dependency); single: one (cheaper, one zone's failure cuts egress); none: no internet egress at all (images from ECR through the endpoints, or egress through the transit gateway)."),
  interfaceEndpoints: z.array(z.string().regex(ENDPOINT_SERVICE, "an endpoint service short name such as ecr.api"))
    .default([...DEFAULT_INTERFACE_ENDPOINTS])
    .describe("Interface endpoint services (short names: com.amazonaws.<region>.<name>); default: the set EKS and K8TRE's controllers call."),
  flowLogs: z.strictObject({
    retentionDays: z
      .number({ error: "a CloudWatch retention in days" })
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d) && d >= 365, {
        message: `a CloudWatch retention in days of at least 365 (one of ${LOG_RETENTION_DAYS.filter((d) => d >= 365).join(", ")})`,
      })
      .default(365)
      .describe("Days CloudWatch keeps the flow and DNS query logs: a CloudWatch retention value of at least 365."),
    trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL")
      .describe("Which traffic the flow logs record: ALL (default, what an investigation needs), or only ACCEPT / REJECT."),
  }).default({ retentionDays: 365, trafficType: "ALL" })
    .describe("VPC flow logs to a KMS-encrypted CloudWatch log group; the retention also applies to the DNS query logs."),
  dns: z.strictObject({
    publicZone: bool("whether to create a public hosted zone for the domain").default(false)
      .describe("Also create a public Route53 zone named k8tre:domain (for public certificates' DNS-01); the private zone always exists."),
    resolverInbound: z.strictObject({
      allowedCidrs: z.array(cidr("a network allowed to query the inbound resolver")).min(1, "at least one network (the institution's DNS servers)")
        .describe("Networks (the institution's DNS forwarders) allowed to send queries to the inbound endpoint on port 53."),
    }).optional()
      .describe("A Route53 Resolver inbound endpoint (one address per zone in the endpoint subnets) so the institution's DNS can resolve the private zones and the clusters' private API endpoints."),
    firewall: z.strictObject({
      action: z.enum(["block", "alert"], { error: 'one of "block" or "alert"' }).default("block")
        .describe("block: queries for any domain not allowed are answered NXDOMAIN; alert: they are answered but logged as alerts (a trial mode)."),
      allowedDomains: z.array(z.string().regex(FIREWALL_DOMAIN, "a domain such as quay.io or *.quay.io")).default([])
        .describe("Domains the clusters may resolve besides the built-in ones (the domain, AWS service names, EC2 internal names): registries, Git and Helm repositories."),
    }).default({ action: "block", allowedDomains: [] })
      .describe("Route53 Resolver DNS Firewall on the VPC: the allowed domains resolve, everything else is blocked (or alerted); it fails closed."),
  }).default({ publicZone: false, firewall: { action: "block", allowedDomains: [] } })
    .describe("DNS for the domain: the private hosted zone (always), an optional public zone, the inbound resolver and the DNS Firewall."),
  deployerAccess: z.strictObject({
    allowedCidrs: z.array(cidr("a network allowed to reach the clusters' private API endpoints")).default([])
      .describe("Networks outside the VPC (VPN, institution) that may reach the clusters' private API endpoints on 443; the deployer subnets are always allowed."),
    transitGateway: z.strictObject({
      id: z.string().regex(/^tgw-[0-9a-f]{8,17}$/, "a transit gateway ID such as tgw-0123456789abcdef0")
        .describe("The existing transit gateway to attach the VPC to."),
      routes: z.array(cidr("a network reached through the transit gateway")).min(1, "at least one network behind the transit gateway")
        .describe("Networks (the institution, the deployer's network) the VPC routes through the transit gateway."),
    }).optional()
      .describe("Attach the VPC (endpoint subnets) to an existing transit gateway and route these networks through it."),
  }).default({ allowedCidrs: [] })
    .describe("How the deployer reaches the clusters' private API endpoints from outside the VPC (the deployer subnets always can); the loader refuses a stack with no path at all."),
});

export type VpcConfig = z.infer<typeof vpc>;
