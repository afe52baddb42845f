/**
 * Engine-event handling: formatting streamed events as `[stack]`-prefixed lines, and accumulating
 * per-stack change counts, policy violations and error diagnostics.
 *
 * Pure module. Types mirror `@pulumi/pulumi/automation/events` (imported as types only, so the SDK
 * is not loaded by this module).
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";

export const CHANGE_KINDS = ["create", "update", "delete", "replace", "same"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export type ChangeCounts = Record<ChangeKind, number>;

export interface PolicyViolation {
  policyPack: string;
  policy: string;
  enforcementLevel: string;
  message: string;
  resourceUrn?: string;
}

export interface ResourceTiming {
  count: number;
  meanSeconds: number;
  maxSeconds: number;
}

export function emptyChanges(): ChangeCounts {
  return { create: 0, update: 0, delete: 0, replace: 0, same: 0 };
}

/**
 * Folds an engine `OpMap` into the five kinds we report. `import` counts as create; the
 * `create-replacement` / `delete-replaced` halves of a replacement are not counted twice.
 */
export function changesFromOpMap(ops: OpMap | undefined): ChangeCounts {
  const out = emptyChanges();
  if (!ops) return out;
  const n = (k: keyof OpMap) => ops[k] ?? 0;
  out.create = n("create") + n("import");
  out.update = n("update");
  out.delete = n("delete");
  out.replace = n("replace") + n("import-replacement");
  out.same = n("same");
  return out;
}

export function hasChanges(c: ChangeCounts): boolean {
  return c.create + c.update + c.delete + c.replace > 0;
}

export function formatChanges(c: ChangeCounts): string {
  const parts = CHANGE_KINDS.filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  return parts.length > 0 ? parts.join(", ") : "no resources";
}

/** Removes the CLI's colour directives (`<{%fg 1%}>`, `<{%reset%}>`) and ANSI escapes. */
export function stripColor(s: string): string {
  return s.replace(/<\{%[^%]*%\}>/g, "").replace(/\u001b\[[0-9;]*m/g, "");
}

const OP_SYMBOL: Record<string, string> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
  "create-replacement": "++",
  "delete-replaced": "--",
  read: ">",
  refresh: "~r",
  import: "=",
  same: " ",
};

function resourceName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

/** Accumulates what we report about one stack operation from its engine events. */
export class EventCollector {
  readonly policyViolations: PolicyViolation[] = [];
  readonly errors: string[] = [];
  /** Resource changes from the summary event, when the engine sent one. */
  summaryChanges: ChangeCounts | undefined;
  /** Resource changes counted from step events (fallback when no summary event arrives). */
  readonly stepChanges: ChangeCounts = emptyChanges();
  steps = 0;
  /** Start time (engine event timestamp, seconds) of each resource operation in flight. */
  private readonly started = new Map<string, { type: string; op: string; at: number }>();
  /** Seconds each completed create/update/replace took, by resource type and operation. */
  readonly timings = new Map<string, number[]>();

  add(event: EngineEvent): void {
    const at = event.timestamp;
    if (event.resourcePreEvent && typeof at === "number" && !event.resourcePreEvent.planning) {
      const m = event.resourcePreEvent.metadata;
      if (m.op === "create" || m.op === "update" || m.op === "replace" || m.op === "create-replacement") this.started.set(m.urn, { type: m.type, op: m.op, at });
    }
    if (event.resOutputsEvent && typeof at === "number") {
      const s = this.started.get(event.resOutputsEvent.metadata.urn);
      if (s) {
        this.started.delete(event.resOutputsEvent.metadata.urn);
        const key = `${s.op} ${s.type}`;
        this.timings.set(key, [...(this.timings.get(key) ?? []), at - s.at]);
      }
    }
    if (event.summaryEvent) {
      this.summaryChanges = changesFromOpMap(event.summaryEvent.resourceChanges);
    }
    if (event.policyEvent) {
      const p = event.policyEvent;
      this.policyViolations.push({
        policyPack: p.policyPackName,
        policy: p.policyName,
        enforcementLevel: p.enforcementLevel,
        message: stripColor(p.message).trim(),
        resourceUrn: p.resourceUrn,
      });
    }
    if (event.diagnosticEvent && event.diagnosticEvent.severity === "error") {
      const msg = stripColor(event.diagnosticEvent.message).trim();
      if (msg !== "") this.errors.push(msg);
    }
    if (event.resourcePreEvent) {
      const op = event.resourcePreEvent.metadata.op;
      this.steps += 1;
      const kind = changesFromOpMap({ [op]: 1 } as OpMap);
      for (const k of CHANGE_KINDS) this.stepChanges[k] += kind[k];
    }
  }

