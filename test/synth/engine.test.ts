// The engine first, as in the synth CLI: its runtime store must be in place before the SDK loads.
import { synthStack } from "../../tools/synth/engine";
import { SequentialStorage } from "../../tools/synth/store";
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const opts = { project: "k8tre", stack: "t", config: {} };

describe("synth engine", () => {
  it("records parent, explicit and implicit dependencies, protect and secrets", async () => {
    const r = await synthStack(() => {
      const a = new resources.ResourceGroup("a", { resourceGroupName: "rg-a" });
      const b = new resources.ResourceGroup("b", { resourceGroupName: a.name, tags: { s: pulumi.secret("x") } }, { protect: true });
      new resources.ResourceGroup("c", { resourceGroupName: "rg-c" }, { dependsOn: [b] });
      return { name: b.name, secret: pulumi.secret("hidden") };
    }, opts);
    const [a, b, c] = r.resources;
    expect(b.dependsOn).toEqual([a.urn]);
    expect(b.protect).toBe(true);
    expect(b.inputs.tags).toEqual({ s: "[secret]" });
    expect(c.dependsOn).toEqual([b.urn]);
    expect(r.outputs).toEqual({ name: "rg-a", secret: "[secret]" });
    expect(r.rawOutputs).toEqual({ name: "rg-a", secret: "hidden" });
  });

  it("runs the SDK on its own sequential store and keeps concurrent evaluations apart", async () => {
    expect((globalThis as { asyncLocalStorage?: unknown }).asyncLocalStorage).toBeInstanceOf(SequentialStorage);
    const program = (name: string) => async () => {
      const rg = new resources.ResourceGroup(name, { resourceGroupName: `rg-${name}` });
      await new Promise((resolve) => setTimeout(resolve, 10)); // interleave, if they could
      new resources.ResourceGroup(`${name}-2`, { resourceGroupName: rg.name });
      return { name: rg.name };
    };
    const [a, b] = await Promise.all([synthStack(program("a"), { ...opts, stack: "s1" }), synthStack(program("b"), { ...opts, stack: "s2" })]);
    expect(a.resources.map((r) => r.urn)).toEqual([
      "urn:pulumi:s1::k8tre::pulumi:pulumi:Stack$azure-native:resources:ResourceGroup::a",
      "urn:pulumi:s1::k8tre::pulumi:pulumi:Stack$azure-native:resources:ResourceGroup::a-2",
    ]);
    expect(b.resources.map((r) => r.name)).toEqual(["b", "b-2"]);
    expect([a.rawOutputs, b.rawOutputs]).toEqual([{ name: "rg-a" }, { name: "rg-b" }]);
  });

  it("evaluates without stack traces unless asked, and restores the limit", async () => {
    const limit = Error.stackTraceLimit;
    const frames = (stackTraces: boolean) =>
      synthStack(() => ({ frames: (new Error("x").stack ?? "").split("\n").length - 1 }), { ...opts, stackTraces }).then((r) => r.rawOutputs.frames);
    expect(await frames(false)).toBe(0);
    expect(await frames(true)).toBeGreaterThan(0);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("rejects when an apply feeding a resource input throws, instead of crashing", () => {
    const r = spawnSync(process.execPath, ["-r", "./tools/ts-register.js", path.join(__dirname, "fixtures/failing-apply.ts")], {
      cwd: path.resolve(__dirname, "../.."),
      encoding: "utf8",
    });
    expect(r.stdout.trim()).toBe('REJECTED: error serializing property "resourceGroupName": certificate for rg-a is missing');
    expect(r.status).toBe(0);
  });
});
