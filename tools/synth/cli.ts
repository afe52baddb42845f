/**
 * `npm run synth [-- <stack>...] [options]`: evaluates stacks offline under the Pulumi runtime
 * mocks, in dependency order, and writes the plans and the Markdown reports (`USAGE` below, and
 * docs/synth.md). Progress goes to stderr, one line per stack; the summary goes to stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadProject, readProject, stackClosure } from "../../config/project";
import type { SynthResult } from "./engine";
import { emptyIndex, indexNetworks, networkModel } from "./diagram";
import { writeDeployEstimate } from "./estimate";
import { orderStacks } from "./order";
import { evaluatePlan, policyCounts, type PolicyReport, renderPolicyMarkdown, renderPolicyOverview, renderPolicySummary } from "./policy";
import { analyzeReachability, type ReachabilityReport, reachabilityCounts, renderReachabilityMarkdown, renderReachabilitySummary } from "./reachability";
import { type OverviewStack, planDocument, renderCompact, renderMarkdown, renderOverview, renderVerbose, renderWarnings } from "./report";
import { type AzureRulesReport, azureRulesCounts, checkAzureRules, renderAzureRulesMarkdown, renderAzureRulesSummary, renderPendingNotes } from "./rules";

export const USAGE = `Usage: npm run synth [-- <stack>...] [options]

Evaluates the stacks' programs offline (no cloud credentials, no Pulumi CLI) under Pulumi's
runtime mocks, in stack-reference order, and checks the plans against the policy pack, Azure's
create-time rules and the reachability of private endpoints.

Arguments:
  <stack>...        Stacks to report (Pulumi.<stack>.yaml); default: every stack. The stacks they
                    reference are evaluated too, for their outputs, but not reported.

Options:
  --out DIR         Where to write the reports (default: out/synth). Per stack: <stack>.json
                    (the plan) and <stack>.md (network view, policy, components); for the run:
                    summary.md (stacks and their references, the deploy-time estimate),
                    policy.md and deploy-estimate.json.
  --project DIR     Directory holding the Pulumi.<stack>.yaml files (default: the current
                    directory).
  --preview         Evaluate the selected stacks as previews of brand-new stacks: outputs that
                    exist only after deployment are "[unknown]" (their dependencies are
                    evaluated as deployed).
  --verbose, -v     Print each stack's resources by type, its component tree and every policy
                    check that could not run offline (default: one line per stack, plus
                    warnings and policy violations); a failing program's error comes with
                    its stack trace (recording stack traces makes the evaluation slower).
  --help, -h        Print this help.

Output: progress on stderr (one line per stack with its time), the summary on stdout.
Exit codes: 0 success; 1 a config error, a program error, a mandatory policy violation or a
request Azure would refuse (the Azure create-time rules); 2 bad arguments or an unknown stack.
Details: docs/synth.md.`;

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface SynthArgs {
  stacks: string[];
  outDir: string;
  projectDir: string;
  preview: boolean;
  verbose: boolean;
}

/** Parses the command line; `"help"` for --help, a string message for a usage error. */
export function parseArgs(argv: readonly string[], cwd: string = process.cwd()): SynthArgs | "help" | { error: string } {
  const args: SynthArgs = { stacks: [], outDir: "out/synth", projectDir: cwd, preview: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)] : [argv[i], undefined];
    const value = (): string | undefined => {
      const v = inline ?? argv[++i];
      return v === undefined || v === "" || (inline === undefined && v.startsWith("-")) ? undefined : v;
    };
    switch (flag) {
      case "--out": {
        const v = value();
        if (!v) return { error: "--out needs a directory" };
        args.outDir = v;
        break;
      }
      case "--project": {
        const v = value();
        if (!v) return { error: "--project needs a directory" };
        args.projectDir = path.resolve(cwd, v);
        break;
      }
      case "--preview":
        args.preview = true;
        break;
      case "--verbose":
      case "-v":
        args.verbose = true;
        break;
      case "--help":
      case "-h":
        return "help";
      default:
        if (flag.startsWith("-")) return { error: `unknown option ${flag}` };
        args.stacks.push(flag);
    }
  }
  return args;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One evaluated stack: every stack the run evaluates, reported or not. */
export interface StackRun extends OverviewStack {
  ms: number;
  /** Azure's create-time rules over the stack (docs/synth.md "Azure create-time rules"). */
  azureRules?: AzureRulesReport;
  /** Paths to the stack's private endpoints (docs/synth.md "Reachability"). */
  reachability?: ReachabilityReport;
}

