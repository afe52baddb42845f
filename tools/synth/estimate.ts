/**
 * The deploy-time estimate of a greenfield `npm run deploy -- up` of the synthesized stacks.
 *
 * Two levels, each simulated on a virtual clock with the runner's own scheduler
 * (automation/scheduler.ts), so the model cannot drift from the code that really runs:
 *
 *  - Inside a stack, the Pulumi engine starts a resource once everything it waits for exists,
 *    within `--parallel` (unbounded by default: "Defaults to unbounded",
 *    https://www.pulumi.com/docs/iac/cli/commands/pulumi_up/). A resource waits for its recorded
 *    dependencies (explicit `dependsOn` plus every resource its inputs come from), its provider,
 *    and its parent's registration; a component registers once its own dependencies exist, and
 *    depending on a component means waiting for all of its descendants.
 *  - Across stacks, the runner's plan (automation/plan.ts) runs each stack's passes once the
 *    passes they wait for succeed, within the runner's `--parallel`.
 *
 * A stack's late pass holds the resources that read a late-referenced stack (an environment's
 * ArgoCD registration reads the management stack): they are exactly what the program leaves out
 * while that stack has no outputs. Resources the operator must unlock (durations.json
 * `operatorGated`: the public gateway waits for certificate import on a first deployment) are
 * reported as late steps and are not part of the total.
 *
 * Durations come from tools/synth/durations.json (data, with a source per figure).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { discoverStacks, type StackGraph } from "../../automation/graph";
import { autoParallel, planRun, type PlanUnit } from "../../automation/plan";
import { schedule } from "../../automation/scheduler";
import type { PlannedResource } from "./engine";

/** `pulumi up --parallel` default: unbounded, signalled as MaxInt32 (pulumi/pulumi#2123). */
export const ENGINE_PARALLEL_DEFAULT = 2147483647;
/**
 * Issue 12's budget: a greenfield `up` of exactly these Azure stacks is modelled under
 * {@link BUDGET_MINUTES} (test/automation/estimate.test.ts). Issue 12 names network, mgmt, dev,
 * stg and prd; the public gateway and its certificate vault were part of `network` then and are
 * the `gateway` stack now (ADR 0006), so a greenfield deploy of the same content adds it. It is
 * defined for this set only: the synth reports the whole synthesized set's total separately and
 * never compares it with the budget.
 */
export const BUDGET_STACKS: readonly string[] = ["network", "mgmt", "dev", "stg", "prd", "gateway"];
export const BUDGET_MINUTES = 20;

export interface DurationEntry {
  type: string;
  /** Matches `inputs.resourceType` (generic azure-native:resources:Resource). */
  resourceType?: string;
  /** Matches `inputs.name` (Helm release name). */
  name?: string;
  /** Matches a Helm release's `skipAwait` input. */
  skipAwait?: boolean;
  /** Matches every type with this prefix (used instead of `type`). */
  typePrefix?: string;
  seconds: number;
  range?: [number, number];
  source: string;
  note?: string;
}

export interface DurationTable {
  defaults: { customSeconds: number; source: string };
  stackOverheadSeconds: { seconds: number; source: string };
  latePassOverheadSeconds: { seconds: number; source: string };
  entries: DurationEntry[];
  operatorGated: Array<{ type: string; whenDependsOnCreated: string; reason: string }>;
}

export const DURATIONS_FILE = path.join(__dirname, "durations.json");

export function loadDurations(file = DURATIONS_FILE): DurationTable {
  return JSON.parse(fs.readFileSync(file, "utf8")) as DurationTable;
}

/** The duration (seconds) and its source for one resource. Components take no time. */
export function durationOf(r: PlannedResource, table: DurationTable): { seconds: number; source: string } {
  if (!r.custom) return { seconds: 0, source: "component (no cloud operation)" };
  const e = table.entries.find(
    (x) => (x.typePrefix !== undefined ? r.type.startsWith(x.typePrefix) : x.type === r.type) && (x.resourceType === undefined || r.inputs?.resourceType === x.resourceType) && (x.name === undefined || r.inputs?.name === x.name) &&
      (x.skipAwait === undefined || (r.inputs?.skipAwait === true) === x.skipAwait),
  );
  return e ? { seconds: e.seconds, source: e.source } : { seconds: table.defaults.customSeconds, source: table.defaults.source };
}

