/**
 * The offline engine: runs a stack's program under Pulumi's runtime mocks and records every
 * registration as the engine would see it (type, name, parent, provider, dependencies,
 * protect, retainOnDelete, inputs). Provider calls and resource outputs are answered by
 * `fakes.ts`; stack references are answered from earlier stacks' outputs.
 *
 * Each stack runs in its own Pulumi runtime store, so several stacks can be evaluated one after
 * another in one process without leaking state. Evaluations are serialized: the store is a plain
 * "current store" (store.ts) rather than an AsyncLocalStorage, which would put promise hooks on
 * every promise the SDK creates.
 *
 * Speed: the SDK captures a JavaScript stack trace for every resource and every internal promise
 * (formatted eagerly, for its leak diagnostics); none of them reaches a plan. Unless
 * `stackTraces` is set, the evaluation runs with `Error.stackTraceLimit = 0`, so errors carry
 * their message only. During each evaluation lean.ts also spares the SDK the work only a real
 * engine needs (protobuf Structs, alias URNs, Outputs for properties nobody reads), keeping every
 * promise the plan's order depends on.
 */
// First: the store and the deferred SDK parts must be in place before the SDK loads.
import "./preload.js";
import { storage } from "./store";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";

/** SDK internals (marked @internal, so absent from the type declarations). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as {
  withLocalStorage<T>(fn: () => T): T;
  getStore(): { settings: { options: Record<string, unknown>; engine?: unknown } };
};
import { fakeCall, fakeResource, type FakeContext, setCurrentRun } from "./fakes";
import { leanSdk, registerLeanTransformations } from "./lean";
// Area fakes register themselves on import.
import "./fakes/index";
import { plainValue, SECRET, UNKNOWN } from "./values";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string | null;
  provider: string | null;
  dependsOn: string[];
  protect: boolean;
  retainOnDelete: boolean;
  /** Replaced by deleting first (resources whose identity ARM refuses to hold twice). */
  deleteBeforeReplace?: boolean;
  /** Input paths the engine leaves to the cloud after creation. */
  ignoreChanges?: string[];
  inputs: Record<string, unknown>;
}

export interface SynthOptions {
  project: string;
  stack: string;
  /** Fully-qualified config (`k8tre:kind` → value); objects may be plain or JSON strings. */
  config: Record<string, unknown>;
  /** Keys whose values are secrets. */
  secretKeys?: readonly string[];
  /** Evaluate as a preview of a brand-new stack: outputs not faked are unknown. */
  preview?: boolean;
  /** Outputs of already-synthesized stacks, by stack name, for StackReferences. */
  stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
  /** Keep JavaScript stack traces during the evaluation (slower; for debugging a failing program). */
  stackTraces?: boolean;
  /**
   * Evaluate with the lean SDK patches (lean.ts; default). `false` runs the SDK as shipped: the
   * same plan, several times slower; tests compare the two.
   */
  lean?: boolean;
}

export interface SynthResult {
  project: string;
  stack: string;
  resources: PlannedResource[];
  /** Plain JSON: secrets as "[secret]", unknowns as "[unknown]". */
  outputs: Record<string, unknown>;
  /** Outputs with real values (secrets revealed), for later stacks' StackReferences. */
  rawOutputs: Record<string, unknown>;
  warnings: string[];
  /** Provider functions the program called; `provider` is the explicit provider's reference, when one was passed. */
  invokes: Array<{ token: string; inputs: Record<string, unknown>; provider?: string }>;
}

let queue: Promise<unknown> = Promise.resolve();

/** The resources of the evaluation under way, as registered so far. */
let registering: readonly PlannedResource[] | undefined;

/**
 * What the running evaluation has registered so far (a copy), for tests of ordering: called from
 * a check inside the program, it shows what was declared before the check answered.
 */