export async function main(argv: string[], io: CliIO = { out: console.log, err: console.error }): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed === "help") {
    io.out(USAGE);
    return 0;
  }
  if ("error" in parsed) {
    io.err(`${parsed.error} (see npm run synth -- --help)`);
    return 2;
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
  // Only the selected stacks and the stacks they reference must be valid; problems elsewhere
  // are named but do not block this synth.
  const needed = parsed.stacks.length ? stackClosure(files, parsed.stacks) : known;
  const blocking = errors.filter((e) => needed.has(e.stack!));
  const elsewhere = errors.filter((e) => !needed.has(e.stack!)).map((e) => e.stack!);
  if (blocking.length) {
    for (const e of blocking) io.err(e.message);
    if (elsewhere.length) io.err(`Other stacks with problems (not needed here): ${elsewhere.join(", ")} — npm run synth -- ${elsewhere.join(" ")}`);
    return 1;
  }
  if (elsewhere.length) io.err(`Note: other stacks have config problems (not needed for this synth): ${elsewhere.join(", ")} — npm run synth -- ${elsewhere.join(" ")}`);
  const order = orderStacks(loaded, parsed.stacks);
  if (typeof order === "string") {
    io.err(order);
    return 1;
  }
  // The SDK loads only now: config errors above are reported without paying for it.
  const loading = Date.now();
  const { synthStack } = await import("./engine");
  const { buildStack } = await import("../../stacks");
  io.err(`Loaded the program and the Pulumi SDK in ${seconds(Date.now() - loading)}`);
  fs.mkdirSync(parsed.outDir, { recursive: true });

  const outputs: Record<string, Record<string, unknown>> = {};
  /** Preview mode: every stack as deployed (the pre-pass), the basis of the Azure rules and reachability. */
  const deployed = new Map<string, SynthResult>();
  const evaluate = (stack: string, preview: boolean) => {
    const file = files.stacks.find((s) => s.stack === stack)!;
    return synthStack(() => buildStack(loaded.get(stack)!), {
      project: files.project,
      stack,
      config: file.raw,
      secretKeys: file.secretKeys,
      preview,
      stackOutputs: outputs,
      stackTraces: parsed.verbose,
    });
  };
  const width = Math.max(...order.map((o) => o.stack.length));
  const progress = (i: number, stack: string, text: string, ms: number) =>
    io.err(`[${i + 1}/${order.length}] ${stack.padEnd(width)}  ${text.padEnd(32)} ${seconds(ms).padStart(6)}`);

  if (parsed.preview) {
    // A preview models a brand-new stack whose dependencies already exist: evaluate every stack
    // once as deployed, to give StackReferences real outputs, then preview the selected ones.
    for (const [i, { stack, selected }] of order.entries()) {
      const t = Date.now();
      try {
        const asDeployed = await evaluate(stack, false);
        outputs[stack] = asDeployed.rawOutputs;
        deployed.set(stack, asDeployed);
        if (!selected) progress(i, stack, "dependency, evaluated as deployed", Date.now() - t);
      } catch {
        break; // reported by the preview pass below
      }
    }
  }

  let failed = false;
  const runs: StackRun[] = [];
  const index = emptyIndex();
  for (const [i, { stack, selected }] of order.entries()) {
    if (parsed.preview && !selected) continue;
    const t = Date.now();
    let result: SynthResult;
    try {
      result = await evaluate(stack, parsed.preview && selected);
    } catch (e) {
      failed = true;
      progress(i, stack, "FAILED", Date.now() - t);
      io.err(`stack ${stack} failed: ${parsed.verbose ? ((e as Error).stack ?? e) : e instanceof Error ? e.message : e}`);
      if (!selected) break;
      continue;
    }
    if (!parsed.preview) outputs[stack] = result.rawOutputs;
    const l = loaded.get(stack)!;
    const shown: SynthResult = { ...result, warnings: [...l.warnings, ...result.warnings] };
    indexNetworks(index, stack, shown.resources);
    const run: StackRun = { stack, kind: l.config.kind, platform: l.config.platform, selected, result: shown, ms: Date.now() - t };
    runs.push(run);
    if (!selected) {
      progress(i, stack, "dependency, not reported", run.ms);
      continue;
    }
    // Per-stack analyses: each adds its results to the plan and a section to <stack>.md.
    run.policy = evaluatePlan(shown);
    // Azure's create-time rules, and the paths to this stack's private endpoints, over this plan and
    // every stack evaluated before it (its dependencies: the network, the management cluster).
    // A preview's inputs are the deployed plan's; its unknown outputs would hide what they reference.
    const basis = deployed.get(stack) ?? shown;
    const context = parsed.preview ? order.slice(0, i).flatMap((o) => deployed.get(o.stack) ?? []) : runs.slice(0, -1).map((r) => r.result);
    run.azureRules = checkAzureRules(basis, context);
    run.reachability = analyzeReachability([...context, basis], stack);
    const sections = [renderPolicyMarkdown(run.policy), renderAzureRulesMarkdown(run.azureRules), renderReachabilityMarkdown(run.reachability)];
    const document = planDocument(shown, { policy: run.policy, azureRules: run.azureRules, reachability: run.reachability });
    fs.writeFileSync(path.join(parsed.outDir, `${stack}.json`), JSON.stringify(document, null, 2) + "\n");
    fs.writeFileSync(path.join(parsed.outDir, `${stack}.md`), renderMarkdown(shown, { network: networkModel(shown.resources, stack, index), sections }) + "\n");
    progress(i, stack, `${shown.resources.length} resources`, run.ms);
    if (run.policy.mandatoryViolations) {
      failed = true;
      io.err(`stack ${stack}: ${run.policy.mandatoryViolations} mandatory policy violation(s) (listed in the summary; docs/policy.md)`);
    }
    if (run.azureRules.errors) {
      failed = true;
      io.err(`stack ${stack}: Azure would refuse ${run.azureRules.errors} request(s) (listed in the summary; docs/synth.md "Azure create-time rules")`);
    }
    if (run.reachability.errors) {
      failed = true;
      io.err(`stack ${stack}: ${run.reachability.errors} private endpoint path(s) unreachable (listed in the summary; docs/synth.md "Reachability")`);
    }
  }

  const reported = runs.filter((r) => r.selected);
  // Run-wide reports: analyses over every stack add sections to summary.md here.
  const policies = reported.map((r) => [r.stack, r.policy!] as [string, PolicyReport]);
  if (policies.length) fs.writeFileSync(path.join(parsed.outDir, "policy.md"), renderPolicyOverview(policies) + "\n");
  if (reported.length) fs.writeFileSync(path.join(parsed.outDir, "summary.md"), renderOverview(runs) + "\n");
  // Deploy-time estimate (tools/synth/estimate.ts): deploy-estimate.json and a summary.md section.
  const estimateLine = reported.length
    ? await writeDeployEstimate({ projectDir: parsed.projectDir, outDir: parsed.outDir, plans: runs.map((r) => ({ stack: r.stack, resources: r.result.resources, named: parsed.stacks.includes(r.stack) })) })
    : undefined;

  for (const r of reported) {
    const checks = (verbose: boolean) => [...renderAzureRulesSummary(r.azureRules!, { verbose }), ...renderReachabilitySummary(r.reachability!, { verbose })];
    if (parsed.verbose) io.out(renderVerbose(r.result, [...renderPolicySummary(r.policy!, { verbose: true }), ...checks(true)]) + "\n");
    else {
      const headline = [`policy: ${policyCounts(r.policy!)}`, azureRulesCounts(r.azureRules!), reachabilityCounts(r.reachability!)].filter((x): x is string => !!x);
      io.out(renderCompact(r.result, headline, [...renderPolicySummary(r.policy!, { verbose: false }), ...checks(false)]));
    }
  }
  if (!parsed.verbose) for (const line of renderWarnings(reported.map((r) => r.result))) io.out(line);
  const pending = reported.flatMap((r) => [
    ...r.azureRules!.findings.filter((f) => f.pending).map((f) => [f.rule, f.pending!] as const),
    ...r.reachability!.checks.filter((c) => c.status === "unreachable" && c.pending).map((c) => ["reachability", c.pending!] as const),
  ]);
  for (const line of renderPendingNotes(pending)) io.out(line);
  if (estimateLine) io.out(estimateLine);
  const written = reported.length ? `${reported.map((r) => r.stack).join(", ")} (.json, .md), summary.md, policy.md, deploy-estimate.json` : "nothing";
  io.out(`${parsed.verbose ? "" : "\n"}Wrote ${written} to ${parsed.outDir}`);
  io.out(
    `Synthesized ${reported.length} stack(s) in ${seconds(Date.now() - started)}${parsed.preview ? " (preview mode)" : ""}.` +
      (parsed.verbose ? "" : " Use --verbose for each stack's resources and component tree."),
  );
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
