/**
 * Fake cloud answers for the offline engine: realistic IDs and computed outputs per resource
 * type, and results for provider functions (invokes). Areas register their own fakes with
 * {@link registerResourceFake} / {@link registerCallFake} (see fakes/*.ts); a resource type
 * without a fake echoes its inputs, but an invoke without a fake is an error, so gaps show up.
 */
import type * as pulumi from "@pulumi/pulumi";
import { stableUuid } from "../../config/naming";

export interface FakeContext {
  readonly project: string;
  readonly stack: string;
  readonly preview: boolean;
  readonly config: Readonly<Record<string, unknown>>;
  readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>>;
}

export type ResourceFake = (args: pulumi.runtime.MockResourceArgs, ctx: FakeContext) => {
  id?: string;
  /** Extra state merged over the inputs (in preview, only these appear: the rest is unknown). */
  state: Record<string, unknown>;
};
export type CallFake = (args: pulumi.runtime.MockCallArgs, ctx: FakeContext) => Record<string, unknown>;

const resourceFakes = new Map<string, ResourceFake>();
const callFakes = new Map<string, CallFake>();

export function registerResourceFake(type: string, fake: ResourceFake): void {
  resourceFakes.set(type, fake);
}
export function registerCallFake(token: string, fake: CallFake): void {
  callFakes.set(token, fake);
}

/** A deterministic GUID for a fake object ID, stable across runs. */
export function fakeGuid(...parts: string[]): string {
  return stableUuid("offline-synth", ...parts);
}

/** The subscription the stack's config names (fallback: zeros). */
export function subscriptionOf(ctx: FakeContext): string {
  const azure = parseMaybe(ctx.config["k8tre:azure"]) as { subscriptionId?: string } | undefined;
  return azure?.subscriptionId ?? "00000000-0000-0000-0000-000000000000";
}

export function tenantOf(ctx: FakeContext): string {
  const azure = parseMaybe(ctx.config["k8tre:azure"]) as { tenantId?: string } | undefined;
  return azure?.tenantId ?? "00000000-0000-0000-0000-000000000000";
}

function parseMaybe(v: unknown): unknown {
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v;
}

export function fakeResource(args: pulumi.runtime.MockResourceArgs, ctx: FakeContext): { id: string | undefined; state: Record<string, unknown> } {
  if (args.type === "pulumi:pulumi:StackReference") {
    const name = String(args.inputs.name ?? args.id ?? args.name);
    const short = name.split("/").pop()!;
    const outputs = ctx.stackOutputs[short];
    return { id: name, state: { name, outputs: outputs ?? {}, secretOutputNames: [] } };
  }
  const fake = resourceFakes.get(args.type) ?? prefixFake(args.type);
  const extra = fake ? fake(args, ctx) : { state: {} };
  const id = args.id || extra.id || `${args.name}-id`;
  // In preview, a brand-new resource's computed outputs are unknown: return only what a
  // preview would know (the inputs), unless the fake insists (values known before create).
  const base = ctx.preview ? { ...args.inputs } : { ...args.inputs, ...extra.state };
  return { id: ctx.preview ? undefined : id, state: base };
}

function prefixFake(type: string): ResourceFake | undefined {
  for (const [key, fake] of resourceFakes) {
    if (key.endsWith("*") && type.startsWith(key.slice(0, -1))) return fake;
  }
  return undefined;
}

/** The evaluation under way: its context and where its calls are recorded (set by the engine). */
let current: { ctx: FakeContext; record: (call: { token: string; inputs: Record<string, unknown> }) => void } | undefined;

export function setCurrentRun(run: typeof current): void {
  current = run;
}

/**
 * A call the program makes outside the Pulumi engine (a REST read of ARM with a provider's
 * token, components/azure/providerRegistration.ts), answered by the call fake registered under
 * `token` and recorded with the stack's invokes, so the plan shows that it ran. The caller passes
 * only what identifies the request: never a credential.
 */
export function directCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (!current) throw new Error(`offline synth: ${token} called outside a synth run`);
  current.record({ token, inputs });
  return fakeCall({ token, inputs, provider: "" } as pulumi.runtime.MockCallArgs, current.ctx);
}

export function fakeCall(args: pulumi.runtime.MockCallArgs, ctx: FakeContext): Record<string, unknown> {
  const fake = callFakes.get(args.token);
  if (!fake) {
    throw new Error(`offline synth: no fake for provider function ${args.token}; add one in tools/synth/fakes/`);
  }
  return fake(args, ctx);
}

/** `/subscriptions/<sub>/resourceGroups/<rg>/providers/<ns>/<type>/<name>` from a resource's inputs. */
export function armId(ctx: FakeContext, args: pulumi.runtime.MockResourceArgs, providerType: string, nameKey: string, subscription?: string): string {
  const rg = String(args.inputs.resourceGroupName ?? `rg-${args.name}`);
  const name = String(args.inputs[nameKey] ?? args.name);
  return `/subscriptions/${subscription ?? subscriptionOf(ctx)}/resourceGroups/${rg}/providers/${providerType}/${name}`;
}
