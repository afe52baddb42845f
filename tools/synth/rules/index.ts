/**
 * Evaluates the Azure create-time rules (rules/azure.ts) over a synthesized stack, with the plans of
 * the stacks evaluated before it as context, and renders the findings for the console, the JSON
 * plan and the Markdown summary. Any `error` finding makes `npm run synth` exit 1.
 */
import { azureRules } from "./azure";
import { PlanIndex, type StackPlan } from "./plan";
import type { AzureRule, RuleContext, RuleLevel } from "./types";

export interface AzureRuleFinding {
  rule: string;
  level: RuleLevel;
  stack: string;
  urn: string;
  type: string;
  name: string;
  property: string;
  message: string;
  /** The config key that fixes it, with the stack file when it is another stack's. */
  configKey?: string;
  sources: readonly string[];
  /** For a rule still at warning level: the program fix it waits for. */
  pending?: string;
}

export interface AzureRulesReport {
  /** Rules evaluated (all rows of the table). */
  rules: number;
  /** Resources of this stack that at least one rule checked. */
  checked: number;
  errors: number;
  warnings: number;
  findings: AzureRuleFinding[];
}

/** Checks `target`'s resources; `context` are the other stacks' plans (dependencies first). */
export function checkAzureRules(target: StackPlan, context: readonly StackPlan[] = [], opts: Partial<RuleContext> & { rules?: readonly AzureRule[] } = {}): AzureRulesReport {
  const plan = new PlanIndex([...context.filter((c) => c.stack !== target.stack), target]);
  const ctx: RuleContext = { now: opts.now ?? new Date() };
  const rules = opts.rules ?? azureRules;
  const findings: AzureRuleFinding[] = [];
  const checked = new Set<string>();
  for (const r of plan.resources) {
    if (r.stack !== target.stack) continue;
    for (const rule of rules) {
      if (!rule.types.includes(r.type)) continue;
      // A stack "has Azure resources" for the headline only through azure-native ones (the
      // StorageClass rule also sees K3s and EKS classes, which it ignores unless they are Azure Files).
      if (r.type.startsWith("azure-native:")) checked.add(r.urn);
      for (const f of rule.check(r, plan, ctx)) {
        findings.push({
          rule: rule.id,
          level: rule.level,
          stack: target.stack,
          urn: r.urn,
          type: r.raw.type,
          name: r.name,
          property: f.property,
          message: f.message,
          ...(f.configKey ? { configKey: f.configKey.includes("Pulumi.") ? f.configKey : `${f.configKey} in Pulumi.${target.stack}.yaml` } : {}),
          sources: rule.sources,
          ...(rule.pending ? { pending: rule.pending } : {}),
        });
      }
    }
  }
  return {
    rules: rules.length,
    checked: checked.size,
    errors: findings.filter((f) => f.level === "error").length,
    warnings: findings.filter((f) => f.level === "warning").length,
    findings,
  };
}

/** One finding as one line block: what Azure refuses, where, and the key that fixes it. */
export function formatFinding(f: AzureRuleFinding): string {
  const lines = [`[${f.rule}] stack ${f.stack}: ${f.name} (${f.type}): ${f.property}: ${f.message}`];
  lines.push(`    resource: ${f.urn}`);
  if (f.configKey) lines.push(`    fix: ${f.configKey}`);
  if (f.pending) lines.push(`    pending: ${f.pending} — reported as a warning until that fix lands`);
  lines.push(`    rule: ${f.sources.join(" ; ")}`);
  return lines.join("\n");
}

export function azureRulesHeadline(r: AzureRulesReport): string {
  return `Azure create-time rules: ${r.rules} rules over ${r.checked} resources, ${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`;
}

/** The compact headline part (`azure rules: …`), or nothing for a stack without Azure resources. */
export function azureRulesCounts(r: AzureRulesReport): string | undefined {
  if (!r.checked) return undefined;
  return `azure rules: ${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`;
}

/**
 * Console lines: every finding; with `verbose`, the headline first and each finding's URN, fix,
 * pending note and documents. The default keeps an error's fix and one line per warning; the
 * pending notes are printed once for the run (`renderPendingNotes`).
 */
export function renderAzureRulesSummary(r: AzureRulesReport, opts: { verbose?: boolean } = { verbose: true }): string[] {
  if (!r.checked) return [];
  const lines = opts.verbose ? [`  ${azureRulesHeadline(r)}`] : [];
  for (const f of r.findings) {
    const [head, ...rest] = formatFinding(f).split("\n");
    const shown = opts.verbose ? rest : f.level === "error" ? rest.filter((l) => /^\s+fix:/.test(l)) : [];
    lines.push(`  ${f.level === "error" ? "✗" : "!"} ${head}`, ...shown.map((l) => `  ${l}`));
  }
  return lines;
}

/** The program fixes that warning-level checks wait for, once per run. */
export function renderPendingNotes(pending: ReadonlyArray<readonly [check: string, note: string]>): string[] {
  const by = new Map<string, string[]>();
  for (const [check, note] of pending) by.set(note, [...new Set([...(by.get(note) ?? []), check])]);
  if (!by.size) return [];
  return ["Checks at warning level until a program fix lands:", ...[...by].map(([note, checks]) => `  - ${checks.join(", ")}: ${note}`)];
}

/** Markdown lines (appended to `<stack>.md`). */
export function renderAzureRulesMarkdown(r: AzureRulesReport): string[] {
  if (!r.checked) return [];
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = ["### Azure create-time rules", "", `${azureRulesHeadline(r)}.`, ""];
  if (r.findings.length) {
    lines.push("| level | rule | resource | property | finding | fix |", "| --- | --- | --- | --- | --- | --- |");
    for (const f of r.findings) {
      lines.push(`| ${f.level}${f.pending ? " (pending fix)" : ""} | \`${f.rule}\` | \`${cell(f.name)}\` | \`${cell(f.property)}\` | ${cell(f.message)} | ${cell(f.configKey ?? "")} |`);
    }
    lines.push("");
  }
  return lines;
}