  changes(): ChangeCounts {
    return this.summaryChanges ?? this.stepChanges;
  }

  /** Per `<op> <type>`: how many, mean and longest seconds (to calibrate tools/synth/durations.json). */
  resourceTimings(): Record<string, ResourceTiming> {
    return Object.fromEntries(
      [...this.timings.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { count: v.length, meanSeconds: Math.round(v.reduce((x, y) => x + y, 0) / v.length), maxSeconds: Math.max(...v) }]),
    );
  }
}

/**
 * Renders one engine event as a human-readable line (without the `[stack]` prefix), or undefined
 * for events that are not worth a line (prelude, unchanged resources, cancellation, debug chatter).
 */
export function formatEvent(event: EngineEvent): string | undefined {
  if (event.resourcePreEvent) {
    const m = event.resourcePreEvent.metadata;
    if (m.op === "same" || m.op === "read") return undefined;
    return `${OP_SYMBOL[m.op] ?? m.op} ${m.op.padEnd(8)} ${m.type} ${resourceName(m.urn)}`;
  }
  if (event.resOutputsEvent) {
    // In a preview the engine "completes" every planned step at once; the pre-event already said it.
    const m = event.resOutputsEvent.metadata;
    if (m.op === "same" || m.op === "read" || event.resOutputsEvent.planning) return undefined;
    return `✓ ${m.op.padEnd(8)} ${m.type} ${resourceName(m.urn)}`;
  }
  if (event.resOpFailedEvent) {
    const m = event.resOpFailedEvent.metadata;
    return `✗ ${m.op.padEnd(8)} ${m.type} ${resourceName(m.urn)} failed`;
  }
  if (event.diagnosticEvent) {
    const d = event.diagnosticEvent;
    if (d.ephemeral || d.severity === "info#err" || d.severity === "info") {
      const text = stripColor(d.message).trim();
      return d.severity === "info" && text !== "" && !d.ephemeral ? `info: ${text}` : undefined;
    }
    const text = stripColor(d.message).trim();
    if (text === "") return undefined;
    const prefixed = text.toLowerCase().startsWith(`${d.severity}:`) ? text : `${d.severity}: ${text}`;
    return `${prefixed}${d.urn ? ` (${resourceName(d.urn)})` : ""}`;
  }
  if (event.policyEvent) {
    const p = event.policyEvent;
    return `policy ${p.enforcementLevel} ${p.policyPackName}/${p.policyName}: ${stripColor(p.message).trim()}` +
      (p.resourceUrn ? ` (${resourceName(p.resourceUrn)})` : "");
  }
  if (event.summaryEvent) {
    const s = event.summaryEvent;
    return `summary: ${formatChanges(changesFromOpMap(s.resourceChanges))} in ${s.durationSeconds}s` +
      (s.maybeCorrupt ? " (state may be corrupt)" : "");
  }
  if (event.stdoutEvent) {
    const text = stripColor(event.stdoutEvent.message).trim();
    return text === "" ? undefined : text;
  }
  return undefined;
}

/** Prefixes every line of `text` with `[stack] `. */
export function prefixLines(stack: string, text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `[${stack}] ${line}`)
    .join("\n");
}
