/**
 * Test harness: runs shipped stacks (Pulumi.<stack>.yaml) through the offline engine, with
 * their dependencies evaluated first so StackReferences resolve, exactly as `npm run synth`.
 */
import * as path from "node:path";
import { loadProject, readProject } from "../../config/project";
import { buildStack } from "../../stacks";
import { type PlannedResource, synthStack, type SynthResult } from "../../tools/synth/engine";
import { orderStacks } from "../../tools/synth/order";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

export interface SynthShippedOptions {
  /** Evaluate the last stack as a brand-new stack's preview (its own outputs unknown). */
  preview?: boolean;
  /** Overrides merged over the stack's raw config (fully-qualified keys). */
  overrides?: Record<string, unknown>;
}

/** Synthesizes `stack` (and, silently, the stacks it references). */
export async function synthShipped(stack: string, opts: SynthShippedOptions = {}): Promise<SynthResult> {
  const files = readProject(PROJECT_DIR);
  const { loaded, errors } = loadProject(files);
  if (errors.length) throw errors[0];
  const order = orderStacks(loaded, [stack]);
  if (typeof order === "string") throw new Error(order);
  const outputs: Record<string, Record<string, unknown>> = {};
  let last: SynthResult | undefined;
  for (const { stack: s } of order) {
    const file = files.stacks.find((f) => f.stack === s)!;
    const isTarget = s === stack;
    const raw = isTarget && opts.overrides ? { ...file.raw, ...opts.overrides } : file.raw;
    const l = isTarget && opts.overrides ? (await import("../../config/load")).loadStackConfig(raw, { stack: s }) : loaded.get(s)!;
    last = await synthStack(() => buildStack(l), {
      project: files.project,
      stack: s,
      config: raw,
      secretKeys: file.secretKeys,
      preview: isTarget ? (opts.preview ?? false) : false,
      stackOutputs: outputs,
    });
    outputs[s] = last.rawOutputs;
  }
  return last!;
}

export function ofType(result: SynthResult, type: string): PlannedResource[] {
  return result.resources.filter((r) => r.type === type);
}

export function one(result: SynthResult, type: string, name?: string): PlannedResource {
  const found = ofType(result, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
  }
  return found[0];
}

export function byUrn(result: SynthResult, urn: string): PlannedResource | undefined {
  return result.resources.find((r) => r.urn === urn);
}
