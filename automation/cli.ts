/**
 * K8TRE deployment runner: `npm run deploy -- <preview|up|refresh|destroy|outputs> [stack ...]`.
 *
 * `main` is the whole program as a function of (argv, env, io), returning the exit code, so tests
 * drive it directly; the Automation-API executor is loaded lazily and can be replaced (`deps`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCliArgs, USAGE, UsageError, type CliOptions } from "./args";
import type { StackExecutor } from "./executor";
import { discoverStacks, selectStacks, StackGraphError, type Selection, type StackGraph } from "./graph";
import { autoParallel, planRun, renderPlan } from "./plan";
import { deferredParts, runCommand, type Command, type RunSummary } from "./runner";
import { maskOutputs, redactUrl, renderJson, renderMarkdown } from "./summary";

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Directory that relative paths (project dir, summary files) are resolved against. */
  cwd: string;
  /** Aborting cancels running Pulumi operations (the CLI gets SIGINT). */
  signal?: AbortSignal;
}

export interface ExecutorContext {
  graph: StackGraph;
  env: Record<string, string>;
  backendUrl: string;
  policyPacks: string[];
  installCli: boolean;
  log: (line: string) => void;
}

export interface CliDeps {
  /** Replaces the LocalWorkspace executor (tests). */
  createExecutor?: (ctx: ExecutorContext) => Promise<StackExecutor>;
  now?: () => number;
}

class SetupError extends Error {}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** The passphrase secrets provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE. */
export function checkPassphrase(env: Record<string, string>, graph: StackGraph, stacks: string[]): void {
  const needing = stacks.filter((s) => {
    const provider = graph.stacks.get(s)!.secretsProvider;
    return provider === undefined || provider === "passphrase";
  });
  if (needing.length === 0) return;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (file !== undefined && file !== "") {
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new SetupError(`PULUMI_CONFIG_PASSPHRASE_FILE is set to ${file}, which cannot be read`);
    }
    return;
  }
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined && env.PULUMI_CONFIG_PASSPHRASE !== "") return;
  const empty = env.PULUMI_CONFIG_PASSPHRASE === "" ? " (PULUMI_CONFIG_PASSPHRASE is empty: in GitHub Actions an unset secret expands to an empty string)" : "";
  throw new SetupError(
    `${needing.length > 1 ? "stacks" : "stack"} ${needing.join(", ")} ${needing.length > 1 ? "use" : "uses"} the passphrase ` +
      `secrets provider: set PULUMI_CONFIG_PASSPHRASE or ` +
      `PULUMI_CONFIG_PASSPHRASE_FILE${empty}`,
  );
}

/** PULUMI_BACKEND_URL, or a file backend in <project>/.pulumi-state. */
export function resolveBackend(env: Record<string, string>, projectDir: string): string {
  const configured = env.PULUMI_BACKEND_URL?.trim();
  if (configured) return configured;
  return `file://${path.join(projectDir, ".pulumi-state").split(path.sep).join("/")}`;
}

/** Creates the directory of a local file backend (the CLI expects it to exist). */
function ensureFileBackend(backendUrl: string): void {
  if (backendUrl.startsWith("file://")) {
    const dir = backendUrl.slice("file://".length).split("?")[0];
    if (dir.startsWith("/") || /^[A-Za-z]:/.test(dir)) fs.mkdirSync(dir, { recursive: true });
  }
}

/** Explicit --policy-pack dirs (each must hold PulumiPolicy.yaml), else ./policy if it is a pack. */
export function resolvePolicyPacks(opts: CliOptions, projectDir: string, cwd: string): string[] {
  if (opts.noPolicyPack) return [];
  if (opts.policyPacks) {
    return opts.policyPacks.map((p) => {
      const dir = path.resolve(cwd, p);
      if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
        throw new SetupError(`--policy-pack ${p}: ${dir} has no PulumiPolicy.yaml`);
      }
      return dir;
    });
  }
  const dflt = path.join(projectDir, "policy");
  return fs.existsSync(path.join(dflt, "PulumiPolicy.yaml")) ? [dflt] : [];
}

function updateMessage(env: Record<string, string>): string | undefined {
  if (!env.GITHUB_SHA) return undefined;
  const run = env.GITHUB_RUN_ID ? ` run ${env.GITHUB_RUN_ID}` : "";
  return `${env.GITHUB_WORKFLOW ?? "GitHub Actions"}${run} @ ${env.GITHUB_SHA.slice(0, 12)}`;
}

