/**
 * Read-only preflights shared by the Azure stacks: a failed check is a {@link PreflightError}
 * (Pulumi prints it without a stack trace and exits non-zero), and resource-provider registration
 * is read through ARM's "Providers - Get" with the bearer token of the azure-native provider of the
 * subscription concerned (the reads and messages themselves: ./providerRegistration.ts). Used by
 * the cluster (cluster/prerequisites.ts) and the network stack's flow logs
 * (network/prerequisites.ts).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { getDefaultProviderReader, type ProviderPrerequisite, type ProviderReader, providerVerdict } from "./providerRegistration";

/**
 * A failed preflight. A `RunError`, so Pulumi prints the message without a stack trace and exits
 * non-zero. Its message is fixed: the SDK prefixes `error serializing property "<name>": ` to an
 * error's message for every resource input it fails (the same error object reaches every
 * resource that waits for the preflight), which would bury the fix under repeated prefixes.
 */
export class PreflightError extends pulumi.RunError {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: false });
  }
}

/**
 * An ARM bearer token from the azure-native provider's own login (OIDC in CI, the Azure CLI
 * locally), marked secret so nothing derived from it is stored or shown in plain text.
 */
export function armToken(opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return pulumi.secret(authorization.getClientTokenOutput({}, opts).token);
}

export type ProviderVerdict = ReturnType<typeof providerVerdict>;

/**
 * Reads each provider's registration with `reader` (default: the process-wide reader, ARM's
 * "Providers - Get"), authenticated as the provider of that subscription (`opts.provider`), and
 * resolves to a verdict per prerequisite (pure: ./providerRegistration.ts). Not secret: the
 * token only authenticates the reads and is in none of the verdicts.
 */
export function readProviderVerdicts(required: readonly ProviderPrerequisite[], opts: pulumi.InvokeOutputOptions, reader?: ProviderReader): pulumi.Output<ProviderVerdict[]> {
  if (!required.length) return pulumi.output([]);
  const read = reader ?? getDefaultProviderReader();
  const verdicts = armToken(opts).apply(async (token) => {
    const out: ProviderVerdict[] = [];
    for (const p of required) out.push(providerVerdict(p, await read({ subscriptionId: p.subscriptionId, namespace: p.namespace }, token)));
    return out;
  });
  return pulumi.unsecret(verdicts);
}

/** Throws a {@link PreflightError} with every failed verdict's message; returns the checked prerequisites' labels. */
export function assertProviders(verdicts: readonly ProviderVerdict[]): string[] {
  const failed = verdicts.flatMap((v) => (v.ok ? [] : [v.message]));
  if (failed.length) throw new PreflightError(failed.join("\n\n"));
  return verdicts.flatMap((v) => (v.ok ? [v.label] : []));
}

/**
 * The provider preflight: resolves to the checked prerequisites' labels, or fails the deployment
 * naming the subscription, the state and the fix ({@link assertProviders}).
 */
export function checkProviders(required: readonly ProviderPrerequisite[], opts: pulumi.InvokeOutputOptions, reader?: ProviderReader): pulumi.Output<string[]> {
  return readProviderVerdicts(required, opts, reader).apply(assertProviders);
}
