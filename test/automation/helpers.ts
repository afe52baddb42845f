/** Shared fixtures for the automation tests: temp projects and a scripted fake executor. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import type { CliIO } from "../../automation/cli";
import { StackOpError, type OpHooks, type OpResult, type StackExecutor, type StackOp, type StackOutput } from "../../automation/executor";

export interface StackSpec {
  kind?: string;
  refs?: Record<string, string>;
  protected?: boolean | string;
  example?: boolean;
  platform?: string;
  /** Extra raw YAML appended under `config:` (indented by the caller). */
  extra?: string;
  /** Raw top-level YAML (e.g. `secretsprovider: ...`). */
  topLevel?: string;
}

const created: string[] = [];

/** A fresh temp directory, removed after the test file that created it. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `k8tre-${prefix}-`));
  created.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes Pulumi.yaml and one Pulumi.<stack>.yaml per entry; returns the project directory. */
export function writeProject(stacks: Record<string, StackSpec>, opts: { project?: string; dir?: string } = {}): string {
  const dir = opts.dir ?? tempDir("project");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${opts.project ?? "k8tre"}\nruntime: nodejs\n`);
  for (const [name, spec] of Object.entries(stacks)) {
    const lines: string[] = [];
    if (spec.topLevel) lines.push(spec.topLevel);
    lines.push("config:");
    if (spec.kind !== undefined) lines.push(`  k8tre:kind: ${spec.kind}`);
    if (spec.protected !== undefined) lines.push(`  k8tre:protected: ${JSON.stringify(spec.protected)}`);
    if (spec.example !== undefined) lines.push(`  k8tre:example: ${JSON.stringify(spec.example)}`);
    if (spec.platform !== undefined) lines.push(`  k8tre:platform: ${spec.platform}`);
    if (spec.refs) {
      lines.push("  k8tre:stackRefs:");
      for (const [k, v] of Object.entries(spec.refs)) lines.push(`    ${k}: ${v}`);
    }
    if (spec.extra) lines.push(spec.extra);
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), lines.join("\n") + "\n");
  }
  return dir;
}

/** network -> mgmt -> dev/stg/prd, plus a k3s environment that references only the network. */
export const STANDARD_STACKS: Record<string, StackSpec> = {
  network: { kind: "network", protected: true },
  mgmt: { kind: "management", refs: { network: "network" }, protected: true },
  dev: { kind: "environment", refs: { network: "network", management: "mgmt" } },
  stg: { kind: "environment", refs: { network: "network", management: "mgmt" } },
  prd: { kind: "environment", refs: { network: "network", management: "mgmt" }, protected: true },
};

export interface Capture extends CliIO {
  out: () => string;
  err: () => string;
}

export function capture(cwd: string): Capture {
  let out = "";
  let err = "";
  return {
    cwd,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    out: () => out,
    err: () => err,
  };
}

export interface Script {
  changes?: OpMap;
  /** Throw a StackOpError with this message (after emitting events). */
  fail?: string;
  events?: EngineEvent[];
  outputs?: Record<string, StackOutput>;
  delayMs?: number;
}

export interface Call {
  op: StackOp;
  stack: string;
  start: number;
  end: number;
  /** The late pass's --target globs. */
  targets?: string[];
}

let seq = 0;
export function event(e: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent {
  return { sequence: ++seq, timestamp: Math.floor(Date.now() / 1000), ...e } as EngineEvent;
}

export function summaryEvent(changes: OpMap, durationSeconds = 1): EngineEvent {
  return event({ summaryEvent: { maybeCorrupt: false, durationSeconds, resourceChanges: changes, policyPacks: {} } });
}

/**
 * A fake {@link StackExecutor}: scripted per `"<op> <stack>"` (or `"<op> *"`), recording every call
 * and the maximum number of operations in flight at once.
 */
export class FakeExecutor implements StackExecutor {
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private clock = 0;

  constructor(private readonly scripts: Record<string, Script> = {}, private readonly defaultDelayMs = 5) {}

  /** Stacks the runner asked to exist (ensureStack). */
  readonly ensured: string[] = [];

  async ensureStack(stack: string): Promise<void> {
    this.ensured.push(stack);
  }

  async run(op: StackOp, stack: string, hooks: OpHooks): Promise<OpResult> {
    const late = hooks.targets ? this.scripts[`${op} ${stack} late`] : undefined;
    const script = late ?? this.scripts[`${op} ${stack}`] ?? this.scripts[`${op} *`] ?? {};
    const call: Call = { op, stack, start: ++this.clock, end: -1, ...(hooks.targets ? { targets: hooks.targets } : {}) };
    this.calls.push(call);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, script.delayMs ?? this.defaultDelayMs));
      for (const e of script.events ?? []) hooks.onEvent(e);
      if (script.changes && op !== "outputs") hooks.onEvent(summaryEvent(script.changes));
      if (script.fail) throw new StackOpError(script.fail, ["error: something broke"]);
      return { resourceChanges: script.changes, outputs: script.outputs };
    } finally {
      this.inFlight -= 1;
      call.end = ++this.clock;
    }
  }

  sequence(): string[] {
    return this.calls.map((c) => `${c.op} ${c.stack}`);
  }
}

export const PASSPHRASE_ENV = { PULUMI_CONFIG_PASSPHRASE: "test-passphrase", PULUMI_BACKEND_URL: "file:///tmp/unused-backend" };
