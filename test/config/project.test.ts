import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { formatIssue } from "../../config/errors";
import { loadProject, readProject } from "../../config/project";
import { KINDS, PLATFORMS, TOP_LEVEL_KEYS } from "../../config/schema";
import { renderConfigDocs } from "../../tools/gen-config-docs";

const ROOT = path.resolve(__dirname, "../..");

/** A temp project: the shipped files, with some stack files patched. */
function projectWith(patches: Record<string, (cfg: Record<string, any>) => void>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-project-"));
  for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*ya?ml$/.test(f))) {
    const doc = parse(fs.readFileSync(path.join(ROOT, f), "utf8"));
    const stack = f.split(".")[1];
    patches[stack]?.(doc.config);
    fs.writeFileSync(path.join(dir, f), JSON.stringify(doc));
  }
  return dir;
}

function crossProblems(dir: string): string[] {
  const { errors } = loadProject(readProject(dir));
  return errors.flatMap((e) => e.issues.map(formatIssue));
}

describe("cross-stack checks", () => {
  it("shipped stacks share one disjoint address plan", () => {
    expect(crossProblems(ROOT)).toEqual([]);
  });

  it("rejects a pod CIDR that overlaps another stack's spoke", () => {
    const dir = projectWith({ stg: (c) => (c["k8tre:cluster"].podCidr = "10.12.0.0/16") });
    expect(crossProblems(dir)).toContainEqual(
      '[stg] k8tre:cluster.podCidr: got "10.12.0.0/16"; expected a range that does not overlap k8tre:network.spokes.dev.addressSpace of stack network (10.12.0.0/22)',
    );
  });

  it("rejects two clusters with the same service CIDR", () => {
    const dir = projectWith({ stg: (c) => Object.assign(c["k8tre:cluster"], { serviceCidr: "172.16.16.0/20", dnsServiceIp: "172.16.16.10" }) });
    expect(crossProblems(dir)).toContainEqual(expect.stringMatching(/^\[stg\] k8tre:cluster\.serviceCidr: got "172\.16\.16\.0\/20"; expected a range that does not overlap k8tre:cluster\.serviceCidr of stack dev/));
  });

  it("rejects a cluster stack whose environment has no spoke", () => {
    const dir = projectWith({ stg: (c) => (c["k8tre:environment"] = "qa") });
    expect(crossProblems(dir)).toContainEqual(
      "[stg] k8tre:environment: got \"qa\"; expected an environment with a spoke in stack network's k8tre:network.spokes (mgmt, dev, stg, prd), or add k8tre:network.spokes.qa there",
    );
  });
});

describe("Pulumi.yaml config declarations", () => {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
  const declared = project.config as Record<string, { type: string; default?: unknown; description: string }>;

  it("declares every scalar key of the schema with its type and a description", () => {
    for (const [key, spec] of Object.entries(TOP_LEVEL_KEYS)) {
      const d = declared[`k8tre:${key}`];
      if ("pulumiType" in spec && spec.pulumiType) {
        expect({ key, type: d?.type }).toEqual({ key, type: spec.pulumiType });
        expect(d.description.length).toBeGreaterThan(10);
      }
    }
  });

  it("declares nothing the schema does not know", () => {
    for (const key of Object.keys(declared)) {
      const name = key.replace(/^k8tre:/, "") as keyof typeof TOP_LEVEL_KEYS;
      expect(TOP_LEVEL_KEYS[name]).toBeDefined();
      expect((TOP_LEVEL_KEYS[name] as { pulumiType?: string }).pulumiType).toBe(declared[key].type);
    }
  });

  it("gives optional keys a default (a declaration without one is mandatory for every stack)", () => {
    for (const [key, spec] of Object.entries(TOP_LEVEL_KEYS)) {
      const d = declared[`k8tre:${key}`];
      if (!d) continue;
      const requiredEverywhere = (spec as { requiredFor?: readonly string[] }).requiredFor?.length === KINDS.length && spec.platforms.length === PLATFORMS.length;
      expect({ key, hasDefault: d.default !== undefined }).toEqual({ key, hasDefault: !requiredEverywhere });
    }
  });

  it("docs/config.md is generated from the current schema (run npm run docs:config)", () => {
    expect(fs.readFileSync(path.join(ROOT, "docs/config.md"), "utf8")).toBe(renderConfigDocs());
  });
});
