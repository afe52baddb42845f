/**
 * Which stacks a change affects, for CI: `npm run deploy:affected --
 * [--base SHA] [--head SHA] [--stacks "a b"] [--project-dir DIR]`.
 *
 * Writes `stacks=<JSON array>`, `names=<space-separated>`, `any=<true|false>` and `platforms=<space-
 * separated k8tre:platform values of those stacks>` (CI logs in to each cloud only when needed) to $GITHUB_OUTPUT
 * (and prints them). Rules, most specific first:
 *   - `Pulumi.<stack>.yaml` changed            -> that stack
 *   - only tooling/docs/tests changed          -> no stack (see IGNORED)
 *   - anything else (program, policy, deps...) -> every stack
 * With `--stacks`, the named stacks are validated and used as-is (workflow_dispatch input).
 * A base that is missing or all zeros (first push of a branch) means every stack.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { discoverStacks, StackGraphError, type StackGraph } from "./graph";

/** Paths that never change deployed infrastructure. */
export const IGNORED: RegExp[] = [
  /^docs\//,
  /^test\//,
  /^automation\//,
  /^tools\//,
  /^\.github\//,
  /\.md$/,
  /^\.gitignore$/,
  /^LICENSE$/,
  /^eslint\.config\.mjs$/,
  /^jest\.config\.js$/,
  /^tsconfig\.check\.json$/,
];

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

export interface Affected {
  /** Affected stacks in dependency order. */
  stacks: string[];
  reasons: string[];
}

export function affectedStacks(graph: StackGraph, changedFiles: string[]): Affected {
  const hit = new Set<string>();
  const reasons: string[] = [];
  let all = false;
  for (const file of changedFiles) {
    const m = STACK_FILE.exec(file);
    if (m) {
      if (graph.stacks.has(m[1])) {
        hit.add(m[1]);
        reasons.push(`${file}: stack ${m[1]}`);
      } else {
        reasons.push(`${file}: no such stack any more (deleted?); ignored`);
      }
    } else if (IGNORED.some((re) => re.test(file))) {
      continue;
    } else {
      all = true;
      reasons.push(`${file}: program or dependency change; every stack`);
    }
  }
  // Example stacks (k8tre:example: true) are never deployed by CI.
  const examples = graph.order.filter((s) => graph.stacks.get(s)!.example && (all || hit.has(s)));
  if (examples.length > 0) reasons.push(`${examples.join(", ")}: example stack${examples.length > 1 ? "s" : ""} (k8tre:example: true); never deployed by CI`);
  return { stacks: graph.order.filter((s) => !graph.stacks.get(s)!.example && (all || hit.has(s))), reasons };
}

function changedFiles(projectDir: string, base: string, head: string): string[] | undefined {
  if (/^0+$/.test(base)) return undefined;
  try {
    const out = execFileSync("git", ["diff", "--name-only", `${base}...${head}`], { cwd: projectDir, encoding: "utf8" });
    return out.split("\n").filter((l) => l.trim() !== "");
  } catch {
    return undefined;
  }
}

export function main(argv: string[], env: Record<string, string | undefined>, io: { stdout: (t: string) => void; stderr: (t: string) => void; cwd: string }): number {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  let graph: StackGraph;
  try {
    graph = discoverStacks(path.resolve(io.cwd, opt("--project-dir") ?? "."));
  } catch (err) {
    if (err instanceof StackGraphError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let result: Affected;
  const requested = opt("--stacks");
  if (requested !== undefined && requested.trim() !== "") {
    const names = requested.split(/[\s,]+/).filter((n) => n !== "");
    const unknown = names.filter((n) => !graph.stacks.has(n));
    if (unknown.length > 0) {
      io.stderr(`error: unknown stack(s) ${unknown.join(", ")} (known stacks: ${graph.order.join(", ")})\n`);
      return 2;
    }
    const examples = names.filter((n) => graph.stacks.get(n)!.example);
    if (examples.length > 0) {
      io.stderr(`error: ${examples.join(", ")}: example stack(s) (k8tre:example: true) are never deployed by CI; deploy them by hand with npm run deploy -- up ${examples.join(" ")}\n`);
      return 2;
    }
    result = { stacks: graph.order.filter((s) => names.includes(s)), reasons: ["requested explicitly"] };
  } else {
    const base = opt("--base") ?? "";
    const files = base === "" ? undefined : changedFiles(graph.projectDir, base, opt("--head") ?? "HEAD");
    result = files === undefined
      ? { stacks: graph.order.filter((s) => !graph.stacks.get(s)!.example), reasons: [`no usable base commit (${base || "none"}); every stack except the examples`] }
      : affectedStacks(graph, files);
  }
  const platforms = [...new Set(result.stacks.map((s) => graph.stacks.get(s)!.platform))].sort();
  const lines = [`stacks=${JSON.stringify(result.stacks)}`, `names=${result.stacks.join(" ")}`, `any=${result.stacks.length > 0}`, `platforms=${platforms.join(" ")}`];
  for (const r of result.reasons) io.stdout(`# ${r}\n`);
  io.stdout(lines.join("\n") + "\n");
  if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, lines.join("\n") + "\n");
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
  });
}
