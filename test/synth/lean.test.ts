// The engine first, as in the synth CLI: its runtime store must be in place before the SDK loads.
import { synthStack, type SynthOptions, type SynthResult } from "../../tools/synth/engine";
import { _roundTrip } from "../../tools/synth/lean";
import * as resources from "@pulumi/azure-native/resources";
import { loadProject, readProject } from "../../config/project";
import { buildStack } from "../../stacks";
import { PROJECT_DIR } from "../helpers/synth";

/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = () => ({
  fromJavaScript: require("google-protobuf/google/protobuf/struct_pb").Struct.fromJavaScript,
  debuggablePromise: require("@pulumi/pulumi/runtime/debuggable").debuggablePromise,
  debug: require("@pulumi/pulumi/log").debug,
  callsites: require("@pulumi/pulumi/resource").Resource.callsites,
  output: require("@pulumi/pulumi/output").output,
  transferProperties: require("@pulumi/pulumi/runtime/rpc").transferProperties,
});
const { Value } = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const opts = { project: "k8tre", stack: "t", config: {} };

describe("lean SDK (tools/synth/lean.ts)", () => {
  it("gives the plans the SDK as shipped gives, resource order included (deployed and preview)", async () => {
    const files = readProject(PROJECT_DIR);
    const { loaded } = loadProject(files);
    const evaluate = (stack: string, extra: Partial<SynthOptions>) => {
      const file = files.stacks.find((s) => s.stack === stack)!;
      return synthStack(() => buildStack(loaded.get(stack)!), { project: files.project, stack, config: file.raw, secretKeys: file.secretKeys, ...extra });
    };
    const plan = (r: SynthResult) => JSON.stringify({ resources: r.resources, outputs: r.outputs, warnings: r.warnings, invokes: r.invokes });
    // The network stack has the most resources; mgmt adds an AKS cluster (113 aliases) and reads
    // the network's outputs.
    const network = await evaluate("network", {});
    expect(plan(await evaluate("network", { lean: false }))).toBe(plan(network));
    expect(plan(await evaluate("network", { preview: true, lean: false }))).toBe(plan(await evaluate("network", { preview: true })));
    const stackOutputs = { network: network.rawOutputs };
    const mgmt = await evaluate("mgmt", { stackOutputs });
    expect(mgmt.resources.length).toBeGreaterThan(100);
    expect(plan(await evaluate("mgmt", { stackOutputs, lean: false }))).toBe(plan(mgmt));
  });

  it("keeps the SDK's warnings about the program's outputs", async () => {
    for (const lean of [true, false]) {
      const r = await synthStack(() => ({ missing: undefined, present: "x" }), { ...opts, lean });
      expect(r.warnings).toEqual(["Undefined value (missing) will not show as a stack output."]);
    }
  });

  it("restores the SDK after each evaluation", async () => {
    const before = sdk();
    let during: ReturnType<typeof sdk> | undefined;
    await synthStack(() => {
      during = sdk();
      return {};
    }, opts);
    const after = sdk();
    for (const k of Object.keys(before) as Array<keyof typeof before>) {
      expect(during![k]).not.toBe(before[k]);
      expect(after[k]).toBe(before[k]);
    }
  });

  it("reads an output property after its resource registered (made on first access)", async () => {
    const r = await synthStack(() => {
      const rg = new resources.ResourceGroup("a", { resourceGroupName: "rg-a", location: "uksouth" });
      // `rg.location` is read for the first time once the registration has come back.
      const late = rg.urn.apply(() => rg.location);
      const second = new resources.ResourceGroup("b", { resourceGroupName: "rg-b", location: late });
      return { late, second: second.location, listed: Object.keys(rg).includes("location") };
    }, opts);
    expect(r.rawOutputs).toEqual({ late: "uksouth", second: "uksouth", listed: true });
    expect(r.resources[1].dependsOn).toEqual([r.resources[0].urn]);
  });

  it("copies Struct values as the protobuf round trip does: sorted keys, same errors", () => {
    const value = { b: 1, a: { z: [1, { d: null, c: "é" }], y: true }, "10": 3, "2": 4, B: -0, _: NaN, "": "" };
    const proto = Value.fromJavaScript(value).toJavaScript();
    expect(JSON.stringify(_roundTrip(value))).toBe(JSON.stringify(proto));
    expect(Object.keys(_roundTrip(value) as object)).toEqual(Object.keys(proto));
    expect(Object.is((_roundTrip(value) as { B: number }).B, -0)).toBe(true);
    expect(() => Value.fromJavaScript({ a: undefined })).toThrow("Unexpected struct type.");
    expect(() => _roundTrip({ a: undefined })).toThrow("Unexpected struct type.");
  });
});
