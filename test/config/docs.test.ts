/**
 * The how-tos and README name config keys, npm scripts and files; each must exist, so a doc cannot
 * keep telling operators to set a key the program no longer reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TOP_LEVEL_KEYS } from "../../config/schema";
import { synthShipped } from "../helpers/synth";

const ROOT = path.resolve(__dirname, "../..");
const HOWTOS = fs.readdirSync(path.join(ROOT, "docs/howto")).filter((f) => f.endsWith(".md")).map((f) => `docs/howto/${f}`);
const DOCS = [...HOWTOS, "README.md", "docs/config.md", "docs/management.md"];

/** Resolves a dotted key path (`cluster.systemPool.vmSize`, `[]` for list items) in the zod schema. */
function resolves(key: string): boolean {
  const [top, ...rest] = key.replace(/\[\d*\]/g, "").split(".");
  const root: any = (TOP_LEVEL_KEYS as Record<string, { schema: unknown }>)[top]?.schema;
  if (!root) return false;
  let candidates: any[] = [root];
  for (const seg of rest) {
    // Every variant of a union stays a candidate (a field may exist in one mode only).
    candidates = candidates.flatMap(unwrapAll).map((o) => o.shape?.[seg] ?? (o.valueType && !o.shape ? o.valueType : undefined)).filter(Boolean);
    if (candidates.length === 0) return false;
  }
  return true;
}

/** The object schemas a schema may be (through defaults, optionals, pipes, unions, arrays, records). */
function unwrapAll(s: any, depth = 0): any[] {
  if (!s || depth > 8) return [];
  if (s.shape || s.valueType) return [s];
  const def = s.def ?? s._zod?.def;
  if (def?.options) return def.options.flatMap((o: any) => unwrapAll(o, depth + 1));
  if (def?.element) return unwrapAll(def.element, depth + 1);
  return unwrapAll(def?.innerType ?? def?.in ?? def?.schema, depth + 1);
}

describe("docs name only what exists", () => {
  it.each(DOCS)("%s: every k8tre: key is in the config schema", (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const keys = [...new Set([...text.matchAll(/k8tre:([a-zA-Z][\w.[\]]*[\w\]])/g)].map((m) => m[1]))]
      // map keys chosen by the operator (`spokes.<env>`, `spokes.uat`) are not schema fields
      .map((k) => k.replace(/^(network\.spokes)\.[a-z0-9]+/, "$1.dev"))
      .filter((k) => !/^(argocd|k8tre)$/.test(k));
    const unknown = keys.filter((k) => !resolves(k));
    expect({ file, unknown }).toEqual({ file, unknown: [] });
  });

  it.each(HOWTOS)("%s: every npm script it runs exists", (file) => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
    const used = [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(used.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it("docs/network.md's protection claims match the network plan", async () => {
    const net = await synthShipped("network");
    const byName = (n: string) => net.resources.find((r) => r.name === n);
    expect(fs.readFileSync(path.join(ROOT, "docs/network.md"), "utf8")).toContain("(the VNet is protected, the resource group is not)");
    const hubRg = net.resources.find((r) => r.type === "azure-native:resources:ResourceGroup" && String(r.inputs.resourceGroupName).endsWith("-hub"));
    const hubVnet = net.resources.find((r) => r.type === "azure-native:network:VirtualNetwork" && String(r.inputs.virtualNetworkName).endsWith("-hub"));
    expect({ rg: hubRg?.protect ?? false, vnet: hubVnet?.protect }).toEqual({ rg: false, vnet: true });
    expect(byName("dns-rg")?.protect).toBe(true);
  }, 180_000);
});

describe("docs/config.md", () => {
  it("describes every field", () => {
    const text = fs.readFileSync(path.join(ROOT, "docs/config.md"), "utf8");
    const missing = text
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()))
      .filter((cells) => cells.length >= 7 && cells[5] === "")
      .map((cells) => cells[1]);
    expect(missing).toEqual([]);
  });
});
