/**
 * The architecture a reader relies on (ADR 0004): config → stacks → components → pure builders,
 * the platform axis visible in the tree, and no import running back up or across platforms.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PLATFORM_KINDS, PLATFORMS } from "../../config/schema";
import { BUILDERS } from "../../stacks";

const ROOT = path.resolve(__dirname, "../..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

/** Repository-relative paths of the project files a source file imports. */
function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/(?:from|import)\s+"(\.[^"]+)"/g)].map((m) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1])));
}

const LAYERS = ["config", "stacks", "components", "tools", "automation", "policy"];

/** True when `target` is `dir` itself (its index.ts) or anything below it. */
const within = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

function violations(files: string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((f) => imports(f).filter(forbidden).map((t) => `${f} imports ${t}`));
}

describe("stack builders", () => {
  it("exist for exactly the (platform, kind) pairs the config loader accepts", () => {
    for (const p of PLATFORMS) {
      expect(Object.keys(BUILDERS[p]).sort()).toEqual([...PLATFORM_KINDS[p]].sort());
    }
  });

  it("live at stacks/<kind>/<platform>.ts", () => {
    const builders = sources("stacks").filter((f) => /^stacks\/(network|management|environment)\//.test(f));
    for (const f of builders) expect(path.basename(f, ".ts")).toMatch(new RegExp(`^(${PLATFORMS.join("|")}|aws|common)$`));
  });
});

describe("imports run one way", () => {
  it("config imports nothing above it", () => {
    expect(violations(sources("config"), (t) => LAYERS.filter((l) => l !== "config").some((l) => within(t, l)))).toEqual([]);
  });

  it("components never import stacks, tools or automation, nor read the config loader", () => {
    expect(violations(sources("components"), (t) => ["stacks", "tools", "automation", "config/load"].some((d) => within(t, d)))).toEqual([]);
  });

  it("stack modules do not import the program entry (stacks/index.ts)", () => {
    expect(violations(sources("stacks").filter((f) => f !== "stacks/index.ts"), (t) => t === "stacks" || t === "stacks/index")).toEqual([]);
  });

  it("no platform's components import another platform's", () => {
    const platformDirs = fs.readdirSync(path.join(ROOT, "components")).filter((d) => ["azure", "aws", "k3s"].includes(d));
    for (const p of platformDirs) {
      const others = platformDirs.filter((o) => o !== p);
      expect(violations(sources(`components/${p}`), (t) => others.some((o) => within(t, `components/${o}`)))).toEqual([]);
    }
  });

  it("a platform's stack modules import no other platform's", () => {
    const files = sources("stacks").filter((f) => /\/(azure|aws|k3s)\.ts$/.test(f));
    for (const f of files) {
      const mine = path.basename(f, ".ts");
      const others = ["azure", "aws", "k3s"].filter((o) => o !== mine);
      expect(violations([f], (t) => others.some((o) => within(t, `components/${o}`) || t.endsWith(`/${o}`)))).toEqual([]);
    }
  });
});
