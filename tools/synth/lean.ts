/**
 * A leaner Pulumi SDK for the offline engine: while a stack is evaluated (engine.ts applies these
 * patches around each evaluation and restores them after), the SDK skips work that only serves
 * a real engine or a developer debugging the SDK itself. None of it reaches a plan.
 *
 * The plans list resources in the order their registrations reach the mock monitor, which
 * depends on every promise each registration waits on, down to the microtask. So the patches
 * keep those promises as they are: they make the synchronous work cheaper (1, 2, 3), or drop
 * promise chains nothing waits on (4, 5, 6), which cannot reorder the rest (the microtask queue
 * is first in, first out). Dropping a single `.then` on a registration's path does reorder plans,
 * as does anything that changes how many microtasks a registration takes. One case is not
 * covered by that argument: an output property first read after its resource registered (5)
 * settles a few microtasks later than the eagerly made Output would have; the shipped stacks'
 * plans are byte-identical either way. test/synth/lean.test.ts evaluates stacks with and without
 * the patches and requires identical plans (an SDK upgrade that breaks an assumption fails
 * there); docs/synth.md "Speed" has the before/after check for a change here.
 *
 * 1. Protobuf Structs. The SDK hands the mock monitor gRPC request objects, and every property
 *    bag crosses the boundary four times as a `google.protobuf.Struct` (the request's inputs, the
 *    monitor reading them, the response's state, the SDK reading it). Under the mocks nothing is
 *    ever encoded, so `Struct.fromJavaScript` keeps a plain copy instead of building a Value
 *    message per property, and `toJavaScript` returns a fresh copy of it. The copy is what the
 *    round trip would give: keys in sorted order at every level (the protobuf map iterates its
 *    keys sorted), the same errors for values a Struct cannot hold. Anything else that asks for
 *    the protobuf view (`getFieldsMap`, encoding) gets the real fields, built on first use.
 * 2. Resource source positions. Every resource constructor captures a full JavaScript stack
 *    trace (`Error.stackTraceLimit = Infinity`) and parses it into file URLs for the engine's
 *    diagnostics; the mock monitor ignores them. `Resource.callsites` returns no frames.
 * 3. Promise-leak bookkeeping. Each of the SDK's ~40 000 internal promises per run of the five
 *    main stacks gets three extra properties and a captured stack trace, read only when
 *    PULUMI_DEBUG_PROMISE_LEAKS is set. They are skipped unless it is; the leak candidates set
 *    and the exit-time leak report stay, as does the wrapping promise chain.
 * 4. Alias URNs nobody reads. Every azure-native resource lists its type under each earlier API
 *    version as an alias (a ManagedCluster has 113), and the resource constructor turns each into
 *    a URN Output (about ten Outputs apiece) for `Resource.__aliases`, which only a monitor without
 *    alias specs reads; the mock monitor has them, and the registration sends the alias specs
 *    themselves. A stack transformation marks the specs just before the constructor collapses them,
 *    and the collapse gets a placeholder instead. The registration still awaits each spec as before.
 * 5. Output properties nobody reads. A custom resource gets an Output (four tracked promises and
 *    an Output's own chain) for every output property of its type, ~8 000 in the five main
 *    stacks, of which the programs read ~200. The property's promises and resolvers are made as
 *    before; the Output around them is made on first access of the property.
 * 6. Debug-level log messages. Each `log.debug` call in the SDK builds a LogRequest and queues it
 *    behind every earlier message, for a fake engine that drops DEBUG anyway. It resolves at once,
 *    as it does when no engine is attached. No SDK code waits for a debug message, so warnings
 *    (collected by engine.ts) keep their order.
 *
 * The patched functions are SDK internals (the SDK version is pinned in package.json).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structPb = require("google-protobuf/google/protobuf/struct_pb") as { Struct: StructClass; Value: { fromJavaScript(v: unknown): unknown } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
  debugPromiseLeaks: boolean;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>>; supportsAliasSpecs?: boolean } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const log = require("@pulumi/pulumi/log") as { debug: (...args: unknown[]) => Promise<void> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resourceModule = require("@pulumi/pulumi/resource") as { Resource: { callsites(): unknown[] } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const outputModule = require("@pulumi/pulumi/output") as {
  output: (val: unknown) => unknown;
  Output: { new (...args: unknown[]): unknown; isInstance(o: unknown): boolean };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { transferProperties: (onto: object, label: string, props: Record<string, unknown>) => Record<string, Resolver> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const errors = require("@pulumi/pulumi/errors") as { isGrpcError(err: unknown): boolean };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackModule = require("@pulumi/pulumi/runtime/stack") as { registerStackTransformation(t: (args: { opts: { aliases?: unknown } }) => undefined): void };

type Resolver = (value: unknown, isKnown: boolean, isSecret: boolean, deps?: unknown[], err?: Error) => void;

interface StructInstance {
  toJavaScript(): Record<string, unknown>;
  getFieldsMap(noLazyCreate?: boolean): { set(key: string, value: unknown): unknown };
}
interface StructClass {
  new (): StructInstance;
  fromJavaScript(obj: Record<string, unknown>): StructInstance;
  prototype: StructInstance;
}

const Struct = structPb.Struct;
const original = {
  fromJavaScript: Struct.fromJavaScript,
  debuggablePromise: debuggable.debuggablePromise,
  debug: log.debug,
  callsites: resourceModule.Resource.callsites,
  output: outputModule.output,
  transferProperties: rpc.transferProperties,
};

/** What `Value.fromJavaScript(v).toJavaScript()` gives, without the messages. */
function roundTrip(v: unknown): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return v;
    case "object":
      return Array.isArray(v) ? v.map(roundTrip) : roundTripObject(v as Record<string, unknown>);
    default:
      // google-protobuf's Value.fromJavaScript refuses undefined, functions, symbols and bigints.
      throw new Error("Unexpected struct type.");
  }
}

