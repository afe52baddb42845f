/**
 * The deploy-time estimate of the shipped greenfield deploy (issue 12): the five stacks network,
 * mgmt, dev, stg, prd and the public gateway's stack, under the 20-minute budget with the runner's
 * defaults, explained by its critical path and late steps. A change that pushes the modelled
 * greenfield deploy over budget fails here.
 */
import { discoverStacks, type StackGraph } from "../../automation/graph";
import { autoParallel, planRun } from "../../automation/plan";
import {
  BUDGET_MINUTES,
  BUDGET_STACKS,
  budgetCheck,
  type DeployEstimate,
  estimateDeploy,
  renderEstimateLine,
  renderEstimateMarkdown,
  simulate,
} from "../../tools/synth/estimate";
import type { PlannedResource } from "../../tools/synth/engine";
import { PROJECT_DIR, synthShipped } from "../helpers/synth";

/** The five stacks issue 12 names and the gateway stack (ADR 0006: part of `network` then), which none of them waits for. */
const FIVE = ["network", "mgmt", "dev", "stg", "prd", "gateway"];
let graph: StackGraph;
let plans: Map<string, PlannedResource[]>;
let estimate: DeployEstimate;

beforeAll(async () => {
  const full = discoverStacks(PROJECT_DIR);
  graph = { ...full, order: full.order.filter((s) => FIVE.includes(s)) };
  plans = new Map();
  for (const s of FIVE) plans.set(s, (await synthShipped(s)).resources);
  estimate = await estimateDeploy({ graph, plans, runnerParallel: autoParallel(planRun(graph, { order: graph.order }, "up")) });
}, 180_000);

describe("deploy-time estimate of network, mgmt, dev, stg, prd (and gateway)", () => {
  it(`stays under the ${BUDGET_MINUTES}-minute budget with the runner's default --parallel`, () => {
    // One slot per stack of the widest wave: mgmt, dev, stg, prd and gateway after network.
    expect(estimate.model.runnerParallel).toBe(5);
    expect(estimate.totalMinutes).toBeLessThan(BUDGET_MINUTES);
  });

  it("runs the environments alongside mgmt and registers them in a late pass after it", () => {
    const pass = (stack: string, p: string) => estimate.stacks.find((s) => s.stack === stack && s.pass === p)!;
    for (const env of ["dev", "stg", "prd"]) {
      expect(pass(env, "main").startMinutes).toBe(pass("mgmt", "main").startMinutes);
      expect(pass(env, "late").startMinutes).toBeGreaterThanOrEqual(pass("mgmt", "main").endMinutes);
      expect(pass(env, "late").waitsFor).toEqual([env, "mgmt"]);
    }
    const late = estimate.lateSteps.filter((l) => l.inTotal);
    expect(late.map((l) => l.stack).sort()).toEqual(["dev", "prd", "stg"]);
    for (const l of late) expect(l.resources).toEqual(expect.arrayContaining(["argocd-registration-secret", "argocd-access-binding"]));
  });

  it("keeps the public gateway off the cluster path: its own stack after network, nothing waiting for it, the App Gateway an operator-gated late step", () => {
    const gated = estimate.lateSteps.filter((l) => !l.inTotal);
    // The gateway's diagnostic setting follows it; nothing else waits for either.
    expect(gated).toEqual([expect.objectContaining({ stack: "gateway", resources: ["gateway-agw", "gateway-agw-logs"] })]);
    const network = estimate.stacks.find((s) => s.stack === "network")!;
    expect(network.endMinutes).toBeLessThan(4);
    // The vault, its private endpoint and zone group run beside the clusters and end long before them.
    const gateway = estimate.stacks.find((s) => s.stack === "gateway")!;
    expect(gateway.waitsFor).toEqual(["network"]);
    expect(gateway.startMinutes).toBe(network.endMinutes);
    expect(gateway.endMinutes).toBeLessThan(estimate.stacks.find((s) => s.stack === "mgmt" && s.pass === "main")!.endMinutes);
    for (const s of estimate.stacks) expect(s.waitsFor).not.toContain("gateway");
    expect(estimate.criticalPath.map((p) => p.stack)).not.toContain("gateway");
  });

  it("names the critical path resource by resource, with a source for each duration", () => {
    const names = estimate.criticalPath.map((p) => p.resource);
    expect(names).toEqual(expect.arrayContaining(["cluster-aks", "bootstrap-cilium"]));
    for (const p of estimate.criticalPath) expect(p.source.length).toBeGreaterThan(10);
    const sum = estimate.criticalPath.reduce((m, p) => Math.max(m, p.endMinutes), 0);
    expect(sum).toBeCloseTo(estimate.totalMinutes, 0);
  });

  it("would be far over budget with the old schedule (environments after mgmt, two stacks at a time)", async () => {
    const serial: StackGraph = { ...graph, stacks: new Map([...graph.stacks].map(([k, v]) => [k, { ...v, lateDependsOn: [] }])) };
    const old = await estimateDeploy({ graph: serial, plans, runnerParallel: 2 });
    expect(old.totalMinutes).toBeGreaterThan(BUDGET_MINUTES + 10);
  });
});

