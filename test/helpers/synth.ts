/**
 * Test harness: runs shipped stacks (Pulumi.<stack>.yaml) through the offline engine, with
 * their dependencies evaluated first so StackReferences resolve, exactly as `npm run synth`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProject, readProject } from "../../config/project";
// Types only: a test that finds its stacks in the cache never loads the Pulumi SDK for them.
import type { PlannedResource, SynthResult } from "../../tools/synth/engine";
import { orderStacks } from "../../tools/synth/order";
import { analyzeReachability, type ReachabilityReport } from "../../tools/synth/reachability";
import { type AzureRulesReport, checkAzureRules } from "../../tools/synth/rules";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

export interface SynthShippedOptions {
  /** Evaluate the last stack as a brand-new stack's preview (its own outputs unknown). */
  preview?: boolean;
  /** Overrides merged over the stack's raw config (fully-qualified keys). */
  overrides?: Record<string, unknown>;
}

/**
 * Synthesizes `stack` (and, silently, the stacks it references). Results are cached on disk for
 * the duration of a source tree: the key hashes every program, config and fake source file, so a
 * change anywhere re-synthesizes, and the many test files that read the same shipped stack share
 * one evaluation (jest runs files in separate workers). `K8TRE_SYNTH_CACHE=off` disables it.
 */
/** A synthesized stack with the checks `npm run synth` runs over it. */
export type ShippedSynth = SynthResult & {
  /** Azure's create-time rules over the stack, with the stacks it references as context. */
  azureRules: AzureRulesReport;
  /** Paths to the stack's private endpoints over the union of it and the stacks it references. */
  reachability: ReachabilityReport;
};

export async function synthShipped(stack: string, opts: SynthShippedOptions = {}): Promise<ShippedSynth> {
  if (process.env.K8TRE_SYNTH_CACHE === "off") return synthUncached(stack, opts);
  const key = createHash("sha256").update(sourceHash()).update(JSON.stringify([stack, opts.preview ?? false, opts.overrides ?? null])).digest("hex");
  const dir = path.join(os.tmpdir(), "k8tre-synth-cache");
  const file = path.join(dir, `${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as ShippedSynth;
  const result = await synthUncached(stack, opts);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result));
  fs.renameSync(tmp, file);
  return result;
}

let cachedSourceHash: string | undefined;

/** Hash of everything a synth result depends on. */
function sourceHash(): string {
  if (cachedSourceHash) return cachedSourceHash;
  const h = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|ya?ml|json)$/.test(entry.name)) h.update(full).update(fs.readFileSync(full));
    }
  };
  for (const d of ["config", "stacks", "components", "tools/synth", "vendor"]) {
    if (fs.existsSync(path.join(PROJECT_DIR, d))) walk(path.join(PROJECT_DIR, d));
  }
  for (const f of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..*ya?ml$|^package-lock\.json$/.test(f)).sort()) {
    h.update(f).update(fs.readFileSync(path.join(PROJECT_DIR, f)));
  }
  cachedSourceHash = h.digest("hex");
  return cachedSourceHash;
}

async function synthUncached(stack: string, opts: SynthShippedOptions): Promise<ShippedSynth> {
  const { synthStack } = await import("../../tools/synth/engine");
  const { buildStack } = await import("../../stacks");
  const files = readProject(PROJECT_DIR);
  const { loaded, errors } = loadProject(files);
  if (errors.length) throw errors[0];
  const order = orderStacks(loaded, [stack]);
  if (typeof order === "string") throw new Error(order);
  const outputs: Record<string, Record<string, unknown>> = {};
  const evaluated: SynthResult[] = [];
  let last: SynthResult | undefined;
  const cached = process.env.K8TRE_SYNTH_CACHE !== "off";
  for (const { stack: s } of order) {
    const file = files.stacks.find((f) => f.stack === s)!;
    const isTarget = s === stack;
    if (!isTarget && cached) {
      // A dependency as shipped: its own cache entry (shared with every test that reads it).
      const { azureRules: _rules, reachability: _reach, ...dep } = await synthShipped(s);
      outputs[s] = dep.rawOutputs;
      evaluated.push(dep);
      continue;
    }
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
    evaluated.push(last);
  }
  // The same checks as `npm run synth`, with the referenced stacks as context.
  return { ...last!, azureRules: checkAzureRules(last!, evaluated.slice(0, -1)), reachability: analyzeReachability(evaluated, stack) };
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
