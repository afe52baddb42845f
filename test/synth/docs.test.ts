/**
 * docs/synth.md's generated blocks (the --help text, the example plan, the example network view)
 * match what the current program produces: a renamed type, resource or option fails here.
 */
import * as fs from "node:fs";
import { applyBlocks, DOC, renderSynthDocBlocks } from "../../tools/gen-synth-docs";
import { synthShipped } from "../helpers/synth";

it("docs/synth.md matches the synth (run npm run docs:synth)", async () => {
  const [network, dev] = [await synthShipped("network"), await synthShipped("dev")];
  const committed = fs.readFileSync(DOC, "utf8");
  const blocks = renderSynthDocBlocks({ network, dev });
  expect(Object.keys(blocks)).toEqual(["usage", "example-plan", "example-network"]);
  expect(committed).toBe(applyBlocks(committed, blocks));
});
