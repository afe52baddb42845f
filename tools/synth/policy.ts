/**
 * Runs the K8TRE policy pack's rules (policy/rules.ts, the same rules CrossGuard runs) over a
 * synthesized plan. Mirrors CrossGuard semantics: a rule that reads an unknown value
 * ("[unknown]" in preview mode) is not evaluated for that resource (CrossGuard reports the same
 * case as an advisory "can't run during preview"); a rule that needs a masked secret's content
 * is not evaluated either. Neither counts as a violation.
 *
 * A policy's status says the same as its resources: `passed`/`violated` when it checked at least one
 * resource, `not-evaluated` when every resource of its types was left unevaluated (listed in
 * `notEvaluated`), `not-applicable` only when the plan has no resource of its types.
 */
import {
  appliesTo,
  type EnforcementLevel,
  normalizeResource,
  PACK_NAME,
  type PolicyResource,
  type ResourceRule,
  rules as allRules,
  runsOn,
  SYNTH_UNKNOWN,
  withFix,
} from "../../policy/rules";
import type { PlannedResource } from "./engine";

export interface PolicyViolation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  type: string;
  message: string;
}

export interface PolicyNotEvaluated {
  policy: string;
  urn: string;
  reason: string;
}

export interface PolicyOutcome {
  name: string;
  enforcementLevel: EnforcementLevel;
  baseline: string;
  /** How many resources the policy checked. */
  checked: number;
  /** How many resources of its types it could not evaluate offline (see `PolicyReport.notEvaluated`). */
  notEvaluated: number;
  status: "passed" | "violated" | "not-evaluated" | "not-applicable";
}

export interface PolicyReport {
  pack: string;
  /** Policies with at least one checked resource and no violation. */
  passed: number;
  /** Policies whose every resource was left unevaluated offline. */
  notEvaluatedPolicies: number;
  /** Policies with no resource of their types in this plan. */
  notApplicable: number;
  mandatoryViolations: number;
  advisoryViolations: number;
  policies: PolicyOutcome[];
  violations: PolicyViolation[];
  notEvaluated: PolicyNotEvaluated[];
}

class NotEvaluable extends Error {}

/** Wraps inputs so reading an unknown value stops the rule, like CrossGuard's unknownCheckingProxy. */
function unknownChecking<T>(value: T, path: string): T {
  const plain = Array.isArray(value) || (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype);
  if (!plain) return value;
  return new Proxy(value as any, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string") return v;
      const p = Array.isArray(target) ? `${path}[${prop}]` : path ? `${path}.${prop}` : prop;
      if (v === SYNTH_UNKNOWN) throw new NotEvaluable(`${p} is unknown until the resource it depends on exists`);
      return unknownChecking(v, p);
    },
  });
}

function asPolicyResource(r: PlannedResource): PolicyResource {
  return normalizeResource({ type: r.type, name: r.name, urn: r.urn, inputs: r.inputs, protect: r.protect });
}

/** Evaluates every synth-capable rule over a plan's resources. */
export function evaluatePlan(plan: { resources: readonly PlannedResource[] }, rules: readonly ResourceRule[] = allRules): PolicyReport {
  const report: PolicyReport = { pack: PACK_NAME, passed: 0, notEvaluatedPolicies: 0, notApplicable: 0, mandatoryViolations: 0, advisoryViolations: 0, policies: [], violations: [], notEvaluated: [] };
  const resources = plan.resources.map(asPolicyResource);
  for (const rule of rules.filter((r) => runsOn(r, "synth"))) {
    let checked = 0;
    let skipped = 0;
    let violated = false;
    for (const resource of resources) {
      if (!appliesTo(rule, resource.type)) continue;
      const urn = resource.urn ?? resource.name;
      let messages: string[];
      try {
        // The plaintext-secrets scan reads every input; an unknown value there is simply not a secret.
        const inputs = rule.resourceTypes.includes("*") ? resource.inputs : unknownChecking(resource.inputs, "");
        messages = rule.check({ ...resource, inputs }, {
          engine: "synth",
          stack: resources,
          notEvaluable: (reason) => {
            throw new NotEvaluable(reason);
          },
        });
      } catch (e) {
        if (!(e instanceof NotEvaluable)) throw e;
        report.notEvaluated.push({ policy: rule.name, urn, reason: e.message });
        skipped++;
        continue;
      }
      checked++;
      for (const message of messages) {
        violated = true;
        report.violations.push({ policy: rule.name, enforcementLevel: rule.enforcementLevel, urn, type: resource.type, message: withFix(rule, message) });
        if (rule.enforcementLevel === "mandatory") report.mandatoryViolations++;
        else report.advisoryViolations++;
      }
    }
    const status = violated ? "violated" : checked ? "passed" : skipped ? "not-evaluated" : "not-applicable";
    if (status === "passed") report.passed++;
    if (status === "not-evaluated") report.notEvaluatedPolicies++;
    if (status === "not-applicable") report.notApplicable++;
    report.policies.push({ name: rule.name, enforcementLevel: rule.enforcementLevel, baseline: rule.baseline, checked, notEvaluated: skipped, status });
  }
  return report;
}

