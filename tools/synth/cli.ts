/**
 * `npm run synth [-- <stack>...] [--out DIR] [--preview]`: evaluates stacks offline under the
 * Pulumi runtime mocks, in dependency order, and writes `<out>/<stack>.json` (the plan) and
 * `<out>/<stack>.md` (a Mermaid diagram of the component tree), each with the policy pack's results.
 * Exit code 1 on any config error, program failure or mandatory policy violation, 2 on bad arguments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadProject, readProject } from "../../config/project";
import { orderStacks } from "./order";
import { evaluatePlan, type PolicyReport, renderPolicyMarkdown, renderPolicyOverview, renderPolicySummary } from "./policy";
import { planDocument, renderMarkdown, renderSummary } from "./report";

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface Args {
  stacks: string[];
  outDir: string;
  preview: boolean;
  projectDir: string;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { stacks: [], outDir: "out/synth", preview: false, projectDir: process.cwd() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") args.outDir = argv[++i] ?? "";
    else if (a === "--project") args.projectDir = argv[++i] ?? "";
    else if (a === "--preview") args.preview = true;
    else if (a === "--help" || a === "-h") return "usage: npm run synth [-- <stack>...] [--out DIR] [--preview] [--project DIR]";
    else if (a.startsWith("-")) return `unknown option ${a}`;
    else args.stacks.push(a);
  }
  if (!args.outDir) return "--out needs a directory";
  return args;
}

export async function main(argv: string[], io: CliIO = { out: console.log, err: console.error }): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") {
    io.err(parsed);
    return parsed.startsWith("usage") ? 0 : 2;
  }
  const started = Date.now();
  const files = readProject(parsed.projectDir);
  const known = new Set(files.stacks.map((s) => s.stack));
  const missing = parsed.stacks.filter((s) => !known.has(s));
  if (missing.length) {
    io.err(`unknown stack${missing.length > 1 ? "s" : ""}: ${missing.join(", ")} (have: ${[...known].join(", ")})`);
    return 2;
  }
  const { loaded, errors } = loadProject(files);
  if (errors.length) {
    for (const e of errors) io.err(e.message);
    return 1;
  }
  const order = orderStacks(loaded, parsed.stacks);
  if (typeof order === "string") {
    io.err(order);
    return 1;
  }
  // The SDK loads only now: config errors above are reported without paying for it.
  const { synthStack } = await import("./engine");
  const { buildStack } = await import("../../stacks");
  fs.mkdirSync(parsed.outDir, { recursive: true });
  const outputs: Record<string, Record<string, unknown>> = {};
  let failed = false;
  const policies: Array<[string, PolicyReport]> = [];
  const evaluate = (stack: string, preview: boolean) => {
    const file = files.stacks.find((s) => s.stack === stack)!;
    return synthStack(() => buildStack(loaded.get(stack)!), {
      project: files.project,
      stack,
      config: file.raw,
      secretKeys: file.secretKeys,
      preview,
      stackOutputs: outputs,
    });
  };
  if (parsed.preview) {
    // A preview models a brand-new stack whose dependencies already exist: evaluate every stack
    // once as deployed, to give StackReferences real outputs, then preview the selected ones.
    for (const { stack } of order) {
      try {
        outputs[stack] = (await evaluate(stack, false)).rawOutputs;
      } catch {
        break; // reported by the preview pass below
      }
    }
  }
  for (const { stack, selected } of order) {
    if (parsed.preview && !selected) continue;
    try {
      const result = await evaluate(stack, parsed.preview);
      if (!parsed.preview) outputs[stack] = result.rawOutputs;
      const warnings = [...loaded.get(stack)!.warnings, ...result.warnings];
      const shown = { ...result, warnings };
      if (!selected) continue;
      const policy = evaluatePlan(result);
      policies.push([stack, policy]);
      io.out(renderSummary(shown, renderPolicySummary(policy)));
      fs.writeFileSync(path.join(parsed.outDir, `${stack}.json`), JSON.stringify(planDocument(shown, { policy }), null, 2) + "\n");
      fs.writeFileSync(path.join(parsed.outDir, `${stack}.md`), renderMarkdown(shown, renderPolicyMarkdown(policy)) + "\n");
      if (policy.mandatoryViolations) {
        failed = true;
        io.err(`stack ${stack}: ${policy.mandatoryViolations} mandatory policy violation(s) (see above and docs/policy.md)`);
      }
      io.out(`  Wrote ${path.join(parsed.outDir, `${stack}.json`)} and ${stack}.md\n`);
    } catch (e) {
      failed = true;
      io.err(`stack ${stack} failed: ${(e as Error).stack ?? e}`);
      if (!selected) break;
    }
  }
  if (policies.length) fs.writeFileSync(path.join(parsed.outDir, "policy.md"), renderPolicyOverview(policies) + "\n");
  io.out(`Synthesized ${order.filter((o) => o.selected).length} stack(s) in ${((Date.now() - started) / 1000).toFixed(1)} s${parsed.preview ? " (preview mode)" : ""}.`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  // The Pulumi SDK captures a stack trace for every resource and promise; ts-node's source-map
  // formatting of each one dominated the synth's run time. Plain V8 traces are enough here.
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
