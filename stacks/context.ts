/**
 * What every stack builder gets: the validated config, the naming module, one explicit Azure
 * provider per subscription (never the ambient default) and cached stack references.
 */
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { LoadedStack } from "../config/load";
import type { Naming } from "../config/naming";
import type { StackConfig } from "../config/schema";

export type StackRole = "network" | "management";

/** What a stack builder returns: the stack's outputs. */
export type StackOutputs = Record<string, unknown>;

export class StackContext {
  readonly config: StackConfig;
  readonly stack: string;
  private readonly providers = new Map<string, azure.Provider>();
  private readonly refs = new Map<StackRole, pulumi.StackReference>();

  constructor(readonly loaded: LoadedStack) {
    this.config = loaded.config;
    this.stack = loaded.stack;
  }

  /** Names for Azure stacks (validated by the loader). */
  get naming(): Naming {
    if (!this.loaded.naming) throw new Error(`stack ${this.stack} has no Azure naming (platform ${this.config.platform})`);
    return this.loaded.naming;
  }

  /** Tags on every taggable Azure resource. */
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
  azureProvider(subscriptionId: string = this.subscriptionId): azure.Provider {
    let p = this.providers.get(subscriptionId);
    if (!p) {
      p = new azure.Provider(`azure-${subscriptionId}`, {
        subscriptionId,
        tenantId: this.azureConfig.tenantId,
        location: this.config.location,
      });
      this.providers.set(subscriptionId, p);
    }
    return p;
  }

  connectivityProvider(): azure.Provider {
    return this.azureProvider(this.connectivitySubscriptionId);
  }

  /** Fully-qualified name of a referenced stack (`organization/<project>/<stack>` on a DIY backend). */
  stackRefName(role: StackRole): string {
    const ref = this.config.stackRefs[role];
    if (!ref) throw new Error(`stack ${this.stack} needs k8tre:stackRefs.${role}`);
    if (ref.split("/").length === 3) return ref;
    return `${pulumi.getOrganization() || "organization"}/${pulumi.getProject()}/${ref.split("/").pop()}`;
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