/** "15 passed, 0 violations (0 mandatory, 0 advisory), 1 not evaluated offline, 3 not applicable". */
export function policyCounts(r: PolicyReport): string {
  const n = r.violations.length;
  const notEvaluated = r.notEvaluatedPolicies ? `, ${r.notEvaluatedPolicies} not evaluated offline` : "";
  return `${r.passed} passed, ${n} violation${n === 1 ? "" : "s"} (${r.mandatoryViolations} mandatory, ${r.advisoryViolations} advisory)${notEvaluated}, ${r.notApplicable} not applicable`;
}

export function policyHeadline(r: PolicyReport): string {
  return `Policy (${r.pack}): ${policyCounts(r)}`;
}

/** Console lines: every violation; with `verbose`, the headline first and every resource not evaluated. */
export function renderPolicySummary(r: PolicyReport, opts: { verbose?: boolean } = { verbose: true }): string[] {
  const lines = opts.verbose ? [`  ${policyHeadline(r)}`] : [];
  for (const v of r.violations) lines.push(`  ${v.enforcementLevel === "mandatory" ? "✗" : "!"} [${v.enforcementLevel}] ${v.policy}: ${v.urn}`, `      ${v.message}`);
  if (opts.verbose) for (const n of r.notEvaluated) lines.push(`    ? ${n.policy} not evaluated on ${n.urn}: ${n.reason}`);
  return lines;
}

/** The `### Policy` section of `<stack>.md`. */
export function renderPolicyMarkdown(r: PolicyReport): string[] {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [`### Policy`, "", `${policyHeadline(r)}.`, "", "| policy | level | checked | not evaluated | result |", "| --- | --- | ---: | ---: | --- |"];
  for (const p of r.policies) lines.push(`| \`${p.name}\` | ${p.enforcementLevel} | ${p.checked} | ${p.notEvaluated} | ${p.status} |`);
  lines.push("");
  if (r.violations.length) {
    lines.push("| policy | level | resource | message |", "| --- | --- | --- | --- |");
    for (const v of r.violations) lines.push(`| \`${v.policy}\` | ${v.enforcementLevel} | \`${cell(v.urn)}\` | ${cell(v.message)} |`);
    lines.push("");
  }
  if (r.notEvaluated.length) {
    lines.push("Not evaluated offline:", "", ...r.notEvaluated.map((n) => `- \`${n.policy}\` on \`${cell(n.urn)}\`: ${cell(n.reason)}`), "");
  }
  return lines;
}

/**
 * `<out>/policy.md`: one table over every synthesized stack, then each violation. The PR comment
 * shows non-stack Markdown files first and expanded (automation/prComment.ts).
 */
export function renderPolicyOverview(reports: ReadonlyArray<readonly [string, PolicyReport]>): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const mandatory = reports.reduce((n, [, r]) => n + r.mandatoryViolations, 0);
  const lines = [
    `## Policy: \`${PACK_NAME}\``,
    "",
    mandatory ? `**${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}: the synth fails.**` : "No mandatory violations.",
    "",
    "| stack | passed | mandatory | advisory | not evaluated offline | not applicable |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...reports.map(([s, r]) => `| \`${s}\` | ${r.passed} | ${r.mandatoryViolations} | ${r.advisoryViolations} | ${r.notEvaluatedPolicies} (${r.notEvaluated.length} resource${r.notEvaluated.length === 1 ? "" : "s"}) | ${r.notApplicable} |`),
    "",
  ];
  const all = reports.flatMap(([s, r]) => r.violations.map((v) => ({ s, v })));
  if (all.length) {
    lines.push("| stack | policy | level | resource | message |", "| --- | --- | --- | --- | --- |");
    for (const { s, v } of all) lines.push(`| \`${s}\` | \`${v.policy}\` | ${v.enforcementLevel} | \`${cell(v.urn)}\` | ${cell(v.message)} |`);
    lines.push("");
  }
  lines.push("Policies, levels and baseline controls: docs/policy.md.");
  return lines.join("\n");
}
