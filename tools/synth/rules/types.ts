/** Types of the Azure create-time rule table (rules/azure.ts) and its evaluator (rules/index.ts). */
import type { PlanIndex, PlanResource } from "./plan";

/**
 * `error`: Azure refuses the request (or the deployment provably cannot work); the synth exits 1.
 * `warning`: reported in the console, the JSON plan and the Markdown, never silently skipped, but
 * not failing — used while the program's fix for a rule is pending, and for advice.
 */
export type RuleLevel = "error" | "warning";

export interface RuleContext {
  /** "Today", for rules about support windows (fixed in tests). */
  readonly now: Date;
}

/** One failed check on one resource. */
export interface RuleFinding {
  /** Input path on the resource, as an operator reads it in the plan (e.g. `properties.kubernetesVersion`). */
  readonly property: string;
  /** What Azure does and why, completing "<resource>: <property>: …". */
  readonly message: string;
  /** The stack config key that fixes it, when the config loader maps one (e.g. `k8tre:cluster.kubernetesVersion`). */
  readonly configKey?: string;
}

export interface AzureRule {
  /** Stable kebab-case id, shown in every finding. */
  readonly id: string;
  /** One line: the rule as Azure states it. */
  readonly title: string;
  readonly level: RuleLevel;
  /** Canonical resource types the rule checks (policy/rules.ts `canonicalType`). */
  readonly types: readonly string[];
  /** The Microsoft document(s) the rule comes from. */
  readonly sources: readonly string[];
  /** Only for `warning` rules that will become errors: what the program still has to fix. */
  readonly pending?: string;
  check(resource: PlanResource, plan: PlanIndex, ctx: RuleContext): RuleFinding[];
}
