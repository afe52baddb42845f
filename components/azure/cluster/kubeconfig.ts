/**
 * Turns the user kubeconfig AKS returns for an Entra ID cluster (exec plugin `kubelogin`, login
 * mode `devicecode`, which would prompt inside `pulumi up`) into a non-interactive one. Pure.
 *
 * Where kubelogin gets its credentials in each mode (kubelogin's own environment variables):
 * - `azurecli`: the Azure CLI session (`az login`, e.g. azure/login with OIDC in CI).
 * - `workloadidentity`: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST.
 * - `spn`: AAD_SERVICE_PRINCIPAL_CLIENT_ID and AAD_SERVICE_PRINCIPAL_CLIENT_SECRET (or AZURE_CLIENT_ID/_SECRET).
 * - `msi`: the host's managed identity (`--client-id` for a user-assigned one).
 * No credential is ever written into the kubeconfig.
 */
import { parse, stringify } from "yaml";
import { AKS_AAD_SERVER_APP_ID } from "./spec";

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi";

export interface KubeloginOptions {
  readonly mode: KubeloginMode;
  /** Entra tenant; default: the one in the AKS kubeconfig. */
  readonly tenantId?: string;
  /** Client ID of a user-assigned managed identity (mode `msi` only). */
  readonly msiClientId?: string;
}

interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: unknown;
  [k: string]: unknown;
}

/** Reads `--flag value` from an exec argument list. */
function flag(args: readonly string[] | undefined, name: string): string | undefined {
  if (!args) return undefined;
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

export function kubeloginArgs(opts: KubeloginOptions, found: { tenantId?: string; environment?: string } = {}): string[] {
  const args = ["get-token", "--login", opts.mode, "--server-id", AKS_AAD_SERVER_APP_ID];
  const environment = found.environment ?? "AzurePublicCloud";
  args.push("--environment", environment);
  const tenant = opts.tenantId ?? found.tenantId;
  if (tenant && opts.mode !== "azurecli") args.push("--tenant-id", tenant);
  if (opts.mode === "msi" && opts.msiClientId) args.push("--client-id", opts.msiClientId);
  return args;
}

/**
 * Rewrites every exec user of `kubeconfig` to `kubelogin get-token --login <mode>`. Throws when
 * the kubeconfig carries static credentials (admin certificates or tokens): those must never
 * reach state, and with `disableLocalAccounts` AKS does not issue them anyway.
 */
export function toKubeloginKubeconfig(kubeconfig: string, opts: KubeloginOptions): string {
  const doc = parse(kubeconfig) as { users?: Array<{ name: string; user: Record<string, unknown> }> } | null;
  if (!doc || !Array.isArray(doc.users) || doc.users.length === 0) {
    throw new Error("AKS kubeconfig has no users: expected the Entra ID (exec) user kubeconfig from listManagedClusterUserCredentials");
  }
  for (const u of doc.users) {
    const user = u.user ?? {};
    for (const secretKey of ["token", "client-key-data", "client-certificate-data", "password"]) {
      if (secretKey in user) {
        throw new Error(`AKS kubeconfig user ${u.name} carries static credentials (${secretKey}); expected an Entra ID exec user (local accounts must be disabled)`);
      }
    }
    const exec = user.exec as ExecConfig | undefined;
    if (!exec) throw new Error(`AKS kubeconfig user ${u.name} has no exec plugin: expected an Entra ID (kubelogin) user`);
    u.user = {
      exec: {
        apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1beta1",
        command: "kubelogin",
        args: kubeloginArgs(opts, { tenantId: flag(exec.args, "--tenant-id"), environment: flag(exec.args, "--environment") }),
        env: null,
        provideClusterInfo: false,
        interactiveMode: "Never",
        installHint: "kubelogin is required on PATH: https://azure.github.io/kubelogin/install.html",
      },
    };
  }
  return stringify(doc);
}

/** The API server host of the kubeconfig's first cluster (for diagnostics). */
export function kubeconfigServer(kubeconfig: string): string | undefined {
  const doc = parse(kubeconfig) as { clusters?: Array<{ cluster?: { server?: string } }> } | null;
  return doc?.clusters?.[0]?.cluster?.server;
}
