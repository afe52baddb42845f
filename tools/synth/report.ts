/**
 * Rendering of synth results: the JSON plan, the console output (a compact summary by default,
 * the full resource tree with `--verbose`), the per-stack Markdown (`<stack>.md`) and the
 * overview over every stack (`summary.md`).
 *
 * Other analyses plug in as sections: `renderMarkdown(…, { sections })` and
 * `renderOverview(…, { sections })` take ready-made Markdown blocks (arrays of lines) and place
 * them after the built-in views; the console takes extra lines the same way.
 */
import { hasNetworkView, label, type NetworkModel, renderNetworkMermaid, renderStackGraph } from "./diagram";
import type { PlannedResource, SynthResult } from "./engine";
import type { PolicyReport } from "./policy";
import type { ReachabilityReport } from "./reachability";
import type { AzureRulesReport } from "./rules";

export interface PlanDocument {
  project: string;
  stack: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  warnings: string[];
  /** Results of the policy pack (policy/rules.ts) over this plan; see docs/policy.md. */
  policy?: PolicyReport;
  /** Azure's create-time rules (tools/synth/rules/azure.ts) over this plan; see docs/synth.md. */
  azureRules?: AzureRulesReport;
  /** Paths to the private endpoints this stack declares (tools/synth/reachability.ts); see docs/synth.md. */
  reachability?: ReachabilityReport;
}

export function planDocument(r: SynthResult, extra: Pick<PlanDocument, "policy" | "azureRules" | "reachability"> = {}): PlanDocument {
  return { project: r.project, stack: r.stack, resources: r.resources, outputs: r.outputs, warnings: r.warnings, ...extra };
}

