import { spawnSync } from "node:child_process";
import * as path from "node:path";

/* eslint-disable @typescript-eslint/no-require-imports */
const { DEFERRED } = require("../../tools/synth/preload.js") as { DEFERRED: Array<{ id: string; functions?: string[] }> };
/* eslint-enable @typescript-eslint/no-require-imports */

const ROOT = path.resolve(__dirname, "../..");

describe("deferred SDK parts (tools/synth/preload.js)", () => {
  it("forward every function the real modules export (an SDK upgrade that adds one fails here)", () => {
    for (const { id, functions } of DEFERRED.filter((d) => d.functions)) {
      // jest's own module registry: the real module, not the stand-in.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const real = require(id) as Record<string, unknown>;
      const exported = Object.keys(real).filter((k) => typeof real[k] === "function");
      expect([...functions!].sort()).toEqual(exported.sort());
    }
  });

  it("keeps the Automation API, the closure serializer and their dependencies unloaded until used", () => {
    const script = `
      require("./tools/synth/preload.js");
      const loaded = (re) => Object.keys(require.cache).some((f) => re.test(f));
      const pulumi = require("@pulumi/pulumi");
      const before = [loaded(/node_modules[\\\\/]typescript[\\\\/]/), loaded(/@npmcli[\\\\/]arborist/), loaded(/@pulumi[\\\\/]pulumi[\\\\/]automation[\\\\/]localWorkspace/)];
      const workspace = typeof pulumi.automation.LocalWorkspace;
      const serialize = typeof pulumi.runtime.serializeFunction;
      const after = [loaded(/node_modules[\\\\/]typescript[\\\\/]/), loaded(/@pulumi[\\\\/]pulumi[\\\\/]automation[\\\\/]localWorkspace/)];
      console.log(JSON.stringify({ before, workspace, serialize, after }));
    `;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      before: [false, false, false],
      workspace: "function",
      serialize: "function",
      // The Automation API loads on first access; the serializer (and TypeScript) on first call.
      after: [false, true],
    });
  });
});
