/**
 * Adapts the pure rules in `rules.ts` to CrossGuard resource-validation policies. Kept apart
 * from `index.ts` (which starts the policy gRPC server) so it can be tested offline.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { appliesTo, normalizeResource, type PolicyResource, type ResourceRule, rules, runsOn, withFix } from "./rules";

/** The resource a rule sees, built from CrossGuard's validation arguments. */
export function toPolicyResource(args: Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props" | "opts">): PolicyResource {
  return normalizeResource({ type: args.type, name: args.name, urn: args.urn, inputs: args.props, protect: args.opts?.protect === true });
}

export function toCrossGuardPolicy(rule: ResourceRule): ResourceValidationPolicy | StackValidationPolicy {
  if (rule.scope === "stack") return toStackPolicy(rule);
  return {
    name: rule.name,
    description: `${rule.description} [${rule.baseline}]`,
    enforcementLevel: rule.enforcementLevel,
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const resource = toPolicyResource(args);
      if (!appliesTo(rule, resource.type)) return;
      // Unknown values during preview throw UnknownValueError from the SDK's proxy; the SDK
      // reports that as an advisory "can't run during preview" for this policy.
      const messages = rule.check(resource, { engine: "crossguard", notEvaluable: (reason) => args.notApplicable(reason) });
      for (const m of messages) reportViolation(withFix(rule, m));
    },
  };
}

/**
 * A rule that relates resources (a vault and the diagnostic setting targeting it) runs once over
 * the whole stack, checking each resource of its types against all the others.
 */
function toStackPolicy(rule: ResourceRule): StackValidationPolicy {
  return {
    name: rule.name,
    description: `${rule.description} [${rule.baseline}]`,
    enforcementLevel: rule.enforcementLevel,
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const stack = args.resources.map(toPolicyResource);
      for (const resource of stack) {
        if (!appliesTo(rule, resource.type)) continue;
        const messages = rule.check(resource, { engine: "crossguard", stack, notEvaluable: (reason) => args.notApplicable(reason) });
        for (const m of messages) reportViolation(withFix(rule, m), resource.urn);
      }
    },
  };
}

/** Every rule that can run under CrossGuard (no-plaintext-secrets needs the synth: see rules.ts). */
export function crossGuardPolicies(): Array<ResourceValidationPolicy | StackValidationPolicy> {
  return rules.filter((r) => runsOn(r, "crossguard")).map(toCrossGuardPolicy);
}
