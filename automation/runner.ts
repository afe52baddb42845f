/**
 * Orchestration of one runner command over a selection of stacks: what each stack runs, in which
 * order, with how much concurrency, and what gets reported. Pure apart from the injected executor.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { changesFromOpMap, EventCollector, formatChanges, formatEvent, hasChanges, prefixLines } from "./events";
import type { ChangeCounts, PolicyViolation } from "./events";
import { StackMissingError, StackOpError, type StackExecutor, type StackOp, type StackOutput } from "./executor";
import type { Selection, StackGraph, StackKind } from "./graph";
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
}

export interface RunSummary {
  command: Command;
  project: string;
  backend: string;
  startedAt: string;
  durationMs: number;
  parallel: number;
  ok: boolean;
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
  return r.status === "succeeded" || r.status === "unchanged";
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
  const summary = (stacks: StackResult[]): RunSummary => ({
    command: opts.command,
    project: opts.graph.project,
    backend: opts.backend,
    startedAt: new Date(started).toISOString(),
    durationMs: now() - started,
    parallel: opts.parallel,
    ok: stacks.every(isSuccess),
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

  const runOp = async (stack: string, op: StackOp, result: StackResult): Promise<{ collector: EventCollector; outputs?: Record<string, StackOutput>; changes: ChangeCounts }> => {
    const collector = new EventCollector();
    result.operations.push(op);
    opts.log(`[${stack}] ${op} started`);
    const onEvent = (event: EngineEvent) => {
      collector.add(event);
      const line = formatEvent(event);
      if (line !== undefined) opts.log(prefixLines(stack, line));
    };
    try {
      const r = await executor.run(op, stack, { onEvent, signal: opts.signal });
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
      for (const op of ops) {
        const r = await runOp(stack, op, result);
        Object.assign(result, { changes: r.changes, policyViolations: r.collector.policyViolations, outputs: r.outputs });
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

  const waitsFor = (stack: string): string[] => {
    if (opts.command === "destroy") {
      // Reverse order: a stack is destroyed only after every stack that references it.
      return [...opts.graph.stacks.values()].filter((n) => n.dependsOn.includes(stack)).map((n) => n.name);
    }
    return opts.graph.stacks.get(stack)!.dependsOn;
  };

  const results = await schedule<StackResult>({
    nodes: order,
    waitsFor,
    parallel: opts.parallel,
    run: runStack,
    succeeded: isSuccess,
    skipped: (stack, blockedBy) => {
      const r = emptyResult(opts, stack);
      const how = opts.command === "destroy" ? "its dependant" : "its dependency";
      return { ...r, status: "skipped", note: `not run: ${how} ${blockedBy} did not succeed` };
    },
    crashed: (stack, err) => ({
      ...emptyResult(opts, stack),
      status: "failed",
      errors: [`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`],
    }),
    onProgress: (e) => {
      if (e.type === "skip") opts.log(`[${e.node}] skipped: ${e.result!.note}`);
      if (e.type !== "start") settled.push(e.result!);
      opts.log(progressLine(e, settled));
    },
  });
  return summary(order.map((s) => results.get(s)!));
}
