/** Command-line parsing for the runner (pure). */
import { parseArgs } from "node:util";
import { PULUMI_CLI_VERSION } from "./constants";
import { MAX_AUTO_PARALLEL } from "./plan";
import { COMMANDS } from "./runner";

/** `plan` prints the schedule; it needs no CLI, backend or credentials. */
export const CLI_COMMANDS = [...COMMANDS, "plan"] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

export interface CliOptions {
  command: CliCommand;
  stacks: string[];
  /** Every stack except the examples (`k8tre:example: true`); required when no stack is named. */
  all: boolean;
  only: boolean;
  /** A number, or "auto": the plan's widest wave (at most MAX_AUTO_PARALLEL). */
  parallel: number | "auto";
  /** `plan --json`. */
  json: boolean;
  allowProtected: boolean;
  /** Explicit policy pack directories; undefined means "use ./policy if it is a pack". */
  policyPacks?: string[];
  noPolicyPack: boolean;
  summaryMd?: string;
  summaryJson?: string;
  projectDir?: string;
  installCli: boolean;
  showSecrets: boolean;
}

export type ParsedArgs = { help: true } | ({ help: false } & CliOptions);

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = `Usage: npm run deploy -- <command> [stack ...] [options]

Runs a Pulumi command over the K8TRE stacks in dependency order, discovered from the
Pulumi.<stack>.yaml files. Name the stacks, or pass --all for every stack except the examples
(k8tre:example: true); an example stack runs only when it is named.

Commands:
  plan       print the graph and the schedule (waves, what runs in parallel, late passes) of
             \`up\`; needs no Pulumi CLI, backend or credentials (--json for tools)
  preview    preview the stacks (dependencies of named stacks are previewed too)
  up         update the named stacks; their dependencies are previewed first and updated
             only if the preview shows changes. An environment starts alongside the
             management stack and registers in its ArgoCD in a late pass after it
  refresh    refresh the stacks' state from the cloud (dependencies first)
  destroy    destroy the stacks, dependants first (named stacks pull in their dependants);
             refuses stacks with k8tre:protected: true unless --allow-protected
  outputs    print the stacks' outputs as JSON (secrets masked unless --show-secrets)

Options:
  --all                  every stack except the examples (instead of naming stacks)
  --only                 run only the named stacks; pull in no dependencies/dependants
  --parallel N|auto      run at most N independent stacks at once (default auto: the plan's
                         widest wave, at most ${MAX_AUTO_PARALLEL})
  --json                 plan: print the plan as JSON
  --allow-protected      let destroy touch protected stacks
  --policy-pack DIR      run this local policy pack with preview/up (repeatable; default:
                         ./policy when it contains PulumiPolicy.yaml)
  --no-policy-pack       run preview/up without policy packs
  --summary-md FILE      write the Markdown summary to FILE
  --summary-json FILE    write the JSON summary to FILE
  --project-dir DIR      the Pulumi project directory (default: current directory)
  --install-cli          install Pulumi CLI v${PULUMI_CLI_VERSION} when none is on PATH
                         (downloads from get.pulumi.com)
  --show-secrets         outputs: print secret values in clear text
  -h, --help             show this help

Environment:
  PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE   passphrase secrets provider (required)
  PULUMI_BACKEND_URL     state backend (default file://<project>/.pulumi-state)
  GITHUB_STEP_SUMMARY    when set, the Markdown summary is appended to it

Exit codes: 0 all stacks succeeded · 1 a stack failed, was skipped or refused · 2 usage or setup error`;

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        only: { type: "boolean", default: false },
        all: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        parallel: { type: "string" },
        "allow-protected": { type: "boolean", default: false },
        "policy-pack": { type: "string", multiple: true },
        "no-policy-pack": { type: "boolean", default: false },
        "summary-md": { type: "string" },
        "summary-json": { type: "string" },
        "project-dir": { type: "string" },
        "install-cli": { type: "boolean", default: false },
        "show-secrets": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [command, ...stacks] = positionals;
  if (command === undefined) throw new UsageError(`missing command (one of ${COMMANDS.join(", ")})`);
  if (!(CLI_COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}" (expected one of ${CLI_COMMANDS.join(", ")})`);
  }
  let parallel: number | "auto" = "auto";
  if (values.parallel !== undefined && values.parallel !== "auto") {
    if (!/^[1-9][0-9]*$/.test(values.parallel)) {
      throw new UsageError(`--parallel must be a positive integer, got "${values.parallel}"`);
    }
    parallel = Number(values.parallel);
  }
  if (values.only && stacks.length === 0) {
    throw new UsageError("--only needs at least one stack name");
  }
  if (values.all && stacks.length > 0) {
    throw new UsageError("--all cannot be combined with stack names");
  }
  if (values.json && command !== "plan") {
    throw new UsageError("--json only applies to plan");
  }
  if (values["no-policy-pack"] && values["policy-pack"]) {
    throw new UsageError("--policy-pack and --no-policy-pack cannot be combined");
  }
  if (values["allow-protected"] && command !== "destroy") {
    throw new UsageError("--allow-protected only applies to destroy");
  }
  if (values["show-secrets"] && command !== "outputs") {
    throw new UsageError("--show-secrets only applies to outputs");
  }
  if (stacks.length === 0 && !values.all && command !== "plan" && command !== "outputs") {
    throw new UsageError(`name the stacks to ${command} (e.g. \`npm run deploy -- ${command} dev\`), or pass --all for every stack except the examples`);
  }
  const duplicates = stacks.filter((s, i) => stacks.indexOf(s) !== i);
  if (duplicates.length > 0) throw new UsageError(`stack named twice: ${duplicates.join(", ")}`);
  return {
    help: false,
    command: command as CliCommand,
    stacks,
    all: values.all!,
    only: values.only!,
    parallel,
    json: values.json!,
    allowProtected: values["allow-protected"]!,
    policyPacks: values["policy-pack"],
    noPolicyPack: values["no-policy-pack"]!,
    summaryMd: values["summary-md"],
    summaryJson: values["summary-json"],
    projectDir: values["project-dir"],
    installCli: values["install-cli"]!,
    showSecrets: values["show-secrets"]!,
  };
}
