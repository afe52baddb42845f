/**
 * The one stack configuration schema. Every top-level key under the `k8tre:` namespace is
 * listed in {@link TOP_LEVEL_KEYS} with the stack kinds and platforms that may use it; the
 * loader rejects unknown keys and keys that do not apply to the stack's kind.
 */
import { z } from "zod";
import { agnostics } from "./agnostics";
import { aws } from "./aws";
import { vpc } from "./aws-network";
import { argocd, registration } from "./argocd";
import { cluster } from "./cluster";
import { eks, secrets } from "./eks";
import { dns, keyVault, storage } from "./environment";
import { bool, dnsName, envName, guid, tags } from "./fields";
import { k3s } from "./k3s";
import { gateway, network } from "./network";

export const NAMESPACE = "k8tre";

export const KINDS = ["network", "management", "environment", "gateway"] as const;
export const PLATFORMS = ["azure", "aws", "k3s"] as const;
export type Kind = (typeof KINDS)[number];
export type Platform = (typeof PLATFORMS)[number];

/**
 * The stack kinds built on each platform (stacks/<kind>/<platform>.ts, ADR 0004). The loader
 * refuses any other combination; stacks/index.ts has a builder for each one listed.
 */
export const PLATFORM_KINDS: { readonly [P in Platform]: readonly Kind[] } = {
  azure: ["network", "management", "environment", "gateway"],
  aws: ["network", "management", "environment"],
  k3s: ["environment"],
};

const stackName = z
  .string({ error: "a stack name such as network, or organization/k8tre/network" })
  .regex(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, "a stack name such as network, or organization/k8tre/network");

export interface KeySpec {
  readonly schema: z.ZodType;
  readonly description: string;
  /** Stack kinds that may set the key. */
  readonly kinds: readonly Kind[];
  /** Platforms that may set the key. */
  readonly platforms: readonly Platform[];
  /** Required for these kinds (on the platforms above). */
  readonly requiredFor?: readonly Kind[];
  /** Pulumi.yaml declaration type for scalar keys; objects are validated in code only. */
  readonly pulumiType?: "string" | "boolean";
  /** Must be set with `pulumi config set --secret`. */
  readonly secret?: boolean;
}

const ALL_KINDS = KINDS;
const ALL_PLATFORMS = PLATFORMS;
const CLUSTER_KINDS: readonly Kind[] = ["management", "environment"];