export function plannedSoFar(): PlannedResource[] {
  return (registering ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/** Runs `program` as stack `opts.stack` and returns its plan (one evaluation at a time). */
export function synthStack(program: () => unknown, opts: SynthOptions): Promise<SynthResult> {
  const run = queue.then(() => {
    const limit = Error.stackTraceLimit;
    if (!opts.stackTraces) Error.stackTraceLimit = 0;
    return state.withLocalStorage(() => {
      const restore = opts.lean === false ? () => undefined : leanSdk({ keepStackTraces: opts.stackTraces });
      return runIsolated(program, opts).finally(restore);
    }).finally(() => {
      Error.stackTraceLimit = limit;
      storage?.exit();
    });
  });
  queue = run.catch(() => undefined);
  return run;
}

async function runIsolated(program: () => unknown, opts: SynthOptions): Promise<SynthResult> {
  const resources: PlannedResource[] = [];
  const warnings: string[] = [];
  const invokes: SynthResult["invokes"] = [];
  const ctx: FakeContext = {
    project: opts.project,
    stack: opts.stack,
    preview: opts.preview ?? false,
    config: opts.config,
    stackOutputs: opts.stackOutputs ?? {},
  };

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => fakeResource(args, ctx),
      call: (args) => {
        invokes.push({ token: args.token, inputs: args.inputs, ...(args.provider ? { provider: args.provider } : {}) });
        return fakeCall(args, ctx);
      },
    },
    opts.project,
    opts.stack,
    opts.preview ?? false,
    "organization", // what a DIY (file) backend reports
  );

  pulumi.runtime.setAllConfig(stringifyConfig(opts.config), [...(opts.secretKeys ?? [])]);
  const store = state.getStore();
  // A fake engine collects warnings instead of printing them.
  (store.settings as any).engine = {
    log: (req: { getSeverity(): number; getMessage(): string }, cb: () => void) => {
      if (req.getSeverity() >= 2) warnings.push(req.getMessage());
      cb();
    },
    setRootResource: (_req: unknown, cb: (err: unknown, resp: unknown) => void) => cb(null, {}),
    requirePulumiVersion: (_req: unknown, cb: (err: unknown, resp: unknown) => void) => cb(null, {}),
    close: () => undefined,
  };
  (store.settings.options as any).engineAddr = "offline";

  const monitor = settings.getMonitor() as any;
  const capture = (req: any, urn: string) => {
    resources.push({
      urn,
      type: req.getType(),
      name: req.getName(),
      custom: typeof req.getCustom === "function" ? req.getCustom() : true,
      parent: req.getParent() || null,
      provider: providerUrn(req.getProvider()),
      dependsOn: typeof req.getDependenciesList === "function" ? [...new Set<string>(req.getDependenciesList())] : [],
      protect: typeof req.getProtect === "function" ? req.getProtect() === true : false,
      retainOnDelete: typeof req.getRetainondelete === "function" ? req.getRetainondelete() === true : false,
      deleteBeforeReplace: typeof req.getDeletebeforereplace === "function" ? req.getDeletebeforereplace() === true : false,
      ignoreChanges: typeof req.getIgnorechangesList === "function" ? [...(req.getIgnorechangesList() as string[])] : [],
      inputs: plainValue(structToJs(typeof req.getObject === "function" ? req.getObject() : req.getProperties())) as Record<string, unknown>,
    });
  };
  for (const method of ["registerResource", "readResource"] as const) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req: any, callback: (err: unknown, resp: any) => void) =>
      original(req, (err: unknown, resp: any) => {
        if (!err && resp) capture(req, resp.getUrn());
        callback(err, resp);
      });
  }

  // Keep the program's own return value: the stack's registered outputs are already unwrapped
  // and would lose which values are secret or unknown.
  let outputs: unknown = {};
  // A failure inside an `apply` that feeds a resource input surfaces as an unhandled rejection
  // (the Pulumi language host reports those); collect it so synthStack rejects cleanly.
  const failures: unknown[] = [];
  const onFailure = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onFailure);
  // Calls the program makes outside the engine (fakes.ts `directCall`) are recorded with the invokes.
  setCurrentRun({ ctx, record: (call) => invokes.push(call) });
  registering = resources;
  try {
    await runInPulumiStack(async () => {
      registerLeanTransformations();
      return (outputs = await program());
    });
    await settings.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 5)); // let late rejections be reported
  } finally {
    process.off("unhandledRejection", onFailure);
    setCurrentRun(undefined);
    registering = undefined;
  }
  if (failures.length) throw failures[0] instanceof Error ? failures[0] : new Error(String(failures[0]));

  const rawOutputs = await resolveOutputs(outputs ?? {}, false);
  const shown = await resolveOutputs(outputs ?? {}, true);
  // The root stack resource is bookkeeping, not a plan entry.
  return {
    project: opts.project,
    stack: opts.stack,
    resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"),
    outputs: shown,
    rawOutputs,
    warnings,
    invokes,
  };
}

function providerUrn(ref: string): string | null {
  if (!ref) return null;
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

function stringifyConfig(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

function structToJs(struct: any): unknown {
  return struct && typeof struct.toJavaScript === "function" ? struct.toJavaScript() : (struct ?? {});
}

/** Deeply resolves stack outputs; `mask` turns secrets into "[secret]" and unknowns into "[unknown]". */
async function resolveOutputs(value: unknown, mask: boolean): Promise<any> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as any;
    const [known, secret] = await Promise.all([o.isKnown, o.isSecret]);
    if (!known) return UNKNOWN;
    if (mask && secret) return SECRET;
    return resolveOutputs(await o.promise(true), mask);
  }
  if (value instanceof Promise) return resolveOutputs(await value, mask);
  if (pulumi.Resource.isInstance(value)) return resolveOutputs((value as pulumi.Resource).urn, mask);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveOutputs(v, mask)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveOutputs(v, mask);
    return out;
  }
  return value;
}