export function countsByType(resources: readonly PlannedResource[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

interface TreeNode {
  resource: PlannedResource;
  components: TreeNode[];
  leaves: PlannedResource[];
}

/** Components form the tree; custom resources are grouped by type under their parent component. */
export function componentTree(resources: readonly PlannedResource[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  for (const r of resources) if (!r.custom) nodes.set(r.urn, { resource: r, components: [], leaves: [] });
  const roots: TreeNode[] = [];
  const rootLeaves: PlannedResource[] = [];
  for (const r of resources) {
    const parent = r.parent ? nodes.get(r.parent) : undefined;
    if (!r.custom) {
      if (parent) parent.components.push(nodes.get(r.urn)!);
      else roots.push(nodes.get(r.urn)!);
    } else if (parent) parent.leaves.push(r);
    else rootLeaves.push(r);
  }
  if (rootLeaves.length) {
    roots.unshift({ resource: { urn: "(stack)", type: "stack", name: "(stack)", custom: false } as PlannedResource, components: [], leaves: rootLeaves });
  }
  return roots;
}

function groupLeaves(leaves: readonly PlannedResource[]): string[] {
  return countsByType(leaves).map(([t, n]) => (n > 1 ? `${shortType(t)} ×${n}` : shortType(t)));
}

export function shortType(type: string): string {
  const parts = type.split(":");
  return parts.length === 3 ? `${parts[0]}:${parts[2]}` : type;
}

/** Stacks whose outputs this plan reads (its StackReferences). */
export function referencedStacks(r: Pick<SynthResult, "resources">): string[] {
  return r.resources.filter((x) => x.type === "pulumi:pulumi:StackReference").map((x) => String(x.inputs.name ?? x.name).split("/").pop()!);
}

function resourceCounts(r: Pick<SynthResult, "resources">): string {
  const custom = r.resources.filter((x) => x.custom).length;
  return `${r.resources.length} resources (${custom} cloud/Kubernetes, ${r.resources.length - custom} components)`;
}

// ---------------------------------------------------------------------------------------------
// console

/**
 * The default console block of one stack: one headline, then only what needs attention
 * (`attention` lines, e.g. policy violations). Warnings are counted here and printed once for
 * all stacks by `renderWarnings`.
 */
export function renderCompact(r: SynthResult, headline: string[], attention: string[] = []): string {
  const warnings = r.warnings.length ? [`${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}`] : [];
  return [`${r.stack}: ${[resourceCounts(r), ...headline, ...warnings].join("; ")}`, ...attention].join("\n");
}

/** Each distinct warning once, with the stacks that raised it. */
export function renderWarnings(results: ReadonlyArray<Pick<SynthResult, "stack" | "warnings">>): string[] {
  const by = new Map<string, string[]>();
  for (const r of results) for (const w of r.warnings) by.set(w, [...(by.get(w) ?? []), r.stack]);
  if (!by.size) return [];
  return ["Warnings:", ...[...by].map(([w, stacks]) => `  ! [${stacks.join(", ")}] ${w}`)];
}

/** `--verbose`: resource counts by type and the component tree, then `extra` (policy details …). */
export function renderVerbose(r: SynthResult, extra: string[] = []): string {
  const lines: string[] = [];
  lines.push(`Stack ${r.stack}: ${resourceCounts(r)}`);
  const refs = referencedStacks(r);
  if (refs.length) lines.push(`  Reads outputs of: ${refs.join(", ")}`);
  lines.push("  Resources by type:");
  for (const [t, n] of countsByType(r.resources)) lines.push(`    ${String(n).padStart(4)}  ${t}`);
  lines.push("  Component tree:");
  const walk = (n: TreeNode, depth: number) => {
    const pad = "    " + "  ".repeat(depth);
    lines.push(`${pad}${n.resource.name} (${n.resource.type})`);
    for (const leaf of groupLeaves(n.leaves)) lines.push(`${pad}  - ${leaf}`);
    for (const c of n.components) walk(c, depth + 1);
  };
  for (const root of componentTree(r.resources)) walk(root, 0);
  if (r.warnings.length) {
    lines.push("  Warnings:");
    for (const w of r.warnings) lines.push(`    ! ${w}`);
  }
  lines.push(...extra);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** The component tree (components, with their custom resources grouped by type) as Mermaid. */
export function renderMermaid(r: Pick<SynthResult, "resources" | "stack">): string {
  const ids = new Map<string, string>();
  const id = (key: string) => {
    if (!ids.has(key)) ids.set(key, `n${ids.size}`);
    return ids.get(key)!;
  };
  const lines = ["graph TD", `  ${id("stack")}["stack ${label(r.stack)}"]`];
  const walk = (n: TreeNode, parentId: string) => {
    const nid = id(n.resource.urn);
    lines.push(`  ${nid}["${label(n.resource.name)}<br/><small>${label(n.resource.type)}</small>"]`);
    lines.push(`  ${parentId} --> ${nid}`);
    const leaves = groupLeaves(n.leaves);
    if (leaves.length) {
      const lid = id(`${n.resource.urn}#leaves`);
      lines.push(`  ${lid}(["${leaves.map(label).join("<br/>")}"])`);
      lines.push(`  ${nid} -.- ${lid}`);
    }
    for (const c of n.components) walk(c, nid);
  };
  for (const root of componentTree(r.resources)) walk(root, id("stack"));
  return lines.join("\n");
}

export interface MarkdownOptions {
  /** The network and exposure model (diagram.ts); omitted or empty: no network view. */
  network?: NetworkModel;
  /** Further sections (arrays of Markdown lines), in order, after the warnings. */
  sections?: ReadonlyArray<readonly string[]>;
}

/** `<stack>.md`: what a reviewer reads in the pull-request comment. */
export function renderMarkdown(r: SynthResult, opts: MarkdownOptions = {}): string {
  const refs = referencedStacks(r);
  const counts = countsByType(r.resources).map(([t, n]) => `| \`${t}\` | ${n} |`);
  const lines = [
    `## Offline plan: stack \`${r.stack}\``,
    "",
    `${resourceCounts(r)}.${refs.length ? ` Reads outputs of ${refs.map((s) => `\`${s}\``).join(", ")}.` : ""} Generated by \`npm run synth\` (offline, no cloud credentials).`,
    "",
  ];
  if (opts.network && hasNetworkView(opts.network)) {
    lines.push("### Network and exposure", "", "```mermaid", renderNetworkMermaid(opts.network, r.stack), "```", "");
  }
  if (r.warnings.length) lines.push("**Warnings**", "", ...r.warnings.map((w) => `- ${w}`), "");
  for (const s of opts.sections ?? []) lines.push(...s);
  lines.push(
    "<details><summary>Components and resources by type</summary>",
    "",
    "```mermaid",
    renderMermaid(r),
    "```",
    "",
    "| type | count |",
    "| --- | ---: |",
    ...counts,
    "",
    "</details>",
  );
  return lines.join("\n");
}

export interface OverviewStack {
  stack: string;
  kind?: string;
  platform?: string;
  /** False for a dependency evaluated only for its outputs. */
  selected: boolean;
  result: SynthResult;
  policy?: PolicyReport;
}

/** `summary.md`: the stacks, their references, and one line per stack; then `sections`. */
export function renderOverview(stacks: readonly OverviewStack[], opts: { sections?: ReadonlyArray<readonly string[]> } = {}): string {
  const selected = stacks.filter((s) => s.selected);
  const lines = [
    `## Offline synth: ${selected.length} stack${selected.length === 1 ? "" : "s"}`,
    "",
    "Stacks and the stack references between them (an arrow points from the stack whose outputs are read to the stack that reads them):",
    "",
    "```mermaid",
    renderStackGraph(stacks.map((s) => ({ stack: s.stack, kind: s.kind, platform: s.platform, resources: s.result.resources.length, refs: referencedStacks(s.result), selected: s.selected }))),
    "```",
    "",
    "| stack | kind | resources | reads outputs of | warnings | policy |",
    "| --- | --- | ---: | --- | ---: | --- |",
    ...selected.map((s) => {
      const p = s.policy;
      const policy = p ? (p.mandatoryViolations ? `**${p.mandatoryViolations} mandatory violation(s)**` : p.violations.length ? `${p.violations.length} advisory` : "passed") : "–";
      const refs = referencedStacks(s.result);
      return `| \`${s.stack}\` | ${[s.kind, s.platform].filter(Boolean).join(" · ")} | ${s.result.resources.length} | ${refs.map((x) => `\`${x}\``).join(", ") || "–"} | ${s.result.warnings.length} | ${policy} |`;
    }),
    "",
  ];
  for (const s of opts.sections ?? []) lines.push(...s);
  return lines.join("\n").trimEnd();
}
