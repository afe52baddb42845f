/**
 * Program entry logic: read the stack's config, validate it before any resource exists, then
 * hand it to the builder for the stack's kind and platform. The builders live one directory per
 * stack kind, one file per platform (`stacks/<kind>/<platform>.ts`, ADR 0004); the table below is
 * the only place that knows which combinations exist.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { type LoadedStack, loadStackConfig } from "../config/load";
import { crossStackIssues, loadProject, readProject } from "../config/project";
import type { Kind, Platform } from "../config/schema";
import { StackContext, type StackOutputs } from "./context";
import { buildEnvironmentStack as buildAwsEnvironment } from "./environment/aws";
import { buildEnvironmentStack as buildAzureEnvironment } from "./environment/azure";
import { buildK3sStack } from "./environment/k3s";
import { buildManagementStack as buildAwsManagement } from "./management/aws";
import { buildManagementStack as buildAzureManagement } from "./management/azure";
import { buildNetworkStack as buildAwsNetwork } from "./network/aws";
import { buildNetworkStack as buildAzureNetwork } from "./network/azure";

export type { StackOutputs } from "./context";

type Builder = (ctx: StackContext) => StackOutputs;

/** (platform, kind) → builder. A missing entry is a combination the config loader refuses. */
export const BUILDERS: { readonly [P in Platform]: { readonly [K in Kind]?: Builder } } = {
  azure: { network: buildAzureNetwork, management: buildAzureManagement, environment: buildAzureEnvironment },
  aws: { network: buildAwsNetwork, management: buildAwsManagement, environment: buildAwsEnvironment },
  k3s: { environment: buildK3sStack },
};

/**
 * Builds the resources of an already-validated stack and returns its outputs. A stack that left
 * something out because a referenced stack has no outputs yet also exports `deferred` (what, and
 * why): the deployment runner runs a late pass of such a stack (automation/plan.ts).
 */
export async function buildStack(loaded: LoadedStack): Promise<StackOutputs> {
  const { kind, platform } = loaded.config;
  const build = BUILDERS[platform][kind];
  if (!build) throw new Error(`stack ${loaded.stack}: no ${kind} stack is built on platform ${platform}`);
  const ctx = new StackContext(loaded);
  await ctx.resolveLateRefs();
  const outputs = build(ctx);
  return ctx.deferred.length > 0 ? { ...outputs, deferred: [...ctx.deferred] } : outputs;
}

/**
 * Loads the current stack's config from the Pulumi runtime. Also checks the stack against its
 * sibling stack files (CIDR overlaps across stacks that share a network) when they are present
 * next to Pulumi.yaml; only problems that involve this stack are reported.
 */
export function loadCurrentStack(projectDir: string = process.cwd()): LoadedStack {
  const stack = pulumi.getStack();
  try {
    const loaded = loadStackConfig(pulumi.runtime.allConfig(), { stack });
    const siblings = readSiblingStacks(projectDir);
    if (siblings) {
      siblings.set(stack, loaded);
      const mine = crossStackIssues(siblings).filter((i) => i.stack === stack || i.key.includes(`stack ${stack}`));
      if (mine.length) throw new ConfigError(mine, stack);
    }
    return loaded;
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

function readSiblingStacks(dir: string): Map<string, LoadedStack> | undefined {
  try {
    const files = readProject(path.resolve(dir));
    return loadProject(files).loaded;
  } catch {
    return undefined; // no stack files (e.g. an inline Automation API program): nothing to compare
  }
}

/** The Pulumi program: validate, warn, build. */
export function runProgram(): Promise<StackOutputs> {
  const loaded = loadCurrentStack();
  for (const w of loaded.warnings) void pulumi.log.warn(w);
  return buildStack(loaded);
}
