/**
 * Orchestration of one runner command over a selection of stacks: what each stack runs, in which
 * order, with how much concurrency, and what gets reported. Pure apart from the injected executor.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { changesFromOpMap, EventCollector, formatChanges, formatEvent, hasChanges, prefixLines } from "./events";
import type { ChangeCounts, PolicyViolation, ResourceTiming } from "./events";
import { StackMissingError, StackOpError, type StackExecutor, type StackOp, type StackOutput } from "./executor";
import type { Selection, StackGraph, StackKind } from "./graph";
import { planRun, type RunPlan } from "./plan";
import { schedule, type ProgressEvent } from "./scheduler";

export const COMMANDS = ["preview", "up", "refresh", "destroy", "outputs"] as const;
export type Command = (typeof COMMANDS)[number];

export type StackStatus = "succeeded" | "unchanged" | "failed" | "skipped" | "refused";
export type StackRole = "requested" | "dependency" | "dependant";

export interface StackResult {
  stack: string;
  kind: StackKind;
  role: StackRole;
  status: StackStatus;
  /** Operations actually run, in order (e.g. `["preview", "up"]` for an out-of-date dependency). */
  operations: StackOp[];
  changes: ChangeCounts;
  durationMs: number;
  policyViolations: PolicyViolation[];
  errors: string[];
  /** Why a stack was skipped, refused or left unchanged. */
  note?: string;
  outputs?: Record<string, StackOutput>;
  /** Seconds per `<op> <resource type>` seen in the engine events (calibrates tools/synth/durations.json). */
  resourceTimings?: Record<string, ResourceTiming>;
  /** `up` of a stack with a late reference in the same run: its late pass (automation/plan.ts). */
  latePass?: LatePassResult;
}

export interface LatePassResult {
  status: StackStatus;
  durationMs: number;
  note?: string;
  /** The URN globs the pass targeted (from the main pass's `deferred` output). */
  targets?: string[];
  changes?: ChangeCounts;
  errors: string[];
}

export interface RunSummary {
  command: Command;
  project: string;
  backend: string;
  startedAt: string;
  durationMs: number;
  parallel: number;
  ok: boolean;
  /** The plan the run followed: passes and what each waited for. */
  plan: RunPlan;
  stacks: StackResult[];
  notes: string[];
}

export interface RunOptions {
  command: Command;
  graph: StackGraph;
  selection: Selection;
  /** Created lazily, after the protected-stack check, so a refused destroy needs no CLI. */
  executor: () => Promise<StackExecutor>;
  parallel: number;
  allowProtected: boolean;
  backend: string;
  log: (line: string) => void;
  now?: () => number;
  signal?: AbortSignal;
}

/** Whether a stack result lets the stacks that wait for it run. */
export function isSuccess(r: StackResult): boolean {
  const ok = (s: StackStatus) => s === "succeeded" || s === "unchanged";
  return ok(r.status) && (!r.latePass || ok(r.latePass.status));
}

/** The `deferred` output of a main pass (what a late pass must add), or [] when there is none. */
export function deferredParts(r: StackResult): Array<{ what: string; reason: string; targets: string[] }> {
  const value = r.outputs?.deferred?.value;
  if (!Array.isArray(value)) return [];
  return value.filter((d): d is { what: string; reason: string; targets: string[] } => typeof d === "object" && d !== null && Array.isArray((d as { targets?: unknown }).targets));
}

function emptyResult(opts: RunOptions, stack: string): StackResult {
  const role: StackRole = opts.selection.requested.has(stack)
    ? "requested"
    : opts.command === "destroy"
      ? "dependant"
      : "dependency";
  return {
    stack,
    kind: opts.graph.stacks.get(stack)!.kind,
    role,
    status: "succeeded",
    operations: [],
    changes: changesFromOpMap(undefined),
    durationMs: 0,
    policyViolations: [],
    errors: [],
  };
}

function progressLine(e: ProgressEvent<StackResult>, results: StackResult[]): string {
  const count = (s: StackStatus) => results.filter((r) => r.status === s).length;
  const running = e.running.length > 0 ? e.running.join(", ") : "none";
  return (
    `[progress] ${e.done}/${e.total} done · running: ${running} · ` +
    `ok ${count("succeeded") + count("unchanged")} · failed ${count("failed")} · skipped ${count("skipped")}`
  );
}

