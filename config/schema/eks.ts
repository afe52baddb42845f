/** `k8tre:eks` — an EKS cluster (management and environment stacks on AWS). */
import { z } from "zod";
import { cidr, int, bool } from "./fields";
import { instanceType } from "./aws";

/** IAM principals that may administer the cluster: roles or users, never the account root. */
const principalArn = z
  .string({ error: "an IAM role or user ARN such as arn:aws:iam::123456789012:role/k8tre-admins" })
  .regex(/^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:(role|user)(\/[\x21-\x7e]+)*\/[\w+=,.@-]{1,64}$/, "an IAM role or user ARN such as arn:aws:iam::123456789012:role/k8tre-admins (not the account root: every principal with EKS permissions would be cluster admin)");

/** CloudWatch Logs retention values (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const taint = z.strictObject({
  key: z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "a taint key such as dedicated or example.org/gpu")
    .describe("The taint's key."),
  value: z.string().max(63).default("").describe("The taint's value (may be empty)."),
  effect: z.enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]).describe("The taint's effect, in the EKS API's spelling."),
});

export const nodeGroup = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, "a node group name of 1-20 lower-case letters, digits or hyphens starting with a letter")
    .describe("The node group's name (part of the managed node group's and launch template's names)."),
  instanceTypes: z.array(instanceType("an instance type")).min(1, "at least one EC2 instance type")
    .describe("EC2 instance types of the group (several only for SPOT, to widen the capacity pools)."),
  minSize: int("the minimum node count", 0, 450).default(2),
  maxSize: int("the maximum node count", 1, 450).default(4),
  desiredSize: int("the initial node count", 0, 450).optional().describe("Initial size (default minSize); the cluster autoscaler owns it afterwards."),
  diskSizeGb: int("the root volume size in GiB", 20, 16384).default(100),
  capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND").describe("ON_DEMAND, or SPOT for interruptible capacity."),
  amiType: z.enum(["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"]).default("AL2023_x86_64_STANDARD")
    .describe("The EKS-optimised Amazon Linux 2023 image for the instance types' architecture."),
  labels: z.record(z.string(), z.string()).default({}).describe("Kubernetes labels on the group's nodes."),
  taints: z.array(taint).default([]).describe("Kubernetes taints on the group's nodes (Cilium's agent-not-ready taint is added automatically)."),
});

export const eks = z.strictObject({
  kubernetesVersion: z
    .string({ error: 'a Kubernetes minor version as a quoted string such as "1.35"' })
    .regex(/^1\.\d{2}$/, 'a Kubernetes minor version as a quoted string such as "1.35"')
    .describe("The EKS Kubernetes minor; the loader checks it against EKS's support window (config/eks-versions.ts) and the pinned add-on versions."),
  adminPrincipalArns: z.array(principalArn).min(1, "at least one IAM role or user to administer the cluster (an access entry with the cluster-admin access policy)")
    .describe("IAM roles/users that get AmazonEKSClusterAdminPolicy through an access entry. The deployer role (k8tre:aws.assumeRoleArn) is added automatically."),
  apiAccessCidrs: z.array(cidr("a network allowed to reach the private API endpoint")).default([])
    .describe("Networks (VPN, CI runners) allowed to reach the private API endpoint on 443, besides the network stack's deployer path."),
  serviceCidr: cidr("the Kubernetes service CIDR").default("172.20.0.0/16"),
  logRetentionDays: z
    .number({ error: "the control-plane log retention in days" })
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}`)
    .default(365)
    .describe("Days CloudWatch keeps the control-plane logs (all five log types; KMS-encrypted, protected log group)."),
  supportType: z.enum(["STANDARD", "EXTENDED"]).default("STANDARD")
    .describe("EKS upgrade policy: STANDARD upgrades the cluster at the end of standard support; EXTENDED keeps it (at extra cost) for 12 more months."),
  nodeGroups: z.array(nodeGroup).min(1, "at least one managed node group")
    .describe("Managed node groups, created after Cilium, spread over every node subnet, IMDSv2-only, encrypted gp3 root volumes; autoscaled between minSize and maxSize."),
  cilium: z
    .strictObject({
      hubbleUi: bool("the Hubble UI").default(true),
      operatorReplicas: int("Cilium operator replicas", 1, 3).default(2),
      prefixDelegation: bool("ENI prefix delegation (/28 per ENI slot; Nitro instances only)").default(false),
    })
    .default({ hubbleUi: true, operatorReplicas: 2, prefixDelegation: false })
    .describe("Cilium on EKS (ENI IPAM, native routing, kube-proxy replacement, Gateway API): the Hubble UI, operator replicas and ENI prefix delegation."),
});

export type EksConfig = z.infer<typeof eks>;
export type NodeGroupConfig = z.infer<typeof nodeGroup>;

/** `k8tre:secrets` — where the environment's secrets live on AWS and which of them ESO may read. */
export const secrets = z.strictObject({
  backend: z.enum(["SecretsManager", "ParameterStore"]).default("SecretsManager")
    .describe("Where the ClusterSecretStore secret-store reads: AWS Secrets Manager, or SSM Parameter Store."),
  prefix: z
    .string()
    .regex(/^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "a path prefix such as k8tre/dev (letters, digits, _.- separated by /; no wildcards)")
    .optional()
    .describe("Secrets Manager name prefix / Parameter Store path ESO may read (default k8tre/<environment>); the IAM policy grants <prefix>/* only."),
});

export type SecretsConfig = z.infer<typeof secrets>;

/** `k8tre:argocd.oidc` on AWS: the institution's OIDC provider (no Entra ID). */
export const oidcSso = z.strictObject({
  issuer: z.url({ error: "the OIDC issuer URL, e.g. https://login.example.org/realms/k8tre" }).refine((u) => u.startsWith("https://"), "an https:// issuer URL")
    .describe("The institution's OIDC issuer ArgoCD signs users in with (https)."),
  clientId: z.string().min(1, "the OIDC client ID registered for ArgoCD")
    .describe("ArgoCD's client ID at that issuer: a public client using PKCE, so no client secret is stored."),
  adminGroups: z.array(z.string().regex(/^[^,"\r\n]+$/, "a group name as the groups claim carries it (no commas, quotes or line breaks)")).min(1, "at least one group (the OIDC groups claim value) that gets ArgoCD admin")
    .describe("Groups (as the groups claim carries them) that get ArgoCD's admin role; everyone else is denied by default."),
  groupsClaim: z.string().min(1).default("groups").describe("The ID-token claim that carries the user's groups."),
  scopes: z.array(z.string().min(1)).default(["openid", "profile", "email", "groups"]).describe("Scopes ArgoCD requests at sign-in."),
});
export type OidcSsoConfig = z.infer<typeof oidcSso>;
