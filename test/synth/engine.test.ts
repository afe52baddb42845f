import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { synthStack } from "../../tools/synth/engine";

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

  it("rejects when an apply feeding a resource input throws, instead of crashing", () => {
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), path.join(__dirname, "fixtures/failing-apply.ts")], {
      cwd: path.resolve(__dirname, "../.."),
      encoding: "utf8",
    });
    expect(r.stdout.trim()).toBe('REJECTED: error serializing property "resourceGroupName": certificate for rg-a is missing');
    expect(r.status).toBe(0);
  });
});