// ---------------------------------------------------------------------------------------------
// Virtual-clock simulation on top of the runner's scheduler.

export interface Timing {
  start: number;
  end: number;
}

/** Lets every pending promise callback run (the scheduler starts nodes in promise callbacks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `schedule` over `nodes` with virtual time: node `n` takes `seconds(n)`. Returns each node's
 * start and end. Deterministic: ties resolve in start order.
 */
export async function simulate(nodes: string[], waitsFor: (n: string) => string[], seconds: (n: string) => number, parallel: number): Promise<Map<string, Timing>> {
  let now = 0;
  let seq = 0;
  const timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  const timings = new Map<string, Timing>();
  let finished = false;
  const done = schedule<boolean>({
    nodes,
    waitsFor,
    parallel,
    run: (n) =>
      new Promise<boolean>((resolve) => {
        const start = now;
        timers.push({
          at: now + seconds(n),
          seq: seq++,
          fire: () => {
            timings.set(n, { start, end: now });
            resolve(true);
          },
        });
      }),
    succeeded: (ok) => ok,
    skipped: () => false,
    crashed: (_n, err) => {
      throw err;
    },
  }).then(() => {
    finished = true;
  });
  while (!finished) {
    await settle();
    if (finished) break;
    if (timers.length === 0) throw new Error("simulation stalled: a node waits for something that never finishes (dependency cycle?)");
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const t = timers.shift()!;
    now = t.at;
    t.fire();
  }
  await done;
  return timings;
}

// ---------------------------------------------------------------------------------------------
// The engine's view of one stack.

const REG = (urn: string) => `reg:${urn}`;
const DONE = (urn: string) => `done:${urn}`;

export interface ResourceGraph {
  byUrn: Map<string, PlannedResource>;
  /** Simulation nodes: a custom resource's URN; a component's `reg:` and `done:` nodes. */
  nodes: string[];
  waitsFor: Map<string, string[]>;
}

function ancestors(r: PlannedResource, byUrn: Map<string, PlannedResource>): Set<string> {
  const out = new Set<string>();
  for (let p = r.parent; p && !out.has(p); p = byUrn.get(p)?.parent ?? null) out.add(p);
  return out;
}

/**
 * The engine's waits-for graph over `resources` (those outside `subset` are taken as existing).
 * A dependency on a component means its `done:` node; on an ancestor (a child reading its
 * parent's outputs), its registration.
 */
export function resourceGraph(resources: readonly PlannedResource[], subset?: ReadonlySet<string>): ResourceGraph {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const inSet = (urn: string) => byUrn.has(urn) && (!subset || subset.has(urn));
  const ref = (dep: string, anc: Set<string>): string | undefined => {
    const d = byUrn.get(dep);
    if (!d || !inSet(dep)) return undefined;
    if (d.custom) return dep;
    return anc.has(dep) ? REG(dep) : DONE(dep);
  };
  const nodes: string[] = [];
  const waitsFor = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const r of resources) {
    if (r.parent && inSet(r.urn)) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  }
  for (const r of resources) {
    if (!inSet(r.urn)) continue;
    const anc = ancestors(r, byUrn);
    const own = [...r.dependsOn, ...(r.provider ? [r.provider] : [])].map((d) => ref(d, anc)).filter((x): x is string => x !== undefined);
    const parentReg = r.parent && inSet(r.parent) && !byUrn.get(r.parent)!.custom ? [REG(r.parent)] : r.parent && inSet(r.parent) ? [r.parent] : [];
    if (r.custom) {
      nodes.push(r.urn);
      waitsFor.set(r.urn, [...new Set([...parentReg, ...own])]);
    } else {
      nodes.push(REG(r.urn), DONE(r.urn));
      waitsFor.set(REG(r.urn), [...new Set([...parentReg, ...own])]);
      const kids = (children.get(r.urn) ?? []).map((c) => (byUrn.get(c)!.custom ? c : DONE(c)));
      waitsFor.set(DONE(r.urn), [REG(r.urn), ...kids]);
    }
  }
  return { byUrn, nodes, waitsFor };
}

