/**
 * Docs that name stack outputs must name exactly the outputs the stacks export: each documented
 * output exists in the synthesized stack, and each exported output is documented.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR, synthShipped } from "../helpers/synth";

/** Backticked identifiers (`name` or `name {a, b}`) in the doc section that starts at `heading`, up to `until`. */
function documentedOutputs(file: string, heading: string, until: RegExp): string[] {
  const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`${file} has no "${heading}"`);
  const rest = text.slice(start + heading.length);
  const end = rest.search(until);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...new Set([...section.matchAll(/`([A-Za-z][A-Za-z0-9]*)(?: \{[^}`]*\})?`/g)].map((m) => m[1]))].sort();
}

describe("documented stack outputs", () => {
  it("docs/management.md lists exactly the mgmt stack's outputs", async () => {
    const mgmt = await synthShipped("mgmt");
    const documented = documentedOutputs("docs/management.md", "## Outputs of the `mgmt` stack", /`test\/management/);
    expect(documented).toEqual(Object.keys(mgmt.rawOutputs).sort());
  }, 180_000);

  it("docs/agnostics.md lists exactly the k3s stack's outputs", async () => {
    const k3s = await synthShipped("k3s");
    const documented = documentedOutputs("docs/agnostics.md", "Outputs: ", /`test\/management/);
    expect(documented).toEqual(Object.keys(k3s.rawOutputs).sort());
  }, 180_000);
});
