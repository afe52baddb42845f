/**
 * Program entry logic: read the stack's config, validate it before any resource exists, then
 * hand it to the builder for the stack's kind and platform. The builders live one directory per
 * stack kind, one file per platform (`stacks/<kind>/<platform>.ts`, ADR 0004); the table below is
 * the only place that knows which combinations exist.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { type LoadedStack, validateStackConfig } from "../config/load";
import { crossStackIssues, readProject } from "../config/project";
import type { Kind, Platform, StackConfig } from "../config/schema";
import { StackContext, type StackOutputs } from "./context";

export type { StackOutputs } from "./context";

type Builder = (ctx: StackContext) => StackOutputs;

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see below */
/**
 * The builder of each (platform, kind), loaded on first use: a stack loads only its own
 * platform's modules and provider SDK (an Azure stack never loads `@pulumi/aws`, ~300 files, nor
 * an AWS stack `@pulumi/azure-native`'s ~500), which is most of a program's start-up.
 */
export const BUILDERS: { readonly [P in Platform]: { readonly [K in Kind]?: () => Builder } } = {
  azure: {
    network: () => (require("./network/azure") as typeof import("./network/azure")).buildNetworkStack,
    management: () => (require("./management/azure") as typeof import("./management/azure")).buildManagementStack,
    environment: () => (require("./environment/azure") as typeof import("./environment/azure")).buildEnvironmentStack,
    gateway: () => (require("./gateway/azure") as typeof import("./gateway/azure")).buildGatewayStack,
  },
  aws: {
    network: () => (require("./network/aws") as typeof import("./network/aws")).buildNetworkStack,
    management: () => (require("./management/aws") as typeof import("./management/aws")).buildManagementStack,
    environment: () => (require("./environment/aws") as typeof import("./environment/aws")).buildEnvironmentStack,
  },
  k3s: { environment: () => (require("./environment/k3s") as typeof import("./environment/k3s")).buildK3sStack },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Builds the resources of an already-validated stack and returns its outputs. A stack that left
 * something out because a referenced stack has no outputs yet also exports `deferred` (what, and
 * why): the deployment runner runs a late pass of such a stack (automation/plan.ts).
 */
export async function buildStack(loaded: LoadedStack): Promise<StackOutputs> {
  const { kind, platform } = loaded.config;
  const load = BUILDERS[platform][kind];
  if (!load) throw new Error(`stack ${loaded.stack}: no ${kind} stack is built on platform ${platform}`);
  const ctx = new StackContext(loaded);
  await ctx.resolveLateRefs();
  const outputs = load()(ctx);
  return ctx.deferred.length > 0 ? { ...outputs, deferred: [...ctx.deferred] } : outputs;
}

/**
 * Loads the current stack's config from the Pulumi runtime. Also checks the stack against its
 * sibling stack files (references, environments, CIDR overlaps across stacks that share a
 * network) when they are present next to Pulumi.yaml; the problems of this stack, its own and
 * cross-stack ones, are reported together.
 */
export function loadCurrentStack(projectDir: string = process.cwd()): LoadedStack {
  const stack = pulumi.getStack();
  const file = `Pulumi.${stack}.yaml`;
  const current = validateStackConfig(pulumi.runtime.allConfig(), { stack, file, secretKeys: runtimeSecretKeys() });
  const issues = [...current.issues];
  const siblings = readSiblingStacks(projectDir);
  if (siblings) {
    siblings.stacks.set(stack, current);
    issues.push(...crossStackIssues(siblings.stacks, { project: siblings.project, present: [...siblings.stacks.keys()] }).filter((i) => i.stack === stack));
  }
  if (issues.length || !current.loaded) throw new pulumi.RunError(new ConfigError(issues, stack, file).message);
  return current.loaded;
}

/**
 * The config keys the Pulumi CLI marks secret (PULUMI_CONFIG_SECRET_KEYS, set by the CLI for the
 * program); undefined when the CLI does not say, which skips the plain-text-secret check.
 */
function runtimeSecretKeys(): string[] | undefined {
  const text = process.env.PULUMI_CONFIG_SECRET_KEYS;
  if (!text) return undefined;
  try {
    const keys = JSON.parse(text) as unknown;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : undefined;
  } catch {
    return undefined;
  }
}

function readSiblingStacks(dir: string): { project: string; stacks: Map<string, { readonly config: Partial<StackConfig> }> } | undefined {
  let files;
  try {
    files = readProject(path.resolve(dir));
  } catch {
    return undefined; // no stack files (e.g. an inline Automation API program): nothing to compare
  }
  const stacks = new Map<string, { readonly config: Partial<StackConfig> }>();
  for (const f of files.stacks) if (!f.readIssues?.length) stacks.set(f.stack, validateStackConfig(f.raw, { stack: f.stack }));
  return { project: files.project, stacks };
}

/** The Pulumi program: validate, warn, build. */
export function runProgram(): Promise<StackOutputs> {
  const loaded = loadCurrentStack();
  for (const w of loaded.warnings) void pulumi.log.warn(w);
  return buildStack(loaded);
}
