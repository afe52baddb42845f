/**
 * An AWS environment deployed while the management stack has no outputs yet (greenfield, both
 * deployed together): it leaves out exactly what reads the management stack — the ArgoCD
 * deployer role and access entry, the API rule for the management cluster, the registration —
 * and lists them in `deferred` with --target globs that cover them (the runner's late pass).
 */
import { discoverStacks, type StackGraph } from "../../automation/graph";
import { autoParallel, planRun } from "../../automation/plan";
import { loadProject, readProject } from "../../config/project";
import { buildStack } from "../../stacks";
import { synthStack, type SynthResult } from "../../tools/synth/engine";
import { type DeployEstimate, dependantsOf, estimateDeploy, lateResources, resourceGraph, transitiveWaits } from "../../tools/synth/estimate";
import { PROJECT_DIR, synthShipped } from "../helpers/synth";

const AWS = ["aws-network", "aws-mgmt", "aws-dev"];
let withMgmt: SynthResult;
let withoutMgmt: SynthResult;
let estimate: DeployEstimate;
let mgmtPlan: SynthResult;

beforeAll(async () => {
  withMgmt = await synthShipped("aws-dev");
  const network = await synthShipped("aws-network");
  const mgmt = await synthShipped("aws-mgmt");
  mgmtPlan = mgmt;
  const full = discoverStacks(PROJECT_DIR);
  const graph: StackGraph = { ...full, order: full.order.filter((s) => AWS.includes(s)) };
  const plans = new Map([network, mgmt, withMgmt].map((p) => [p.stack, p.resources] as const));
  estimate = await estimateDeploy({ graph, plans, runnerParallel: autoParallel(planRun(graph, { order: graph.order }, "up")) });
  const files = readProject(PROJECT_DIR);
  const { loaded } = loadProject(files);
  const file = files.stacks.find((f) => f.stack === "aws-dev")!;
  withoutMgmt = await synthStack(() => buildStack(loaded.get("aws-dev")!), {
    project: files.project,
    stack: "aws-dev",
    config: file.raw,
    secretKeys: file.secretKeys,
    stackOutputs: { "aws-network": network.rawOutputs, "aws-mgmt": {} },
  });
}, 180_000);

const ofType = (r: SynthResult, type: string) => r.resources.filter((x) => x.type === type);
const named = (r: SynthResult, name: string) => {
  const found = r.resources.find((x) => x.name === name);
  if (!found) throw new Error(`no resource ${name} in ${r.stack}`);
  return found;
};
const T = {
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  role: "aws:iam/role:Role",
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  secret: "kubernetes:core/v1:Secret",
  binding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
};

it("defers the deployer access and the registration, and says so", () => {
  expect((withoutMgmt.outputs.deferred as Array<{ what: string }>).map((d) => d.what)).toEqual(["argocd-deployer-access", "argocd-registration"]);
  expect(withMgmt.outputs.deferred).toBeUndefined();
  const names = withoutMgmt.resources.map((r) => r.name);
  expect(names.filter((n) => n.startsWith("argocd-"))).toEqual([]);
  // Nothing that reads the management stack: no API rule for its cluster, no deployer role or
  // access entry, no provider for the management cluster, no cluster Secret.
  expect(ofType(withoutMgmt, T.ingress)).toEqual([]);
  expect(ofType(withoutMgmt, T.role).filter((r) => r.name.startsWith("argocd"))).toEqual([]);
  expect(ofType(withoutMgmt, T.accessEntry).filter((r) => r.name.startsWith("argocd"))).toEqual([]);
  expect(ofType(withoutMgmt, T.secret)).toEqual([]);
  expect(withoutMgmt.resources.filter((r) => r.name === "management-k8s")).toEqual([]);
});

it("declares all of it once the management stack has outputs", () => {
  expect(ofType(withMgmt, T.ingress).map((r) => r.name)).toEqual(["argocd-api-ingress"]);
  expect(named(withMgmt, "argocd-deployer-role").type).toBe(T.role);
  expect(named(withMgmt, "argocd-deployer-access-entry").type).toBe(T.accessEntry);
  expect(named(withMgmt, "argocd-access-binding").type).toBe(T.binding);
  expect(named(withMgmt, "argocd-registration-secret").type).toBe(T.secret);
});

