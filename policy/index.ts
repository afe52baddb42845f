/**
 * The K8TRE TRE baseline CrossGuard pack. Run it with any backend:
 *
 *   pulumi preview --policy-pack policy --stack <stack>
 *
 * The rules live in `rules.ts` and are shared with the offline synth (`npm run synth`).
 * See docs/policy.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { crossGuardPolicies } from "./policies";
import { PACK_NAME } from "./rules";

new PolicyPack(PACK_NAME, {
  description: "K8TRE baseline for trusted research environments: SATRE, CIS AKS, Azure Security Benchmark, AWS Security Hub and CIS AWS controls.",
  enforcementLevel: "mandatory",
  policies: crossGuardPolicies(),
});