export const TOP_LEVEL_KEYS = {
  kind: {
    schema: z.enum(KINDS, { error: 'one of "network", "management", "environment" or "gateway"' }),
    description: "What this stack builds: shared network services, the ArgoCD management cluster, one K8TRE environment, or (Azure) the public gateway with its certificate vault.",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, requiredFor: ALL_KINDS, pulumiType: "string",
  },
  platform: {
    schema: z.enum(PLATFORMS, { error: 'one of "azure", "aws" or "k3s"' }).default("azure"),
    description: "Where the stack runs: azure (AKS and Azure services), aws (EKS and AWS services) or k3s (an existing on-prem cluster).",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, pulumiType: "string",
  },
  prefix: {
    schema: z.string({ error: "a short name prefix" }).regex(/^[a-z][a-z0-9]{1,9}$/, "a name prefix of 2-10 lower-case letters or digits starting with a letter, e.g. k8tre"),
    description: "Short prefix of every resource name (your organisation's or service's short name).",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, requiredFor: ALL_KINDS, pulumiType: "string",
  },
  environment: {
    schema: envName,
    description: "Environment name used in resource names, DNS (<environment>.<domain>) and ArgoCD labels; the network stack uses e.g. `net`, and its gateway stack the same.",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, requiredFor: ALL_KINDS, pulumiType: "string",
  },
  domain: {
    schema: dnsName("the base DNS domain"),
    description: "Base DNS domain; environments live at <environment>.<domain> (or the apex for production).",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, requiredFor: ALL_KINDS, pulumiType: "string",
  },
  location: {
    schema: z.string({ error: "an Azure region name such as uksouth" }).regex(/^[a-z0-9]+$/, "an Azure region name in lower case without spaces, e.g. uksouth"),
    description: "Azure region of the stack's resources.",
    kinds: ALL_KINDS, platforms: ["azure"], requiredFor: ALL_KINDS, pulumiType: "string",
  },
  regionCode: {
    schema: z.string().regex(/^[a-z][a-z0-9]{1,4}$/, "a region code of 2-5 lower-case letters or digits, e.g. uks"),
    description: "Region abbreviation used in names; needed only for regions the program does not know.",
    kinds: ALL_KINDS, platforms: ["azure"], pulumiType: "string",
  },
  nameSuffix: {
    schema: z.string().regex(/^[a-z0-9]{4,6}$/, "a suffix of 4-6 lower-case letters or digits"),
    description: "Suffix of globally unique names (storage accounts, key vaults, DNS labels); default: a stable hash of the subscription, prefix and environment.",
    kinds: ALL_KINDS, platforms: ["azure"], pulumiType: "string",
  },
  protected: {
    schema: bool("whether this stack is production-grade").default(false),
    description: "Production-grade stack: the cluster is protected from deletion and the automation runner refuses to destroy the stack without --allow-protected. Data-bearing resources are always protected.",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, pulumiType: "boolean",
  },
  example: {
    schema: bool("whether this stack file is an example").default(false),
    description: "An example stack file (placeholder IDs or secrets): the deployment runner deploys it only when it is named on the command line, never through `--all`, and the deploy workflow never deploys it (docs/automation.md).",
    kinds: ALL_KINDS, platforms: ALL_PLATFORMS, pulumiType: "boolean",
  },
  tags: {
    schema: tags.default({}),
    description: "Tags added to every taggable resource (on AWS as the provider's default tags; AWS tag rules apply there: keys up to 128 characters, no aws: prefix).",
    kinds: ALL_KINDS, platforms: ["azure", "aws"],
  },
  stackRefs: {
    schema: z
      .strictObject({
        network: stackName.optional().describe("The network stack (kind network) this cluster or gateway reads subnets and DNS zones from."),
        management: stackName.optional().describe("The management stack (kind management) this environment registers with."),
      })
      .default({}),
    description: "Stacks this stack reads outputs from (StackReference): `network` and/or `management` (a gateway stack: `network` only). Short names are qualified as organization/<project>/<name>.",
    kinds: [...CLUSTER_KINDS, "gateway"], platforms: ALL_PLATFORMS,
  },
  azure: {
    schema: z.strictObject({
      tenantId: guid("the Entra ID tenant ID"),
      subscriptionId: guid("the subscription ID for this stack's resources"),
      connectivitySubscriptionId: guid("the connectivity (hub, DNS) subscription ID").optional(),
    }),
    description: "Azure tenant and subscriptions. Every resource gets an explicit provider for the subscription named here.",
    kinds: ALL_KINDS, platforms: ["azure"], requiredFor: ALL_KINDS,
  },
  aws: {
    schema: aws,
    description: "AWS account, region and deployer role. Every resource gets an explicit provider pinned to this account (allowedAccountIds) and region.",
    kinds: ALL_KINDS, platforms: ["aws"], requiredFor: ALL_KINDS,
  },
  network: {
    schema: network,
    description: "Network mode (create a hub/spoke network or reference an existing landing zone), spokes and private DNS.",
    kinds: ["network"], platforms: ["azure"], requiredFor: ["network"],
  },
  vpc: {
    schema: vpc,
    description: "The AWS network: VPC, subnets per role and zone, NAT, VPC endpoints, flow logs, private DNS, inbound resolver, DNS Firewall and the deployer's access path.",
    kinds: ["network"], platforms: ["aws"], requiredFor: ["network"],
  },
  gateway: {
    schema: gateway,
    description: "The public Application Gateway (WAF_v2) in front of each environment's internal gateway, its private certificate vault and its log workspace (a stack of kind gateway; docs/network.md).",
    kinds: ["gateway"], platforms: ["azure"], requiredFor: ["gateway"],
  },
  cluster: {
    schema: cluster,
    description: "The private AKS cluster: version, CIDRs, node pools, identity and monitoring.",
    kinds: CLUSTER_KINDS, platforms: ["azure"], requiredFor: CLUSTER_KINDS,
  },
  eks: {
    schema: eks,
    description: "The private EKS cluster: Kubernetes version, admin principals, node groups, Cilium, control-plane logs.",
    kinds: CLUSTER_KINDS, platforms: ["aws"], requiredFor: CLUSTER_KINDS,
  },
  secrets: {
    schema: secrets.default({ backend: "SecretsManager" }),
    description: "Where the environment's secrets live on AWS (Secrets Manager or Parameter Store) and the prefix ESO may read.",
    kinds: CLUSTER_KINDS, platforms: ["aws"],
  },
  storage: {
    schema: storage.default({ replication: "ZRS", softDeleteDays: 14, fileShareProtocol: "NFS" }),
    description: "The cluster's storage accounts (workspace and core; core backs the rwx-default class).",
    kinds: CLUSTER_KINDS, platforms: ["azure"],
  },
  keyVault: {
    schema: keyVault.default({ sku: "standard", softDeleteRetentionDays: 90 }),
    description: "The environment's Key Vault.",
    kinds: CLUSTER_KINDS, platforms: ["azure"],
  },
  dns: {
    schema: dns.default({ apex: false }),
    description: "The environment's DNS zone settings.",
    kinds: CLUSTER_KINDS, platforms: ALL_PLATFORMS,
  },
  argocd: {
    schema: argocd,
    description: "ArgoCD on the management cluster: SSO admins and the K8TRE fork to deploy.",
    kinds: ["management"], platforms: ["azure", "aws"], requiredFor: ["management"],
  },
  registration: {
    schema: registration.default({ enabled: true, skip: [], labels: {} }),
    description: "How this environment registers itself in the management ArgoCD.",
    kinds: ["environment"], platforms: ALL_PLATFORMS,
  },
  agnostics: {
    schema: agnostics.default({
      enabled: true, certificates: { issuer: "selfsigned", letsencryptStaging: false }, storage: { backend: "longhorn" },
      ingressController: false, networkPolicies: true,
    }),
    description: "The agnostics layer installed in the cluster.",
    kinds: CLUSTER_KINDS, platforms: ALL_PLATFORMS,
  },
  k3s: {
    schema: k3s,
    description: "The existing K3s cluster's API endpoint and CIDRs.",
    kinds: ["environment"], platforms: ["k3s"], requiredFor: ["environment"],
  },
  kubeconfig: {
    schema: z.string({ error: "a kubeconfig (set it with `pulumi config set --secret k8tre:kubeconfig < file`)" }).min(1),
    description: "Kubeconfig of the existing K3s cluster. Secret: set it with `pulumi config set --secret`.",
    kinds: ["environment"], platforms: ["k3s"], requiredFor: ["environment"], secret: true,
  },
} satisfies Record<string, KeySpec>;

export type TopLevelKey = keyof typeof TOP_LEVEL_KEYS;

type Parsed<K extends TopLevelKey> = z.infer<(typeof TOP_LEVEL_KEYS)[K]["schema"]>;

/** The validated stack configuration. Keys that do not apply to the stack are undefined. */
export type StackConfig = {
  [K in TopLevelKey]: K extends "kind" | "platform" | "prefix" | "environment" | "domain" | "protected" | "tags" | "stackRefs"
    ? Parsed<K>
    : Parsed<K> | undefined;
};
