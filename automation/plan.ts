/**
 * The run plan: which passes of which stacks the runner runs, and what each waits for. Pure: the
 * runner schedules these units with {@link schedule}, `npm run deploy -- plan` prints them, the
 * synth's deploy-time estimate (tools/synth/estimate.ts) simulates them, and the deploy workflow
 * generator (automation/workflow.ts) turns them into jobs.
 *
 * A stack has a main pass and, for `up`, a late pass when it has a late reference
 * ({@link LATE_REF_KEYS}) to a stack that runs in the same plan: the main pass starts once the
 * stacks it really needs have succeeded, alongside the late-referenced stack; the late pass runs
 * after both and declares what reads the late-referenced stack's outputs (an environment's ArgoCD
 * registration). Only stacks that report something deferred (`deferred` output) need the late pass
 * at run time. See docs/adr/0005-schedule-and-late-registration.md.
 */
import type { Selection, StackGraph } from "./graph";

export type Pass = "main" | "late";

export interface PlanUnit {
  /** `<stack>` for a main pass, `<stack>:late` for a late pass. */
  id: string;
  stack: string;
  pass: Pass;
  /** Units that must succeed before this one starts. */
  waitsFor: string[];
  /** For a late pass: the stacks whose outputs it waits for. */
  lateRefs: string[];
}

export interface RunPlan {
  /** Units in priority order (a topological order). */
  units: PlanUnit[];
  /** Units grouped by the earliest wave they can run in (1 + the latest wave they wait for). */
  waves: string[][];
}

export const lateUnitId = (stack: string): string => `${stack}:late`;

/** The most stacks `--parallel auto` (the default) runs at once, whatever the plan's width. */
export const MAX_AUTO_PARALLEL = 8;

/**
 * `--parallel auto`: as many stacks at once as the plan's widest wave (so nothing that could run
 * waits for a slot), at most {@link MAX_AUTO_PARALLEL}; each stack is one `pulumi` process with its
 * provider plugins on the runner.
 */
export function autoParallel(plan: RunPlan): number {
  return Math.max(1, Math.min(MAX_AUTO_PARALLEL, Math.max(0, ...plan.waves.map((w) => w.length))));
}

/**
 * Builds the plan of `command` over a selection. `up` splits late references off into late
 * passes; every other command orders stacks by all their references (`destroy` in reverse).
 */
export function planRun(graph: StackGraph, selection: Pick<Selection, "order">, command: string): RunPlan {
  const selected = new Set(selection.order);
  const units: PlanUnit[] = [];
  const byStack = new Map<string, PlanUnit[]>();
  const add = (u: PlanUnit) => {
    units.push(u);
    byStack.set(u.stack, [...(byStack.get(u.stack) ?? []), u]);
  };
  if (command === "destroy") {
    for (const stack of selection.order) {
      const dependants = [...graph.stacks.values()].filter((n) => n.dependsOn.includes(stack) && selected.has(n.name)).map((n) => n.name);
      add({ id: stack, stack, pass: "main", waitsFor: dependants.sort(), lateRefs: [] });
    }
    return { units, waves: waves(units) };
  }
  const splitLate = command === "up";
  for (const stack of selection.order) {
    const node = graph.stacks.get(stack)!;
    const late = splitLate ? node.lateDependsOn.filter((d) => selected.has(d)) : [];
    const early = node.dependsOn.filter((d) => selected.has(d) && !late.includes(d));
    // A stack waits for every pass of the stacks it needs: their outputs are final only then.
    const allPasses = (deps: string[]) => deps.flatMap((d) => (byStack.get(d) ?? []).map((u) => u.id));
    add({ id: stack, stack, pass: "main", waitsFor: allPasses(early), lateRefs: [] });
    if (late.length > 0) {
      add({ id: lateUnitId(stack), stack, pass: "late", waitsFor: [stack, ...allPasses(late)], lateRefs: late });
    }
  }
  // Late passes go after every main pass in priority order, so a limited runner fills its slots
  // with the work that gates other stacks first.
  const ordered = [...units.filter((u) => u.pass === "main"), ...units.filter((u) => u.pass === "late")];
  return { units: ordered, waves: waves(ordered) };
}

function waves(units: PlanUnit[]): string[][] {
  const wave = new Map<string, number>();
  const byId = new Map(units.map((u) => [u.id, u]));
  const level = (id: string): number => {
    const known = wave.get(id);
    if (known !== undefined) return known;
    const u = byId.get(id)!;
    const w = u.waitsFor.reduce((m, d) => Math.max(m, level(d) + 1), 0);
    wave.set(id, w);
    return w;
  };
  const out: string[][] = [];
  for (const u of units) (out[level(u.id)] ??= []).push(u.id);
  return out.filter((w) => w !== undefined);
}

/** The plan as text: one line per wave, then what each unit waits for. */
export function renderPlan(plan: RunPlan, opts: { command: string; parallel: number; describe?: (stack: string) => string }): string {
  const describe = opts.describe ?? ((s: string) => s);
  const label = (u: PlanUnit) => (u.pass === "late" ? `${describe(u.stack)} (late pass)` : describe(u.stack));
  const byId = new Map(plan.units.map((u) => [u.id, u]));
  const lines = [`${opts.command}: ${plan.units.length} pass${plan.units.length === 1 ? "" : "es"} in ${plan.waves.length} wave${plan.waves.length === 1 ? "" : "s"}, up to ${opts.parallel} at once`];
  plan.waves.forEach((ids, i) => {
    const parallel = ids.length > 1 ? ` (in parallel${ids.length > opts.parallel ? `, ${opts.parallel} at a time` : ""})` : "";
    lines.push(`  wave ${i + 1}: ${ids.map((id) => label(byId.get(id)!)).join(", ")}${parallel}`);
  });
  const late = plan.units.filter((u) => u.pass === "late");
  for (const u of plan.units) {
    const waits = u.waitsFor.length > 0 ? u.waitsFor.map((id) => label(byId.get(id)!)).join(", ") : "nothing";
    lines.push(`  ${label(u)}: waits for ${waits}`);
  }
  if (late.length > 0) {
    lines.push(
      "  Late passes run only for stacks whose main pass deferred something (an environment registers in the",
      "  management ArgoCD once the management stack has outputs; docs/automation.md, \"Schedule\").",
    );
  }
  return lines.join("\n");
}
