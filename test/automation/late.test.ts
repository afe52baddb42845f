/**
 * The late pass (docs/adr/0005-schedule-and-late-registration.md): an environment deployed while
 * the management stack has no outputs leaves out exactly the resources that read the management
 * stack (its ArgoCD registration), says so in its `deferred` output, and the estimate's late-pass
 * split (resources that depend on the management StackReference) is that same set.
 */
import { loadProject, readProject } from "../../config/project";
import { buildStack } from "../../stacks";
import { synthStack, type SynthResult } from "../../tools/synth/engine";
import { dependantsOf, lateResources } from "../../tools/synth/estimate";
import { PROJECT_DIR, synthShipped } from "../helpers/synth";

let withMgmt: SynthResult;
let withoutMgmt: SynthResult;

beforeAll(async () => {
  withMgmt = await synthShipped("dev");
  const network = await synthShipped("network");
  const files = readProject(PROJECT_DIR);
  const { loaded } = loadProject(files);
  const file = files.stacks.find((f) => f.stack === "dev")!;
  // The management stack exists but has never completed an update: its outputs are empty.
  withoutMgmt = await synthStack(() => buildStack(loaded.get("dev")!), {
    project: files.project,
    stack: "dev",
    config: file.raw,
    secretKeys: file.secretKeys,
    stackOutputs: { network: network.rawOutputs, mgmt: {} },
  });
}, 120_000);

describe("an environment deployed before the management stack has outputs", () => {
  it("defers its ArgoCD registration and says so in the deferred output", () => {
    expect(withoutMgmt.outputs.deferred).toEqual([
      { what: "argocd-registration", reason: expect.stringMatching(/^the management stack organization\/k8tre\/mgmt has no outputs yet/), targets: expect.any(Array) },
    ]);
    expect(withMgmt.outputs.deferred).toBeUndefined();
    expect(withoutMgmt.resources.filter((r) => r.type.startsWith("k8tre:argocd:"))).toEqual([]);
  });

  it("leaves out exactly the resources that read the management stack (the estimate's late pass)", () => {
    const late = lateResources(withMgmt.resources, ["mgmt"]);
    expect(late.size).toBeGreaterThanOrEqual(4);
    const inFull = withMgmt.resources.map((r) => r.urn).filter((u) => !late.has(u)).sort();
    expect(withoutMgmt.resources.map((r) => r.urn).sort()).toEqual(inFull);
    // The late pass's --target globs (with --target-dependents) cover every left-out resource.
    const globs = (withoutMgmt.outputs.deferred as Array<{ targets: string[] }>)[0].targets.map(
      (g) => new RegExp("^" + g.split("**").map((seg) => seg.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^:]*")).join(".*") + "$"),
    );
    const targeted = new Set(withMgmt.resources.filter((r) => globs.some((g) => g.test(r.urn))).map((r) => r.urn));
    const covered = new Set([...targeted, ...dependantsOf(withMgmt.resources, targeted)]);
    expect([...late].filter((u) => !covered.has(u))).toEqual([]);
  });
});
