/**
 * Resource provider registration, read through Azure Resource Manager's "Providers - Get"
 * operation: `GET https://management.azure.com/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}?api-version=2024-03-01`,
 * answering a `Provider` whose `registrationState` is a string such as `Registered`,
 * `NotRegistered`, `Registering` or `Unregistering`
 * (operationId `Providers_Get`, https://github.com/Azure/azure-rest-api-specs/blob/main/specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json;
 * https://learn.microsoft.com/rest/api/resources/providers/get). azure-native has no function
 * that reads it, so the program calls ARM itself, with the bearer token of the azure-native
 * provider of that subscription (components/azure/cluster/prerequisites.ts).
 *
 * Free of the Pulumi SDK: the reader, the interpretation of ARM's answer and the messages are
 * plain functions, so the synth's rules can share the constants and tests can call them directly.
 * The HTTP call is injectable ({@link ProviderReader}); the offline synth installs a reader
 * answered by its model of the fake subscriptions ({@link setDefaultProviderReader}).
 *
 * The token is an argument of the reader only: it is sent in the `Authorization` header and
 * never appears in a URL, a result, a record or a message.
 */

/** ARM's public-cloud endpoint (the stacks deploy to the public cloud: config has no other). */
export const ARM_ENDPOINT = "https://management.azure.com";

/** A stable API version of Microsoft.Resources that documents `Providers_Get`. */
export const PROVIDERS_API_VERSION = "2024-03-01";

/**
 * The token under which the check is recorded in a synthesized plan (it is not a Pulumi invoke:
 * the offline engine records it with the program's invokes so the create-time rule
 * `aks-private-dns-zone-provider-registration` can see that it ran, and in which subscription).
 */
export const PROVIDERS_GET = "arm:Microsoft.Resources:Providers_Get";

/** Why registration is a one-time operator step (docs/environment.md and docs/network.md, "Before the first deployment"). */
export const REGISTRATION_DOCS = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types";

export interface ProviderReadRequest {
  readonly subscriptionId: string;
  /** Resource provider namespace, e.g. `Microsoft.ContainerService`. */
  readonly namespace: string;
}

/** What a read found: a registration state, an HTTP error ARM answered, or no answer at all. */
export type ProviderReadResult =
  | { readonly kind: "state"; readonly registrationState: string }
  | { readonly kind: "http"; readonly status: number; readonly code?: string; readonly message?: string }
  | { readonly kind: "network"; readonly message: string };

/**
 * Reads one provider's registration in one subscription. `token` is an ARM bearer token; a
 * reader must not put it anywhere but the request's `Authorization` header.
 */
export type ProviderReader = (req: ProviderReadRequest, token: string) => Promise<ProviderReadResult>;