/** Everything `urn` waits for, transitively (dependencies, provider, parent chain). */
export function transitiveWaits(g: ResourceGraph, urn: string): Set<string> {
  const r = g.byUrn.get(urn);
  const start = r && !r.custom ? REG(urn) : urn;
  const seen = new Set<string>();
  const queue = [...(g.waitsFor.get(start) ?? [])];
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    queue.push(...(g.waitsFor.get(n) ?? []));
  }
  return new Set([...seen].map((n) => n.replace(/^(reg|done):/, "")));
}

/** Resources that (transitively) wait for any of `roots`, through dependencies, providers and parents. */
export function dependantsOf(resources: readonly PlannedResource[], roots: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of resources) {
      if (out.has(r.urn) || roots.has(r.urn)) continue;
      const waits = [...r.dependsOn, ...(r.provider ? [r.provider] : []), ...(r.parent ? [r.parent] : [])];
      if (waits.some((d) => roots.has(d) || out.has(d))) {
        out.add(r.urn);
        changed = true;
      }
    }
  }
  return out;
}

/**
 * The resources a stack leaves out while the stacks `refs` read have no outputs: everything that
 * waits for those StackReferences, plus the rest of each top-level component they sit in (the
 * program declares or skips a component as a whole: stacks/registration.ts), and what waits for that.
 */
export function lateResources(resources: readonly PlannedResource[], refs: readonly string[]): Set<string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const roots = new Set(resources.filter((r) => refs.includes(referencedStack(r) ?? "")).map((r) => r.urn));
  if (roots.size === 0) return new Set();
  const late = dependantsOf(resources, roots);
  const top = (r: PlannedResource): PlannedResource => {
    let cur = r;
    while (cur.parent && byUrn.has(cur.parent)) cur = byUrn.get(cur.parent)!;
    return cur;
  };
  const tops = new Set([...late].map((u) => top(byUrn.get(u)!).urn));
  for (const r of resources) if (tops.has(top(r).urn)) late.add(r.urn);
  for (const u of dependantsOf(resources, late)) late.add(u);
  return late;
}

/** The short stack name a StackReference reads (`organization/k8tre/mgmt` → `mgmt`). */
export function referencedStack(r: PlannedResource): string | undefined {
  if (r.type !== "pulumi:pulumi:StackReference") return undefined;
  const name = r.inputs?.name;
  return typeof name === "string" ? name.split("/").pop() : undefined;
}

// ---------------------------------------------------------------------------------------------
// The estimate.

export interface PathStep {
  stack: string;
  pass: PlanUnit["pass"];
  resource: string;
  type: string;
  startMinutes: number;
  endMinutes: number;
  minutes: number;
  source: string;
}

export interface PassEstimate {
  stack: string;
  pass: PlanUnit["pass"];
  startMinutes: number;
  endMinutes: number;
  /** Resources this pass creates. */
  resources: number;
  waitsFor: string[];
}

export interface LateStep {
  stack: string;
  what: string;
  /** What must happen before it: a plan unit, or an operator action. */
  after: string;
  startMinutes: number;
  endMinutes: number;
  /** Whether `totalMinutes` includes it (operator-gated steps are not). */
  inTotal: boolean;
  resources: string[];
}

/** Issue 12's budget, checked on its own set of stacks ({@link BUDGET_STACKS}). */
export interface BudgetCheck {
  stacks: string[];
  budgetMinutes: number;
  /** The modelled greenfield `up` of exactly those stacks; absent when some were not synthesized. */
  totalMinutes?: number;
  /** The runner's `--parallel auto` for that run. */
  runnerParallel?: number;
  within?: boolean;
  /** Stacks of the budget's set this synth did not produce (then no figure is given). */
  missing?: string[];
}

