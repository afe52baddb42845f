/**
 * The thin Automation-API executor: one `LocalWorkspace` per stack on the project directory (local
 * program, so `pulumi up` by hand, PR previews and this runner all run the same project).
 *
 * This is the only module that loads `@pulumi/pulumi/automation`; `cli.ts` imports it lazily.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, StackNotFoundError, type Stack } from "@pulumi/pulumi/automation";
import * as semver from "semver";
import { PULUMI_CLI_VERSION } from "./constants";
import { StackMissingError, StackOpError, type OpHooks, type OpResult, type StackExecutor, type StackOp } from "./executor";
import { stripColor } from "./events";

export interface LocalExecutorOptions {
  projectDir: string;
  /** The environment for the CLI (passphrase, backend, ARM_* ...). */
  env: Record<string, string>;
  backendUrl: string;
  pulumiCommand: PulumiCommand;
  /** Absolute paths of local policy packs, passed to preview and up. */
  policyPacks: string[];
  /** Secrets provider for `pulumi stack init` of a stack that does not exist yet. */
  secretsProvider: (stack: string) => string;
  /** Message recorded with each update (for example the commit that triggered it). */
  message?: string;
}

/** Finds an executable named `name` on a PATH string. */
export function findOnPath(name: string, pathValue: string | undefined): string | undefined {
  const exts = process.platform === "win32" ? [".exe", ".cmd", ""] : [""];
  for (const dir of (pathValue ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Returns the Pulumi CLI to drive: the one on `env.PATH` (which must be at least the pinned version,
 * unless PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK is set), else, with `install`, the pinned version
 * installed by `PulumiCommand.install` under ~/.pulumi/versions/<version> (needs get.pulumi.com).
 */
export async function resolvePulumiCommand(
  env: Record<string, string>,
  install: boolean,
  log: (line: string) => void,
): Promise<PulumiCommand> {
  const version = new semver.SemVer(PULUMI_CLI_VERSION);
  const skipVersionCheck = !!env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK;
  const onPath = findOnPath("pulumi", env.PATH);
  let cmd: PulumiCommand;
  if (onPath) {
    // `PulumiCommand.get({ root })` runs `<root>/bin/pulumi`; use it when the binary lives in a `bin`
    // directory so that the CLI found on *this* PATH is the one used (and its bundled plugins win).
    const binDir = path.dirname(onPath);
    const root = path.basename(binDir) === "bin" ? path.dirname(binDir) : undefined;
    try {
      cmd = await PulumiCommand.get({ root, version, skipVersionCheck });
    } catch (err) {
      throw new Error(
        `the Pulumi CLI at ${onPath} is not usable: ${firstLine(err)}. ` +
          `This runner pins v${PULUMI_CLI_VERSION} (the @pulumi/pulumi SDK version); install it, or set ` +
          `PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true to accept another version.`,
      );
    }
  } else if (install) {
    log(`Pulumi CLI not found on PATH; installing v${PULUMI_CLI_VERSION} with PulumiCommand.install()`);
    try {
      cmd = await PulumiCommand.install({ version, skipVersionCheck });
    } catch (err) {
      throw new Error(`could not install Pulumi CLI v${PULUMI_CLI_VERSION}: ${firstLine(err)}`);
    }
  } else {
    throw new Error(
      `the Pulumi CLI is not on PATH. Install v${PULUMI_CLI_VERSION} (https://www.pulumi.com/docs/iac/download-install/), ` +
        `or re-run with --install-cli to download it (needs access to get.pulumi.com).`,
    );
  }
  if (cmd.version && cmd.version.compare(version) !== 0) {
    log(`note: using Pulumi CLI v${cmd.version.version}; this runner is pinned to v${PULUMI_CLI_VERSION}`);
  }
  return cmd;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n").find((l) => l.trim() !== "")?.trim() ?? msg;
}

interface ExecaErrorLike {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

interface CommandResultLike {
  stdout?: string;
  stderr?: string;
  code?: number;
  /** The SDK runs the CLI with execa; on a non-zero exit it records code -2 and keeps execa's error here. */
  err?: ExecaErrorLike;
}

/** Turns an Automation-API error into a {@link StackOpError} with the CLI's exit code and error lines. */
export function toStackOpError(op: StackOp, stack: string, err: unknown): StackOpError {
  if (err instanceof StackOpError) return err;
  const result = (err as { commandResult?: CommandResultLike } | undefined)?.commandResult;
  if (result) {
    const lines = (text: string | undefined) =>
      stripColor(text ?? "")
        .split(/\r?\n/)
        .map((l) => l.trimEnd())
        .filter((l) => l.trim() !== "");
    const stdout = result.err?.stdout ?? result.stdout;
    const stderr = result.err?.stderr ?? result.stderr;
    const code = result.err?.exitCode ?? result.code;
    const errorLines = lines(stdout).filter((l) => /error|failed/i.test(l));
    const details = [...errorLines, ...lines(stderr)].slice(-20);
    const locked = (err as Error).name === "ConcurrentUpdateError" ? " (the stack is locked by another update)" : "";
    return new StackOpError(`pulumi ${op} failed for stack ${stack} with exit code ${code}${locked}`, details);
  }
  return new StackOpError(`pulumi ${op} failed for stack ${stack}: ${firstLine(err)}`);
}

export class LocalWorkspaceExecutor implements StackExecutor {
  private readonly stacks = new Map<string, Promise<Stack>>();

  constructor(private readonly opts: LocalExecutorOptions) {}

  private stack(name: string, create: boolean): Promise<Stack> {
    const cached = this.stacks.get(name);
    if (cached) return cached;
    const args = { stackName: name, workDir: this.opts.projectDir };
    const wsOpts = {
      pulumiCommand: this.opts.pulumiCommand,
      envVars: this.opts.env,
      secretsProvider: this.opts.secretsProvider(name),
    };
    const p = (create ? LocalWorkspace.createOrSelectStack(args, wsOpts) : LocalWorkspace.selectStack(args, wsOpts)).catch(
      (err: unknown) => {
        this.stacks.delete(name);
        if (err instanceof StackNotFoundError) throw new StackMissingError(name, this.opts.backendUrl);
        throw err;
      },
    );
    this.stacks.set(name, p);
    return p;
  }

  async ensureStack(name: string): Promise<void> {
    try {
      await this.stack(name, true);
    } catch (err) {
      throw toStackOpError("up", name, err);
    }
  }

  async run(op: StackOp, name: string, hooks: OpHooks): Promise<OpResult> {
    try {
      // preview/up create the stack on first use; the others need an existing stack.
      const stack = await this.stack(name, op === "preview" || op === "up");
      const common = { onEvent: hooks.onEvent, signal: hooks.signal, color: "never" as const };
      switch (op) {
        case "preview": {
          const r = await stack.preview({ ...common, policyPacks: this.opts.policyPacks, message: this.opts.message });
          return { resourceChanges: r.changeSummary };
        }
        case "up": {
          const targeting = hooks.targets && hooks.targets.length > 0 ? { target: hooks.targets, targetDependents: true } : {};
          const r = await stack.up({ ...common, ...targeting, policyPacks: this.opts.policyPacks, message: this.opts.message });
          return { resourceChanges: r.summary?.resourceChanges, outputs: r.outputs };
        }
        case "refresh": {
          const r = await stack.refresh({ ...common, message: this.opts.message });
          return { resourceChanges: r.summary?.resourceChanges };
        }
        case "destroy": {
          const r = await stack.destroy({ ...common, message: this.opts.message });
          return { resourceChanges: r.summary?.resourceChanges };
        }
        case "outputs":
          return { outputs: await stack.outputs() };
      }
    } catch (err) {
      throw toStackOpError(op, name, err);
    }
  }
}