/** ARM's answer as the interpretation needs it (status and parsed JSON body, if any). */
export interface ArmAnswer {
  readonly status: number;
  readonly body: unknown;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAMESPACE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/;

/** The request URL (no token: ARM takes it in the `Authorization` header). */
export function providersGetUrl(req: ProviderReadRequest): string {
  if (!GUID.test(req.subscriptionId)) throw new Error(`not a subscription ID: ${JSON.stringify(req.subscriptionId)}`);
  if (!NAMESPACE.test(req.namespace)) throw new Error(`not a resource provider namespace: ${JSON.stringify(req.namespace)}`);
  return `${ARM_ENDPOINT}/subscriptions/${req.subscriptionId}/providers/${req.namespace}?api-version=${PROVIDERS_API_VERSION}`;
}

const clip = (s: string, n = 400): string => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

/** A `Provider` body → its state; a `CloudError` body (`{ error: { code, message } }`) → an HTTP result. */
export function interpretProvidersGet(answer: ArmAnswer): ProviderReadResult {
  const body = (answer.body && typeof answer.body === "object" ? answer.body : {}) as Record<string, any>;
  if (answer.status >= 200 && answer.status < 300) {
    const state = body.registrationState;
    if (typeof state === "string" && state) return { kind: "state", registrationState: state };
    return { kind: "http", status: answer.status, message: "the answer has no registrationState" };
  }
  const err = body.error && typeof body.error === "object" ? (body.error as Record<string, unknown>) : {};
  return {
    kind: "http",
    status: answer.status,
    ...(typeof err.code === "string" ? { code: err.code } : {}),
    ...(typeof err.message === "string" ? { message: clip(err.message) } : {}),
  };
}

/** A fetch failure as one line: Node's `fetch failed` hides the reason in `cause`. */
export function describeNetworkError(e: unknown): string {
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return "no answer within 30 s";
  const cause = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  const parts = [e instanceof Error ? e.message : String(e)];
  if (cause instanceof Error) parts.push((cause as Error & { code?: string }).code ?? cause.message);
  else if (cause !== undefined) parts.push(String(cause));
  return clip(parts.filter(Boolean).join(": "), 200);
}

/** The real reader: one HTTPS GET to ARM, no redirects, 30 s timeout; never throws. */
export const armProviderReader: ProviderReader = async (req, token) => {
  const url = providersGetUrl(req);
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" }, redirect: "error", signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    return { kind: "network", message: describeNetworkError(e) };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return interpretProvidersGet({ status: res.status, body });
};

let defaultReader: ProviderReader = armProviderReader;

/** What the preflight uses when the caller passes no reader: {@link armProviderReader}. */
export function getDefaultProviderReader(): ProviderReader {
  return defaultReader;
}

/**
 * Replaces the default reader for the current process (the offline synth, which has no network
 * and no Azure login, installs its fake subscriptions) and returns the previous one.
 */
export function setDefaultProviderReader(reader: ProviderReader): ProviderReader {
  const previous = defaultReader;
  defaultReader = reader;
  return previous;
}

/** A provider the deployment needs registered in a subscription, and why. */
export interface ProviderPrerequisite {
  readonly subscriptionId: string;
  readonly namespace: string;
  /** Whose prerequisite it is and where the operator reads about it, completing "missing a prerequisite of ...". */
  readonly of: string;
  /** What needs it, completing "needed for ...". */
  readonly reason: string;
  /** The Microsoft document that states the need. */
  readonly source: string;
}

export function providerRegisterCommand(p: Pick<ProviderPrerequisite, "subscriptionId" | "namespace">): string {
  return `az provider register --subscription ${p.subscriptionId} --namespace ${p.namespace}`;
}

function providerShowCommand(p: Pick<ProviderPrerequisite, "subscriptionId" | "namespace">): string {
  return `az provider show --subscription ${p.subscriptionId} --namespace ${p.namespace} --query registrationState`;
}

const HEAD = (p: ProviderPrerequisite) => `subscription ${p.subscriptionId} is missing a prerequisite of ${p.of}:`;

const WHY_BY_HAND =
  "The program never registers resource providers itself: registration is subscription-wide (every deployment in that subscription gets it) and is not undone when a stack is destroyed, so it is the subscription owner's decision, made once " +
  `(${REGISTRATION_DOCS}).`;

/** The error of a read that found the provider in a state other than `Registered`. */
export function providerNotRegisteredMessage(p: ProviderPrerequisite, state: string): string {
  const wait = `Registration takes several minutes; wait until \`${providerShowCommand(p)}\` says Registered, then rerun.`;
  const fix =
    state === "Registering"
      ? "Registration has started and is not finished yet: nothing to run, wait for it."
      : state === "Unregistering"
        ? `It is being unregistered: wait until it says NotRegistered, then run ${providerRegisterCommand(p)}.`
        : `Fix: ${providerRegisterCommand(p)} (needs ${p.namespace}/register/action on that subscription, which Contributor and Owner include).`;
  return [HEAD(p), `  - resource provider ${p.namespace} is ${state}; needed for ${p.reason} (${p.source}). ${fix}`, wait, WHY_BY_HAND].join("\n");
}

/** The error of a read that ARM refused or failed; names what the deployer needs. */
export function providerReadFailedMessage(p: ProviderPrerequisite, r: Exclude<ProviderReadResult, { kind: "state" }>): string {
  const what = `the preflight could not read the registration of resource provider ${p.namespace} in subscription ${p.subscriptionId}, needed for ${p.reason} (${p.source})`;
  const arm = r.kind === "http" ? `HTTP ${r.status}${r.code ? ` ${r.code}` : ""}${r.message ? `: ${r.message}` : ""}` : "";
  let cause: string;
  if (r.kind === "network") {
    cause = `Azure Resource Manager (${ARM_ENDPOINT}) did not answer (${r.message}). The deployer needs HTTPS access to ${new URL(ARM_ENDPOINT).host}; rerun when it is reachable.`;
  } else if (r.status === 403) {
    cause =
      `ARM refused the read (${arm}). The deployer's identity needs Microsoft.Resources/subscriptions/providers/read at the scope of subscription ${p.subscriptionId} ` +
      `(a role granted on a resource group does not reach it): assign it Reader on the subscription (az role assignment create --assignee <deployer> --role Reader --scope /subscriptions/${p.subscriptionId}) or a custom role with that action, then rerun.`;
  } else if (r.status === 401) {
    cause = `ARM rejected the azure-native provider's credentials (${arm}): log in again (az login locally, the OIDC federated credential in CI), then rerun.`;
  } else {
    cause = `ARM answered ${arm}. Check with \`${providerShowCommand(p)}\`, then rerun.`;
  }
  return [`${what}: ${cause}`, `If it is not registered: ${providerRegisterCommand(p)}.`].join("\n");
}

/** The pure verdict: the prerequisite's label when Registered, otherwise the error message to fail with. */
export function providerVerdict(p: ProviderPrerequisite, r: ProviderReadResult): { ok: true; label: string } | { ok: false; message: string } {
  if (r.kind === "state") {
    return r.registrationState === "Registered" ? { ok: true, label: `provider ${p.namespace} in ${p.subscriptionId}` } : { ok: false, message: providerNotRegisteredMessage(p, r.registrationState) };
  }
  return { ok: false, message: providerReadFailedMessage(p, r) };
}
