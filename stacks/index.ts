/**
 * Program entry logic: read the stack's config, validate it before any resource exists, then
 * hand it to the builder for the stack's kind and platform.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { type LoadedStack, loadStackConfig } from "../config/load";
import { crossStackIssues, loadProject, readProject } from "../config/project";
import { StackContext } from "./context";
import { buildEnvironmentStack } from "./environment";
import { buildK3sStack } from "./k3s";
import { buildManagementStack } from "./management";
import { buildNetworkStack } from "./network";

export type StackOutputs = Record<string, unknown>;

/** Builds the resources of an already-validated stack and returns its outputs. */
export function buildStack(loaded: LoadedStack): StackOutputs {
  const ctx = new StackContext(loaded);
  const { kind, platform } = loaded.config;
  if (platform === "k3s") return buildK3sStack(ctx);
  switch (kind) {
    case "network":
      return buildNetworkStack(ctx);
    case "management":
      return buildManagementStack(ctx);
    case "environment":
      return buildEnvironmentStack(ctx);
  }
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
export function runProgram(): StackOutputs {
  const loaded = loadCurrentStack();
  for (const w of loaded.warnings) void pulumi.log.warn(w);
  return buildStack(loaded);
}