export interface DeployEstimate {
  /** The modelled greenfield `up` of every stack in {@link DeployEstimate.stackNames}. */
  totalMinutes: number;
  /** The stacks this estimate covers, in dependency order. */
  stackNames: string[];
  /** Set by the synth ({@link writeDeployEstimate}); the budget applies to its own set, not to this estimate's. */
  budget?: BudgetCheck;
  model: {
    engineParallel: string;
    runnerParallel: number;
    durations: string;
    stackOverheadSeconds: number;
    latePassOverheadSeconds: number;
  };
  stacks: PassEstimate[];
  criticalPath: PathStep[];
  lateSteps: LateStep[];
  notes: string[];
}

export interface EstimateInput {
  /** The runner's view of the project (automation/graph.ts discoverStacks). */
  graph: StackGraph;
  /** Plans of the stacks to deploy, in dependency order. */
  plans: ReadonlyMap<string, readonly PlannedResource[]>;
  runnerParallel: number;
  engineParallel?: number;
  table?: DurationTable;
}

const minutes = (s: number) => Math.round((s / 60) * 10) / 10;

interface PassModel {
  unit: PlanUnit;
  members: Set<string>;
  graph: ResourceGraph;
  timings: Map<string, Timing>;
  overhead: number;
  makespan: number;
}