it("opens the API endpoint to the management cluster before the cluster Secret makes ArgoCD connect", () => {
  const g = resourceGraph(withMgmt.resources);
  const secret = named(withMgmt, "argocd-registration-secret");
  const waits = transitiveWaits(g, secret.urn);
  expect(waits).toContain(named(withMgmt, "argocd-api-ingress").urn);
  expect(waits).toContain(named(withMgmt, "argocd-deployer-access-entry").urn);
  expect(waits).toContain(named(withMgmt, "cluster-bootstrap-cilium").urn);
  // The rule is a standalone resource on the cluster's peer group: the cluster never waits for it.
  const rule = named(withMgmt, "argocd-api-ingress");
  expect(rule.dependsOn).toContain(named(withMgmt, "cluster-api-peer-sg").urn);
  expect(transitiveWaits(g, named(withMgmt, "cluster-eks").urn)).not.toContain(rule.urn);
});

describe("schedule of aws-network, aws-mgmt, aws-dev (the runner's plan, simulated)", () => {
  const pass = (stack: string, p: string) => estimate.stacks.find((s) => s.stack === stack && s.pass === p)!;

  it("starts the EKS environment alongside aws-mgmt once aws-network is done", () => {
    expect(pass("aws-dev", "main").waitsFor).toEqual(["aws-network"]);
    expect(pass("aws-dev", "main").startMinutes).toBe(pass("aws-mgmt", "main").startMinutes);
    expect(pass("aws-dev", "main").startMinutes).toBe(pass("aws-network", "main").endMinutes);
  });

  it("runs the late pass after both the environment and aws-mgmt (ArgoCD included)", () => {
    expect(pass("aws-dev", "late").waitsFor).toEqual(["aws-dev", "aws-mgmt"]);
    expect(pass("aws-dev", "late").startMinutes).toBeGreaterThanOrEqual(pass("aws-mgmt", "main").endMinutes);
    expect(pass("aws-dev", "late").startMinutes).toBeGreaterThanOrEqual(pass("aws-dev", "main").endMinutes);
    // aws-mgmt's main pass installs ArgoCD, so the registration follows it.
    expect(mgmtPlan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.includes("argocd"))).not.toEqual([]);
  });

  it("puts the API rule and the registration in the late pass only", () => {
    const late = estimate.lateSteps.filter((l) => l.inTotal);
    expect(late.map((l) => l.stack)).toEqual(["aws-dev"]);
    expect(late[0].resources).toEqual(
      expect.arrayContaining(["argocd-api-ingress", "argocd-deployer-role", "argocd-deployer-access-entry", "argocd-access-binding", "argocd-registration-secret"]),
    );
    // The two passes together create the whole stack.
    expect(pass("aws-dev", "main").resources + late[0].resources.filter((n) => withMgmt.resources.find((r) => r.name === n)!.custom).length).toBe(
      withMgmt.resources.filter((r) => r.custom).length,
    );
  });
});

it("leaves out exactly the resources that read the management stack, and the late pass's globs cover them", () => {
  const late = lateResources(withMgmt.resources, ["aws-mgmt"]);
  expect(late.size).toBeGreaterThanOrEqual(5);
  const inFull = withMgmt.resources.map((r) => r.urn).filter((u) => !late.has(u)).sort();
  expect(withoutMgmt.resources.map((r) => r.urn).sort()).toEqual(inFull);
  const globs = (withoutMgmt.outputs.deferred as Array<{ targets: string[] }>).flatMap((d) => d.targets).map(
    (g) => new RegExp("^" + g.split("**").map((seg) => seg.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^:]*")).join(".*") + "$"),
  );
  const targeted = new Set(withMgmt.resources.filter((r) => globs.some((g) => g.test(r.urn))).map((r) => r.urn));
  const covered = new Set([...targeted, ...dependantsOf(withMgmt.resources, targeted)]);
  expect([...late].filter((u) => !covered.has(u))).toEqual([]);
});
