/**
 * An AWS environment deployed while the management stack has no outputs yet (greenfield, both
 * deployed together): it leaves out exactly what reads the management stack — the ArgoCD
 * deployer role and access entry, the API rule for the management cluster, the registration —
 * and lists them in `deferred` with --target globs that cover them (the runner's late pass).
 */
import { loadProject, readProject } from "../../config/project";
import { buildStack } from "../../stacks";
import { synthStack, type SynthResult } from "../../tools/synth/engine";
import { dependantsOf, lateResources } from "../../tools/synth/estimate";
import { PROJECT_DIR, synthShipped } from "../helpers/synth";

let withMgmt: SynthResult;
let withoutMgmt: SynthResult;

beforeAll(async () => {
  withMgmt = await synthShipped("aws-dev");
  const network = await synthShipped("aws-network");
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

it("defers the deployer access and the registration, and says so", () => {
  expect((withoutMgmt.outputs.deferred as Array<{ what: string }>).map((d) => d.what)).toEqual(["argocd-deployer-access", "argocd-registration"]);
  expect(withMgmt.outputs.deferred).toBeUndefined();
  const names = withoutMgmt.resources.map((r) => r.name);
  expect(names.filter((n) => n.startsWith("argocd-"))).toEqual([]);
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