export async function estimateDeploy(input: EstimateInput): Promise<DeployEstimate> {
  const table = input.table ?? loadDurations();
  const engineParallel = input.engineParallel ?? ENGINE_PARALLEL_DEFAULT;
  const order = input.graph.order.filter((s) => input.plans.has(s));
  const plan = planRun(input.graph, { order }, "up");
  const notes: string[] = [];
  const lateSteps: LateStep[] = [];

  // Split each stack's resources into its passes, and set operator-gated ones aside.
  const passes = new Map<string, PassModel>();
  const gated: Array<{ stack: string; members: Set<string>; reason: string }> = [];
  for (const stack of order) {
    const resources = input.plans.get(stack)!;
    const units = plan.units.filter((u) => u.stack === stack);
    const lateUnit = units.find((u) => u.pass === "late");
    const late = lateResources(resources, lateUnit?.lateRefs ?? []);
    const gatedSet = new Set<string>();
    for (const rule of table.operatorGated) {
      for (const r of resources.filter((x) => x.type === rule.type)) {
        const g = resourceGraph(resources);
        const waits = transitiveWaits(g, r.urn);
        if (![...waits].some((u) => g.byUrn.get(u)?.type === rule.whenDependsOnCreated)) continue;
        const members = new Set([r.urn, ...dependantsOf(resources, new Set([r.urn]))]);
        for (const m of members) gatedSet.add(m);
        gated.push({ stack, members, reason: rule.reason });
      }
    }
    for (const unit of units) {
      const members = new Set(
        resources.map((r) => r.urn).filter((u) => !gatedSet.has(u) && (unit.pass === "late" ? late.has(u) : !late.has(u))),
      );
      const graph = resourceGraph(resources, members);
      const timings = await simulate(graph.nodes, (n) => graph.waitsFor.get(n) ?? [], (n) => nodeSeconds(graph, n, table), engineParallel);
      const makespan = Math.max(0, ...[...timings.values()].map((t) => t.end));
      const overhead = unit.pass === "late" ? table.latePassOverheadSeconds.seconds : table.stackOverheadSeconds.seconds;
      passes.set(unit.id, { unit, members, graph, timings, overhead, makespan });
    }
  }

  // The runner's schedule of the passes.
  const stackTimes = await simulate(
    plan.units.map((u) => u.id),
    (id) => plan.units.find((u) => u.id === id)!.waitsFor,
    (id) => passes.get(id)!.overhead + passes.get(id)!.makespan,
    input.runnerParallel,
  );
  const total = Math.max(0, ...[...stackTimes.values()].map((t) => t.end));

  // Critical path: back from the last pass to finish, through what each pass waited for.
  const criticalPath: PathStep[] = [];
  let unitId: string | undefined = [...stackTimes.entries()].sort((a, b) => b[1].end - a[1].end || a[0].localeCompare(b[0]))[0]?.[0];
  const chain: string[] = [];
  while (unitId) {
    chain.unshift(unitId);
    const t = stackTimes.get(unitId)!;
    const preds: string[] = passes.get(unitId)!.unit.waitsFor.filter((p) => stackTimes.get(p)!.end === t.start);
    if (preds.length === 0 && t.start > 0) notes.push(`${unitId} waited for a runner slot (--parallel ${input.runnerParallel})`);
    unitId = preds.sort()[0];
  }
  for (const id of chain) {
    const p = passes.get(id)!;
    const offset = stackTimes.get(id)!.start + (p.unit.pass === "late" ? table.latePassOverheadSeconds.seconds : table.stackOverheadSeconds.seconds);
    criticalPath.push({
      stack: p.unit.stack,
      pass: p.unit.pass,
      resource: `(${p.unit.pass === "late" ? "late pass" : "stack"} start: CLI, plugins, program)`,
      type: "pulumi:pulumi:Stack",
      startMinutes: minutes(stackTimes.get(id)!.start),
      endMinutes: minutes(offset),
      minutes: minutes(p.overhead),
      source: p.unit.pass === "late" ? table.latePassOverheadSeconds.source : table.stackOverheadSeconds.source,
    });
    for (const urn of resourcePath(p)) {
      const r = p.graph.byUrn.get(urn)!;
      const t = p.timings.get(urn)!;
      const d = durationOf(r, table);
      criticalPath.push({
        stack: p.unit.stack,
        pass: p.unit.pass,
        resource: r.name,
        type: r.type,
        startMinutes: minutes(offset + t.start),
        endMinutes: minutes(offset + t.end),
        minutes: minutes(t.end - t.start),
        source: d.source,
      });
    }
  }

  for (const u of plan.units.filter((x) => x.pass === "late")) {
    const p = passes.get(u.id)!;
    const t = stackTimes.get(u.id)!;
    lateSteps.push({
      stack: u.stack,
      what: `late pass: ${[...p.members].map((m) => p.graph.byUrn.get(m)!).filter((r) => !r.custom && r.parent === null).map((r) => r.name).join(", ") || `${p.members.size} resources`}`,
      after: u.waitsFor.join(", "),
      startMinutes: minutes(t.start),
      endMinutes: minutes(t.end),
      inTotal: true,
      resources: [...p.members].map((m) => p.graph.byUrn.get(m)!.name).sort(),
    });
  }
  for (const g of gated) {
    const resources = input.plans.get(g.stack)!;
    const graph = resourceGraph(resources, g.members);
    const timings = await simulate(graph.nodes, (n) => graph.waitsFor.get(n) ?? [], (n) => nodeSeconds(graph, n, table), engineParallel);
    const span = table.stackOverheadSeconds.seconds + Math.max(0, ...[...timings.values()].map((t) => t.end));
    const start = stackTimes.get(g.stack)!.end;
    lateSteps.push({
      stack: g.stack,
      what: `operator-gated: ${[...g.members].map((m) => graph.byUrn.get(m)!.name).sort().join(", ")}`,
      after: `${g.stack}, then an operator step: ${g.reason}`,
      startMinutes: minutes(start),
      endMinutes: minutes(start + span),
      inTotal: false,
      resources: [...g.members].map((m) => graph.byUrn.get(m)!.name).sort(),
    });
  }

  return {
    totalMinutes: minutes(total),
    stackNames: order,
    model: {
      engineParallel: engineParallel === ENGINE_PARALLEL_DEFAULT ? "unbounded (pulumi up --parallel default)" : String(engineParallel),
      runnerParallel: input.runnerParallel,
      durations: "tools/synth/durations.json",
      stackOverheadSeconds: table.stackOverheadSeconds.seconds,
      latePassOverheadSeconds: table.latePassOverheadSeconds.seconds,
    },
    stacks: plan.units.map((u) => ({
      stack: u.stack,
      pass: u.pass,
      startMinutes: minutes(stackTimes.get(u.id)!.start),
      endMinutes: minutes(stackTimes.get(u.id)!.end),
      resources: [...passes.get(u.id)!.members].filter((m) => passes.get(u.id)!.graph.byUrn.get(m)!.custom).length,
      waitsFor: u.waitsFor,
    })),
    criticalPath,
    lateSteps,
    notes,
  };
}