/** Runs `command` over the selection and returns the summary; never throws for stack failures. */
export async function runCommand(opts: RunOptions): Promise<RunSummary> {
  const now = opts.now ?? Date.now;
  const started = now();
  const order = opts.selection.order;
  const plan = planRun(opts.graph, opts.selection, opts.command);
  const summary = (stacks: StackResult[]): RunSummary => ({
    command: opts.command,
    project: opts.graph.project,
    backend: opts.backend,
    startedAt: new Date(started).toISOString(),
    durationMs: now() - started,
    parallel: opts.parallel,
    ok: stacks.every(isSuccess),
    plan,
    stacks,
    notes: [...opts.graph.notes],
  });

  if (opts.command === "destroy" && !opts.allowProtected) {
    const protectedStacks = order.filter((s) => opts.graph.stacks.get(s)!.protected);
    if (protectedStacks.length > 0) {
      const list = protectedStacks.join(", ");
      opts.log(`refusing to destroy protected stack(s) ${list} (k8tre:protected: true); pass --allow-protected to override`);
      const results = order.map((s): StackResult => {
        const r = emptyResult(opts, s);
        if (protectedStacks.includes(s)) {
          return { ...r, status: "refused", note: "k8tre:protected is true; re-run with --allow-protected" };
        }
        return { ...r, status: "skipped", note: `not run: the selection includes protected stack(s) ${list}` };
      });
      return summary(results);
    }
  }

  const executor = await opts.executor();
  const settled: StackResult[] = [];

  const runOp = async (stack: string, op: StackOp, result: StackResult, targets?: string[]): Promise<{ collector: EventCollector; outputs?: Record<string, StackOutput>; changes: ChangeCounts }> => {
    const collector = new EventCollector();
    result.operations.push(op);
    opts.log(`[${stack}] ${op}${targets ? " (late pass)" : ""} started`);
    const onEvent = (event: EngineEvent) => {
      collector.add(event);
      const line = formatEvent(event);
      if (line !== undefined) opts.log(prefixLines(stack, line));
    };
    try {
      const r = await executor.run(op, stack, { onEvent, signal: opts.signal, targets });
      const changes = collector.summaryChanges ?? (r.resourceChanges ? changesFromOpMap(r.resourceChanges) : collector.changes());
      return { collector, outputs: r.outputs, changes };
    } catch (err) {
      // Attach what the events told us; the caller records the failure.
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { collector });
    }
  };

  const runStack = async (stack: string): Promise<StackResult> => {
    const result = emptyResult(opts, stack);
    const t0 = now();
    const ops: StackOp[] = [];
    try {
      if (opts.command === "up" && result.role === "dependency") {
        // Pulled-in dependency: only update it when a preview says it is out of date.
        const preview = await runOp(stack, "preview", result);
        if (!hasChanges(preview.changes)) {
          Object.assign(result, {
            status: "unchanged",
            changes: preview.changes,
            policyViolations: preview.collector.policyViolations,
            note: "up to date (preview shows no changes); up skipped",
          });
          opts.log(`[${stack}] up to date; skipping up`);
          return result;
        }
        opts.log(`[${stack}] out of date (${formatChanges(preview.changes)}); running up`);
        ops.push("up");
      } else {
        ops.push(opts.command);
      }
      // The late-referenced stacks must exist (even empty) before this stack's program reads them
      // (a StackReference to a missing stack fails; to an empty one it reads no outputs).
      const lateRefs = opts.command === "up" || opts.command === "preview" ? opts.graph.stacks.get(stack)!.lateDependsOn : [];
      for (const ref of lateRefs) await executor.ensureStack?.(ref);
      for (const op of ops) {
        const r = await runOp(stack, op, result);
        Object.assign(result, { changes: r.changes, policyViolations: r.collector.policyViolations, outputs: r.outputs, resourceTimings: r.collector.resourceTimings() });
      }
      result.status = "succeeded";
      opts.log(`[${stack}] ${opts.command} succeeded: ${formatChanges(result.changes)}`);
    } catch (err) {
      const collector = (err as { collector?: EventCollector }).collector;
      if (err instanceof StackMissingError && (opts.command === "destroy" || opts.command === "refresh")) {
        result.status = "unchanged";
        result.note = `${err.message}; nothing to ${opts.command}`;
        opts.log(`[${stack}] ${result.note}`);
      } else {
        result.status = "failed";
        const message = err instanceof Error ? err.message : String(err);
        const details = err instanceof StackOpError ? err.details : [];
        result.errors = [message, ...(collector?.errors ?? []), ...details.filter((d) => !collector?.errors.includes(d))];
        if (collector) {
          result.policyViolations = collector.policyViolations;
          result.changes = collector.changes();
        }
        opts.log(prefixLines(stack, `${opts.command} FAILED: ${result.errors.join("\n")}`));
      }
    } finally {
      result.durationMs = now() - t0;
    }
    return result;
  };

  const mains = new Map<string, StackResult>();
  /** The late pass: a targeted `up` of what the main pass deferred, if it deferred anything. */
  const runLate = async (stack: string): Promise<StackResult> => {
    const main = mains.get(stack)!;
    const t0 = now();
    const parts = deferredParts(main);
    const late: LatePassResult = { status: "unchanged", durationMs: 0, errors: [] };
    if (parts.length === 0) {
      late.note = "nothing deferred: the main pass had every output it needed";
    } else {
      late.targets = parts.flatMap((p) => p.targets);
      opts.log(`[${stack}] late pass for ${parts.map((p) => p.what).join(", ")}`);
      try {
        const r = await runOp(stack, "up", main, late.targets);
        Object.assign(late, { status: "succeeded", changes: r.changes });
        const still = deferredParts({ ...main, outputs: r.outputs });
        if (still.length > 0) Object.assign(late, { status: "failed", errors: still.map((p) => `${p.what} still deferred: ${p.reason}`) });
      } catch (err) {
        const collector = (err as { collector?: EventCollector }).collector;
        late.status = "failed";
        late.errors = [err instanceof Error ? err.message : String(err), ...(collector?.errors ?? [])];
        opts.log(prefixLines(stack, `late pass FAILED: ${late.errors.join("\n")}`));
      }
    }
    late.durationMs = now() - t0;
    main.latePass = late;
    return main;
  };

  const units = new Map(plan.units.map((u) => [u.id, u]));
  const results = await schedule<StackResult>({
    nodes: plan.units.map((u) => u.id),
    waitsFor: (id) => units.get(id)!.waitsFor,
    parallel: opts.parallel,
    run: async (id) => {
      const u = units.get(id)!;
      if (u.pass === "late") return runLate(u.stack);
      const r = await runStack(u.stack);
      mains.set(u.stack, r);
      return r;
    },
    succeeded: isSuccess,
    skipped: (id, blockedBy) => {
      const u = units.get(id)!;
      const blocker = units.get(blockedBy)!.stack;
      if (u.pass === "late") {
        const main = mains.get(u.stack) ?? emptyResult(opts, u.stack);
        main.latePass = { status: "skipped", durationMs: 0, errors: [], note: `late pass not run: ${blocker === u.stack ? "the main pass" : blocker} did not succeed` };
        return main;
      }
      const r = emptyResult(opts, u.stack);
      const how = opts.command === "destroy" ? "its dependant" : "its dependency";
      return { ...r, status: "skipped", note: `not run: ${how} ${blocker} did not succeed` };
    },
    crashed: (id, err) => ({
      ...emptyResult(opts, units.get(id)!.stack),
      status: "failed",
      errors: [`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`],
    }),
    onProgress: (e) => {
      const u = units.get(e.node)!;
      if (e.type === "skip") opts.log(`[${u.stack}] skipped: ${u.pass === "late" ? e.result!.latePass?.note : e.result!.note}`);
      if (e.type !== "start" && u.pass === "main") settled.push(e.result!);
      opts.log(progressLine(e, settled));
    },
  });
  // A late pass skipped before its stack's main pass settled was recorded on a placeholder.
  for (const u of plan.units.filter((x) => x.pass === "late")) {
    const main = results.get(u.stack)!;
    if (!main.latePass) main.latePass = results.get(u.id)?.latePass;
  }
  return summary(order.map((s) => results.get(s)!));
}