describe("the budget in the synth's report (it applies to the five stacks and the gateway only)", () => {
  it("is defined for network, mgmt, dev, stg, prd and gateway", () => {
    expect([...BUDGET_STACKS]).toEqual(FIVE);
  });

  it("checks the five on their own and reuses the estimate when it covers exactly them", async () => {
    const b = await budgetCheck(graph, plans, estimate);
    expect(b).toEqual({ stacks: FIVE, budgetMinutes: BUDGET_MINUTES, totalMinutes: estimate.totalMinutes, runnerParallel: 5, within: true });
  });

  it("states the whole set's total and, separately, the figure the budget applies to", () => {
    // A larger synthesized set (e.g. with the AWS stacks) whose total is over 20 minutes.
    const whole: DeployEstimate = {
      ...estimate,
      totalMinutes: 36.3,
      stackNames: ["aws-network", ...estimate.stackNames, "aws-mgmt", "aws-dev"],
      budget: { stacks: FIVE, budgetMinutes: BUDGET_MINUTES, totalMinutes: 19.9, runnerParallel: 5, within: true },
    };
    const line = renderEstimateLine(whole);
    expect(line).toMatch(/^Deploy-time estimate: 36\.3 min for 9 stacks; network, mgmt, dev, stg, prd, gateway: 19\.9 min \(budget 20\); critical path: /);
    const md = renderEstimateMarkdown(whole);
    expect(md).toContain(`**36.3 min** modelled for the 9 stacks below (${whole.stackNames.join(", ")})`);
    expect(md).toContain("Budget (issue 12, for network, mgmt, dev, stg, prd, gateway only): **19.9 min** modelled for `up` of those stacks (runner `--parallel 5`), within the 20-minute budget.");
    // The whole set's total is never set against the budget.
    expect(md).not.toMatch(/36\.3 min\*\* modelled \((within|OVER)/);
  });

  it("gives no budget figure when some of the five were not synthesized", async () => {
    const partial = new Map([...plans].filter(([s]) => s !== "stg"));
    const b = await budgetCheck(graph, partial);
    expect(b).toEqual({ stacks: FIVE, budgetMinutes: BUDGET_MINUTES, missing: ["stg"] });
    expect(renderEstimateLine({ ...estimate, budget: b })).toContain("; budget 20 min applies to network, mgmt, dev, stg, prd, gateway (not all synthesized); ");
    expect(renderEstimateMarkdown({ ...estimate, budget: b })).toContain("Issue 12's 20-minute budget applies to network, mgmt, dev, stg, prd, gateway only; not checked here (not synthesized: stg).");
  });
});

describe("simulate (the runner's scheduler on a virtual clock)", () => {
  it("starts a node when what it waits for ends, within the parallel limit", async () => {
    const t = await simulate(["a", "b", "c", "d"], (n) => (n === "d" ? ["a", "b"] : []), (n) => ({ a: 60, b: 120, c: 30, d: 10 })[n]!, 2);
    expect(Object.fromEntries(t)).toEqual({ a: { start: 0, end: 60 }, b: { start: 0, end: 120 }, c: { start: 60, end: 90 }, d: { start: 120, end: 130 } });
  });
});