async function defaultExecutor(ctx: ExecutorContext): Promise<StackExecutor> {
  const { LocalWorkspaceExecutor, resolvePulumiCommand } = await import("./localExecutor");
  let pulumiCommand;
  try {
    pulumiCommand = await resolvePulumiCommand(ctx.env, ctx.installCli, ctx.log);
  } catch (err) {
    throw new SetupError((err as Error).message);
  }
  return new LocalWorkspaceExecutor({
    projectDir: ctx.graph.projectDir,
    env: { ...ctx.env, PULUMI_BACKEND_URL: ctx.backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" },
    backendUrl: redactUrl(ctx.backendUrl),
    pulumiCommand,
    policyPacks: ctx.policyPacks,
    secretsProvider: (stack) => ctx.graph.stacks.get(stack)?.secretsProvider ?? "passphrase",
    message: updateMessage(ctx.env),
  });
}

function writeSummaries(summary: RunSummary, opts: CliOptions, env: Record<string, string>, io: CliIO): void {
  const md = renderMarkdown(summary);
  const targets: Array<[string | undefined, string, "write" | "append"]> = [
    [opts.summaryMd, md, "write"],
    [opts.summaryJson, renderJson(summary), "write"],
    [env.GITHUB_STEP_SUMMARY, md, "append"],
  ];
  for (const [file, text, mode] of targets) {
    if (!file) continue;
    const abs = path.resolve(io.cwd, file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (mode === "append") fs.appendFileSync(abs, text + "\n");
    else fs.writeFileSync(abs, text);
  }
}

/**
 * The stacks a command runs on: the named ones (example stacks only when named), or with --all (or
 * for plan/outputs without names) every stack that is not an example. Refuses a selection that
 * would pull in an example stack the operator did not name.
 */
export function chooseStacks(graph: StackGraph, opts: Pick<CliOptions, "command" | "stacks" | "all" | "only">): Selection {
  const names = opts.stacks.length > 0 ? opts.stacks : graph.order.filter((s) => !graph.stacks.get(s)!.example);
  const selection = selectStacks(graph, names, { only: opts.only, direction: opts.command === "destroy" ? "dependants" : "dependencies" });
  const examples = [...selection.pulledIn].filter((s) => graph.stacks.get(s)!.example);
  if (examples.length > 0 && opts.command !== "destroy") {
    throw new StackGraphError(
      `${examples.join(", ")} ${examples.length > 1 ? "are example stacks" : "is an example stack"} (k8tre:example: true in ` +
        `${examples.map((s) => graph.stacks.get(s)!.file).join(", ")}) that ${names.join(", ")} depends on; name it to include it`,
    );
  }
  return selection;
}

export async function main(
  argv: string[],
  rawEnv: Record<string, string | undefined>,
  io: CliIO,
  deps: CliDeps = {},
): Promise<number> {
  const env = cleanEnv(rawEnv);
  const log = (line: string) => io.stdout(line + "\n");
  let opts: CliOptions;
  try {
    const parsed = parseCliArgs(argv);
    if (parsed.help) {
      io.stdout(USAGE + "\n");
      return 0;
    }
    opts = parsed;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }

  let summary: RunSummary;
  try {
    const projectDir = path.resolve(io.cwd, opts.projectDir ?? ".");
    const graph = discoverStacks(projectDir);
    for (const note of graph.notes) log(`note: ${note}`);
    const selection = chooseStacks(graph, opts);
    const command: Command = opts.command === "plan" ? "up" : opts.command;
    const plan = planRun(graph, selection, command);
    const parallel = opts.parallel === "auto" ? autoParallel(plan) : opts.parallel;
    const describe = (s: string) => (selection.pulledIn.has(s) ? `${s} (${opts.command === "destroy" ? "dependant" : "dependency"})` : s);
    if (opts.command === "plan") {
      if (opts.json) {
        const stacks = selection.order.map((s) => {
          const n = graph.stacks.get(s)!;
          return { stack: s, kind: n.kind, file: n.file, dependsOn: n.dependsOn, lateDependsOn: n.lateDependsOn, example: n.example, protected: n.protected, pulledIn: selection.pulledIn.has(s) };
        });
        io.stdout(JSON.stringify({ command: "up", parallel, stacks, units: plan.units, waves: plan.waves }, null, 2) + "\n");
      } else {
        log(renderPlan(plan, { command: "up", parallel, describe }));
      }
      return 0;
    }
    log(renderPlan(plan, { command: opts.command, parallel, describe }));

    const backendUrl = resolveBackend(env, projectDir);
    const policyPacks = opts.command === "preview" || opts.command === "up" ? resolvePolicyPacks(opts, projectDir, io.cwd) : [];
    const createExecutor = deps.createExecutor ?? defaultExecutor;
    summary = await runCommand({
      command,
      graph,
      selection,
      parallel,
      allowProtected: opts.allowProtected,
      backend: backendUrl,
      log,
      now: deps.now,
      signal: io.signal,
      executor: async () => {
        // Checked only once work is really about to start (a refused destroy needs neither).
        checkPassphrase(env, graph, selection.order);
        ensureFileBackend(backendUrl);
        log(`backend: ${redactUrl(backendUrl)}`);
        if (policyPacks.length > 0) log(`policy packs: ${policyPacks.join(", ")}`);
        return createExecutor({ graph, env, backendUrl, policyPacks, installCli: opts.installCli, log });
      },
    });
  } catch (err) {
    if (err instanceof StackGraphError || err instanceof SetupError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  writeSummaries(summary, opts, env, io);
  // For CI: the stacks whose main pass deferred something no late pass of this run added.
  const deferred = summary.stacks.filter((r) => !r.latePass && deferredParts(r).length > 0).map((r) => r.stack);
  if (deferred.length > 0) log(`deferred (run \`up\` again once the referenced stacks are deployed): ${deferred.join(", ")}`);
  if (env.GITHUB_OUTPUT && opts.command === "up") fs.appendFileSync(env.GITHUB_OUTPUT, `deferred=${deferred.length > 0}\n`);
  if (opts.command === "outputs") {
    const doc = Object.fromEntries(
      summary.stacks.map((r) => [r.stack, opts.showSecrets ? Object.fromEntries(Object.entries(r.outputs ?? {}).map(([k, o]) => [k, o.value])) : (maskOutputs(r.outputs) ?? {})]),
    );
    io.stdout(JSON.stringify(doc, null, 2) + "\n");
  }
  const failed = summary.stacks.filter((r) => r.status !== "succeeded" && r.status !== "unchanged");
  log(
    summary.ok
      ? `${opts.command} succeeded for ${summary.stacks.length} stack(s)`
      : `${opts.command} did not succeed: ${failed.map((r) => `${r.stack} ${r.status}`).join(", ")}`,
  );
  return summary.ok ? 0 : 1;
}

if (require.main === module) {
  const controller = new AbortController();
  process.on("SIGINT", () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ninterrupt: cancelling running Pulumi operations (press Ctrl-C again to exit now)\n");
    controller.abort();
  });
  main(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