function roundTripObject(obj: Record<string, unknown>): Record<string, unknown> {
  const keys: string[] = [];
  // `for…in`, like Struct.fromJavaScript: inherited enumerable properties count too.
  for (const k in obj) keys.push(k);
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = roundTrip(obj[k]);
  return out;
}

/** A copy of an already round-tripped value (plain JSON data: no cycles, no special objects). */
function copy(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(copy);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
  return out;
}

/** A Struct that holds its fields as plain data until something needs the protobuf fields. */
class PlainStruct extends Struct {
  private plain: Record<string, unknown> | undefined;

  constructor(plain: Record<string, unknown>) {
    super();
    this.plain = plain;
  }

  override toJavaScript(): Record<string, unknown> {
    return this.plain === undefined ? super.toJavaScript() : (copy(this.plain) as Record<string, unknown>);
  }

  override getFieldsMap(noLazyCreate?: boolean) {
    if (this.plain !== undefined) {
      const plain = this.plain;
      this.plain = undefined;
      const map = super.getFieldsMap(noLazyCreate);
      for (const k of Object.keys(plain)) map.set(k, structPb.Value.fromJavaScript(plain[k]));
      return map;
    }
    return super.getFieldsMap(noLazyCreate);
  }
}

function plainFromJavaScript(obj: Record<string, unknown>): StructInstance {
  return new PlainStruct(roundTripObject(obj));
}

function leanDebuggablePromise<T>(p: Promise<T>): Promise<T> {
  // The original's promise chain, leak bookkeeping and error tagging, without the per-promise
  // debug properties (an id, a context string and a stack trace).
  const candidates = state.getStore().leakCandidates;
  candidates.add(p);
  return p
    .then((val) => {
      candidates.delete(p);
      return val;
    })
    .catch((err) => {
      candidates.delete(p);
      err.promise = p;
      throw err;
    });
}

/** Alias specs whose next `output()` call is the resource constructor collapsing them. */
const collapsing = new WeakSet<object>();
/** What the constructor's collapse of a marked spec produces: `Resource.__aliases`'s placeholder. */
const COLLAPSED = Object.freeze({ offlineSynth: "alias URN not computed (the mock monitor takes alias specs)" });
const collapseStub = { apply: () => COLLAPSED };

