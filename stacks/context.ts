/**
 * What every stack builder gets: the validated config, the naming module, explicit cloud
 * providers (one Azure provider per subscription, one AWS provider pinned to the stack's account
 * and region — never the ambient default) and cached stack references.
 */
import type { Provider as AwsProviderType } from "@pulumi/aws/provider";
import type { Region as AwsRegion } from "@pulumi/aws/types/enums";
import type { Provider as AzureProviderType } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedStack } from "../config/load";
import { AWS_REGIONS, type AwsPartition } from "../config/aws-regions";
import type { Naming } from "../config/naming";
import type { AwsNaming } from "../config/naming-aws";
import type { StackConfig } from "../config/schema";

// The packages' root modules, loaded when the stack makes its first provider of the package (a
// stack loads only its own platform's SDK): they register the provider packages (used to
// rehydrate provider references). Typed through the submodules: importing the root modules would
// make the type-checker read every resource's declarations (~8,000 files).
/* eslint-disable @typescript-eslint/no-require-imports */
const azureNativeProvider = () => (require("@pulumi/azure-native") as { Provider: typeof AzureProviderType }).Provider;
const awsProvider = () => (require("@pulumi/aws") as { Provider: typeof AwsProviderType }).Provider;
/* eslint-enable @typescript-eslint/no-require-imports */
type AzureProvider = AzureProviderType;
type AwsProvider = AwsProviderType;

export type StackRole = "network" | "management";

/**
 * Something an update left out because a referenced stack has no outputs yet; exported as the
 * `deferred` output, read by the deployment runner's late pass (automation/plan.ts).
 */
export interface DeferredPart {
  what: string;
  reason: string;
  /** URN globs the late pass targets (`pulumi up --target ... --target-dependents`). */
  targets: string[];
}

/** What a stack builder returns: the stack's outputs. */
export type StackOutputs = Record<string, unknown>;

export class StackContext {
  readonly config: StackConfig;
  readonly stack: string;
  private readonly providers = new Map<string, AzureProvider>();
  private readonly refs = new Map<StackRole, pulumi.StackReference>();
  private awsProviderInstance?: AwsProvider;

  constructor(readonly loaded: LoadedStack) {
    this.config = loaded.config;
    this.stack = loaded.stack;
  }

  /** Names for Azure stacks (validated by the loader). */
  get naming(): Naming {
    if (!this.loaded.naming) throw new Error(`stack ${this.stack} has no Azure naming (platform ${this.config.platform})`);
    return this.loaded.naming;
  }

  /** Names for AWS stacks (validated by the loader). */
  get awsNaming(): AwsNaming {
    if (!this.loaded.awsNaming) throw new Error(`stack ${this.stack} has no AWS naming (platform ${this.config.platform})`);
    return this.loaded.awsNaming;
  }

  /** Tags on every taggable Azure resource; on AWS, the provider's default tags. */
  get tags(): Record<string, string> {
    return { ...this.config.tags, "k8tre-environment": this.config.environment, "managed-by": "pulumi" };
  }

  get subscriptionId(): string {
    return this.azureConfig.subscriptionId;
  }

  /** The connectivity subscription (hub network, private DNS); defaults to the stack's own. */
  get connectivitySubscriptionId(): string {
    return this.azureConfig.connectivitySubscriptionId ?? this.azureConfig.subscriptionId;
  }

  private get azureConfig(): NonNullable<StackConfig["azure"]> {
    if (!this.config.azure) throw new Error(`stack ${this.stack} has no k8tre:azure config`);
    return this.config.azure;
  }

  /**
   * The explicit azure-native provider for a subscription (default: the stack's own). One
   * provider per subscription, named after it, so every resource states where it lives.
   */
  azureProvider(subscriptionId: string = this.subscriptionId): AzureProvider {
    let p = this.providers.get(subscriptionId);
    if (!p) {
      const Provider = azureNativeProvider();
      p = new Provider(`azure-${subscriptionId}`, {
        subscriptionId,
        tenantId: this.azureConfig.tenantId,
        location: this.config.location,
      });
      this.providers.set(subscriptionId, p);
    }
    return p;
  }

  connectivityProvider(): AzureProvider {
    return this.azureProvider(this.connectivitySubscriptionId);
  }

  private get awsConfig(): NonNullable<StackConfig["aws"]> {
    if (!this.config.aws) throw new Error(`stack ${this.stack} has no k8tre:aws config`);
    return this.config.aws;
  }

  get awsRegion(): string {
    return this.awsConfig.region;
  }

  get awsAccountId(): string {
    return this.awsConfig.accountId;
  }

  /** The ARN partition of the stack's region (aws, aws-cn, aws-us-gov). */
  get awsPartition(): AwsPartition {
    return AWS_REGIONS[this.awsConfig.region].partition;
  }

  /**
   * The one explicit AWS provider of the stack: its region, `allowedAccountIds` = the configured
   * account (credentials of any other account fail before anything changes), the stack's tags as
   * default tags, and the deployer role when one is configured. Named after account and region,
   * so every resource shows where it lives.
   */
  awsProvider(): AwsProvider {
    if (!this.awsProviderInstance) {
      const a = this.awsConfig;
      const Provider = awsProvider();
      this.awsProviderInstance = new Provider(`aws-${a.accountId}-${a.region}`, {
        region: a.region as AwsRegion,
        allowedAccountIds: [a.accountId],
        defaultTags: { tags: this.tags },
        ...(a.assumeRoleArn
          ? { assumeRoles: [{ roleArn: a.assumeRoleArn, sessionName: `k8tre-${this.stack}`.slice(0, 64), ...(a.externalId ? { externalId: a.externalId } : {}) }] }
          : {}),
      });
    }
    return this.awsProviderInstance;
  }

  /** Fully-qualified name of a referenced stack (`organization/<project>/<stack>` on a DIY backend). */
  stackRefName(role: StackRole): string {
    const ref = this.config.stackRefs[role];
    if (!ref) throw new Error(`stack ${this.stack} needs k8tre:stackRefs.${role}`);
    if (ref.split("/").length === 3) return ref;
    return `${pulumi.getOrganization() || "organization"}/${pulumi.getProject()}/${ref.split("/").pop()}`;
  }

  /**
   * Whether the management stack has outputs yet (undefined until {@link resolveLateRefs}). An
   * environment declares its ArgoCD registration only when they exist; until then it records the
   * registration in {@link deferred}, and the runner's late pass declares it once the management
   * stack has been deployed (docs/adr/0005-schedule-and-late-registration.md).
   */
  managementOutputsExist: boolean | undefined;
  /** What this update left out because a referenced stack has no outputs yet (the `deferred` output). */
  readonly deferred: DeferredPart[] = [];

  /**
   * Reads, before any resource is declared, whether the late-referenced stacks have outputs.
   * A stack that has never completed an update has none (its StackReference reads an empty map).
   */
  async resolveLateRefs(): Promise<void> {
    if (!this.config.stackRefs?.management || !this.config.registration?.enabled) return;
    const details = await this.stackRef("management").getOutputDetails("kubeconfig");
    this.managementOutputsExist = details.value !== undefined || details.secretValue !== undefined;
  }

  stackRef(role: StackRole): pulumi.StackReference {
    let r = this.refs.get(role);
    if (!r) {
      r = new pulumi.StackReference(`${role}-stack`, { name: this.stackRefName(role) });
      this.refs.set(role, r);
    }
    return r;
  }
}