function nodeSeconds(g: ResourceGraph, node: string, table: DurationTable): number {
  const r = g.byUrn.get(node);
  return r ? durationOf(r, table).seconds : 0;
}

/** The chain of custom resources that ends last in a pass, first to last. */
function resourcePath(p: PassModel): string[] {
  const last = [...p.timings.entries()].filter(([n]) => p.graph.byUrn.has(n)).sort((a, b) => b[1].end - a[1].end || a[0].localeCompare(b[0]))[0];
  const out: string[] = [];
  let node: string | undefined = last?.[0];
  while (node) {
    if (p.graph.byUrn.get(node)?.custom) out.unshift(node);
    const t = p.timings.get(node)!;
    const preds: string[] = (p.graph.waitsFor.get(node) ?? []).filter((d) => p.timings.get(d)?.end === t.start);
    // Prefer a real resource over a component's bookkeeping node when both end together.
    node = preds.sort((a, b) => Number(!p.graph.byUrn.has(a)) - Number(!p.graph.byUrn.has(b)) || a.localeCompare(b))[0];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/** The budget sentence: the figure for the budget's own set, or why there is none. */
export function renderBudget(b: BudgetCheck): string {
  const set = b.stacks.join(", ");
  if (b.totalMinutes === undefined) {
    return `Issue 12's ${b.budgetMinutes}-minute budget applies to ${set} only; not checked here (not synthesized: ${(b.missing ?? []).join(", ")}).`;
  }
  return `Budget (issue 12, for ${set} only): **${b.totalMinutes} min** modelled for \`up\` of those stacks (runner \`--parallel ${b.runnerParallel}\`), ` +
    `${b.within ? "within" : "OVER"} the ${b.budgetMinutes}-minute budget.`;
}

export function renderEstimateMarkdown(e: DeployEstimate): string {
  const lines = [
    "## Deploy-time estimate (greenfield `npm run deploy -- up`)",
    "",
    `**${e.totalMinutes} min** modelled for the ${e.stackNames.length} stacks below (${e.stackNames.join(", ")}) with the engine's ` +
      `\`--parallel\` ${e.model.engineParallel} and the runner's \`--parallel ${e.model.runnerParallel}\`; ` +
      `durations from \`${e.model.durations}\` (each with its source).`,
    ...(e.budget ? ["", renderBudget(e.budget)] : []),
    "",
    "| Stack | Pass | Start (min) | End (min) | Creates | Waits for |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...e.stacks.map((s) => `| \`${s.stack}\` | ${s.pass} | ${s.startMinutes} | ${s.endMinutes} | ${s.resources} | ${s.waitsFor.join(", ") || "–"} |`),
    "",
    "Critical path:",
    "",
    ...e.criticalPath.filter((p) => p.minutes > 0).map((p) => `- ${p.startMinutes}–${p.endMinutes} min \`${p.stack}\`${p.pass === "late" ? " (late)" : ""}: ${p.resource} (\`${p.type}\`, ${p.minutes} min)`),
  ];
  if (e.lateSteps.length > 0) {
    lines.push("", "Late steps:", "");
    for (const l of e.lateSteps) {
      lines.push(`- \`${l.stack}\` ${l.startMinutes}–${l.endMinutes} min${l.inTotal ? "" : " (not in the total)"}: ${l.what}; after ${l.after}`);
    }
  }
  if (e.notes.length > 0) lines.push("", ...e.notes.map((n) => `_${n}_`));
  return lines.join("\n");
}

/** One console line: the whole set's total, then, separately, the figure the budget applies to. */
export function renderEstimateLine(e: DeployEstimate): string {
  const path = e.criticalPath.filter((p) => p.minutes >= 1).map((p) => `${p.resource} ${p.minutes}`).join(" → ");
  const b = e.budget;
  const budget = !b
    ? ""
    : b.totalMinutes === undefined
      ? `; budget ${b.budgetMinutes} min applies to ${b.stacks.join(", ")} (not all synthesized)`
      : `; ${b.stacks.join(", ")}: ${b.totalMinutes} min (budget ${b.budgetMinutes}${b.within ? "" : ", OVER"})`;
  return `Deploy-time estimate: ${e.totalMinutes} min for ${e.stackNames.length} stacks${budget}; critical path: ${path}`;
}

// ---------------------------------------------------------------------------------------------
// The synth's hook: `npm run synth` writes deploy-estimate.json and a section of summary.md.

export interface SynthPlan {
  stack: string;
  resources: readonly PlannedResource[];
  /** Named on the synth's command line (an example stack counts only then, as for the runner). */
  named: boolean;
}

/**
 * Estimates a greenfield deploy of the synthesized stacks (examples only when named, like
 * `npm run deploy -- up --all`) with the runner's default `--parallel auto`, writes
 * `<outDir>/deploy-estimate.json`, appends the Markdown section to `<outDir>/summary.md` when it
 * exists, and returns the console line (or why there is no estimate).
 */
export async function writeDeployEstimate(opts: { projectDir: string; outDir: string; plans: readonly SynthPlan[] }): Promise<string> {
  let graph: StackGraph;
  try {
    graph = discoverStacks(opts.projectDir);
  } catch (e) {
    return `Deploy-time estimate skipped: ${(e as Error).message}`;
  }
  const plans = new Map(
    opts.plans.filter((p) => graph.stacks.has(p.stack) && (!graph.stacks.get(p.stack)!.example || p.named)).map((p) => [p.stack, p.resources] as const),
  );
  if (plans.size === 0) return "Deploy-time estimate skipped: no deployable stack was synthesized";
  const order = graph.order.filter((s) => plans.has(s));
  const e = await estimateDeploy({ graph, plans, runnerParallel: autoParallel(planRun(graph, { order }, "up")) });
  e.budget = await budgetCheck(graph, plans, e);
  fs.writeFileSync(path.join(opts.outDir, "deploy-estimate.json"), JSON.stringify(e, null, 2) + "\n");
  const summary = path.join(opts.outDir, "summary.md");
  if (fs.existsSync(summary)) fs.appendFileSync(summary, "\n" + renderEstimateMarkdown(e) + "\n");
  return renderEstimateLine(e);
}

/**
 * Issue 12's budget on its own set: a greenfield `up` of exactly {@link BUDGET_STACKS} (the
 * runner's plan for those stacks, its `--parallel auto`), reusing `whole` when it is that set.
 */
export async function budgetCheck(graph: StackGraph, plans: ReadonlyMap<string, readonly PlannedResource[]>, whole?: DeployEstimate): Promise<BudgetCheck> {
  const stacks = [...BUDGET_STACKS];
  const missing = stacks.filter((s) => !plans.has(s) || !graph.stacks.has(s));
  if (missing.length > 0) return { stacks, budgetMinutes: BUDGET_MINUTES, missing };
  const order = graph.order.filter((s) => stacks.includes(s));
  const runnerParallel = autoParallel(planRun(graph, { order }, "up"));
  const e =
    whole && whole.stackNames.length === order.length && whole.model.runnerParallel === runnerParallel
      ? whole
      : await estimateDeploy({ graph, plans: new Map(order.map((s) => [s, plans.get(s)!] as const)), runnerParallel });
  return { stacks, budgetMinutes: BUDGET_MINUTES, totalMinutes: e.totalMinutes, runnerParallel, within: e.totalMinutes < BUDGET_MINUTES };
}