/**
 * The stack transformation: runs in every resource constructor just before it collapses
 * `opts.aliases` (`output(alias).apply(...)` for each, in order), and marks the plain specs.
 */
function markAliasSpecs(args: { opts: { aliases?: unknown } }): undefined {
  const aliases = args.opts.aliases;
  if (Array.isArray(aliases)) {
    for (const a of aliases) if (a !== null && typeof a === "object" && !(a instanceof Promise) && !outputModule.Output.isInstance(a)) collapsing.add(a);
  }
  return undefined;
}

function leanOutput(val: unknown): unknown {
  if (val !== null && typeof val === "object" && collapsing.delete(val)) return collapseStub;
  return original.output(val);
}

/**
 * rpc.transferProperties, with each property's Output made on first access. The resolvers
 * settle the same promises the eager version makes; the Output wraps them, tracked, as before.
 */
function lazyTransferProperties(onto: object, label: string, props: Record<string, unknown>): Record<string, Resolver> {
  const resolvers: Record<string, Resolver> = {};
  for (const k of Object.keys(props)) {
    if (k === "id" || k === "urn") continue;
    if (Object.prototype.hasOwnProperty.call(onto, k)) throw new Error(`Property '${k}' is already initialized on target '${label}`);
    type Settle = [(v: unknown) => void, (e: unknown) => void];
    const settle: Settle[] = [];
    const promises = [0, 1, 2, 3].map(() => new Promise((resolve, reject) => settle.push([resolve, reject])));
    resolvers[k] = (value, isKnown, isSecret, deps = [], err) => {
      if (err) {
        if (errors.isGrpcError(err)) return;
        for (const [, reject] of settle) reject(err);
      } else {
        [value, isKnown, isSecret, deps].forEach((v, i) => settle[i][0](v));
      }
    };
    const materialize = (value?: unknown) => {
      Object.defineProperty(onto, k, { value, writable: true, enumerable: true, configurable: true });
      return value;
    };
    Object.defineProperty(onto, k, {
      enumerable: true,
      configurable: true,
      get: () => materialize(new outputModule.Output(onto, ...promises.map((p) => debuggable.debuggablePromise(p, label)))),
      set: materialize,
    });
  }
  return resolvers;
}

const resolvedDebug = () => Promise.resolve();
const noCallsites = () => [];

let applied = false;

/**
 * Applies the patches; returns the function that restores the SDK. `keepStackTraces` keeps the
 * resources' source positions (the `--verbose` synth, for debugging a program).
 */
export function leanSdk(opts: { keepStackTraces?: boolean } = {}): () => void {
  if (applied) throw new Error("leanSdk: already applied (evaluations must not overlap)");
  applied = true;
  Struct.fromJavaScript = plainFromJavaScript;
  log.debug = resolvedDebug;
  outputModule.output = leanOutput;
  rpc.transferProperties = lazyTransferProperties;
  if (!opts.keepStackTraces) resourceModule.Resource.callsites = noCallsites;
  if (!debuggable.debugPromiseLeaks) {
    // The original's first call schedules the exit-time leak report (a program that never
    // finishes, e.g. a dependency cycle, is reported); the lean version only feeds it.
    void original.debuggablePromise(Promise.resolve(), "offline synth");
    debuggable.debuggablePromise = leanDebuggablePromise;
  }
  return () => {
    Struct.fromJavaScript = original.fromJavaScript;
    log.debug = original.debug;
    resourceModule.Resource.callsites = original.callsites;
    debuggable.debuggablePromise = original.debuggablePromise;
    outputModule.output = original.output;
    rpc.transferProperties = original.transferProperties;
    applied = false;
  };
}

/**
 * Called at the start of the stack's program (the root stack resource exists, the mock monitor
 * is set): registers the alias-marking transformation, if the monitor takes alias specs (with
 * the mocks it does; without, the SDK would read the collapsed URNs, so they stay).
 */
export function registerLeanTransformations(): void {
  if (!applied || !state.getStore().supportsAliasSpecs) return;
  stackModule.registerStackTransformation(markAliasSpecs);
}

/** For tests: the round trip the Struct patch reproduces. */
export const _roundTrip = roundTrip;
