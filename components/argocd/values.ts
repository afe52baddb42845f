/**
 * Helm values for the argo-cd chart (keys verified against the argo-cd 10.1.1 chart's values.yaml and
 * templates at its tag; test/agnostics/values.test.ts and test/management keep them): Entra ID SSO through workload identity (no client secret), the local
 * admin disabled, Dex off, RBAC deny-by-default with the configured groups as admins, the
 * K8TRE config-management plugin, workload identity for the application controller so it can
 * reach AKS environment clusters without stored credentials, and a projected, audience-bound
 * cluster token in the controller and server for clusters that trust the management cluster's
 * issuer (K3s; components/argocd/auth.ts). Pure: unit-tested without Pulumi.
 */
import { stringify } from "yaml";
import { clusterTokenVolume } from "./auth";
import { CMP_PLUGIN, KUSTOMIZE_BUILD_OPTIONS } from "./chart";
import { cmpPluginSpec, cmpSidecar, cmpVolumes } from "./plugin";

/** Azure: Entra ID SSO through workload identity; the controller reaches clusters as a managed identity. */
export interface ArgocdValuesInput {
  /** Public-facing (internal network) host name, e.g. argocd.mgmt.example.org. */
  readonly host: string;
  readonly tenantId: string;
  /** Client ID of the Entra application ArgoCD signs users in with. */
  readonly ssoClientId: string;
  /** Client ID of the user-assigned identity the controller (and server) use for remote clusters. */
  readonly controllerClientId: string;
  /** Entra group object IDs that get role:admin. */
  readonly adminGroupObjectIds: readonly string[];
}

/**
 * Any other platform: a standards OIDC provider from config (Keycloak, Okta, Google, …) with
 * PKCE — a public client, so there is no client secret to store — and the groups claim mapped to
 * admin. Cloud credentials of the controller come from outside the chart (EKS Pod Identity is
 * associated by service-account name), so no annotation is needed.
 */
export interface OidcArgocdValuesInput {
  readonly host: string;
  readonly oidc: {
    readonly issuer: string;
    readonly clientId: string;
    readonly adminGroups: readonly string[];
    readonly groupsClaim: string;
    readonly scopes: readonly string[];
  };
}

export const WORKLOAD_IDENTITY_USE = { "azure.workload.identity/use": "true" } as const;

/** The `oidc.config` text of argocd-cm: Entra ID v2 issuer, workload identity instead of a secret. */
export function oidcConfig(tenantId: string, clientId: string): string {
  return stringify({
    name: "Entra ID",
    issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
    clientID: clientId,
    azure: { useWorkloadIdentity: true },
    requestedIDTokenClaims: { groups: { essential: true } },
    requestedScopes: ["openid", "profile", "email"],
  });
}

/**
 * The RBAC policy: each admin group gets the built-in role:admin; everyone else matches no
 * policy line and `policy.default` is empty, so they see and can do nothing.
 */
export function rbacPolicyCsv(adminGroupObjectIds: readonly string[]): string {
  return adminGroupObjectIds.map((g) => `g, ${g}, role:admin`).join("\n") + "\n";
}

/** The `oidc.config` text for a generic provider: PKCE (no client secret), groups requested. https://argo-cd.readthedocs.io/en/stable/operator-manual/user-management/#existing-oidc-provider */
export function genericOidcConfig(o: OidcArgocdValuesInput["oidc"]): string {
  return stringify({
    name: "SSO",
    issuer: o.issuer,
    clientID: o.clientId,
    enablePKCEAuthentication: true,
    requestedScopes: [...o.scopes],
    requestedIDTokenClaims: { [o.groupsClaim]: { essential: true } },
  });
}

/** The hardening every platform shares: admin off, no anonymous users, no exec, default-deny RBAC, the K8TRE plugin. */
function commonValues(host: string, oidc: string, adminGroups: readonly string[], scopes: string): Record<string, unknown> {
  if (adminGroups.length === 0) throw new Error("argocdValues: at least one admin group is required");
  return {
    global: {
      domain: host,
      // Chart default in 10.x; explicit so a chart bump cannot silently drop the policies.
      networkPolicy: { create: true, defaultDenyIngress: false },
    },
    configs: {
      cm: {
        url: `https://${host}`,
        "admin.enabled": false,
        "oidc.config": oidc,
        "kustomize.buildOptions": KUSTOMIZE_BUILD_OPTIONS,
        "users.anonymous.enabled": false,
        "exec.enabled": false,
      },
      rbac: { "policy.default": "", "policy.csv": rbacPolicyCsv(adminGroups), scopes },
      params: { "server.insecure": true },
      cmp: { create: true, plugins: { [CMP_PLUGIN.name]: cmpPluginSpec() } },
    },
    dex: { enabled: false },
    repoServer: { extraContainers: [cmpSidecar()], volumes: cmpVolumes() },
  };
}

export function argocdValues(input: ArgocdValuesInput | OidcArgocdValuesInput): Record<string, unknown> {
  if ("oidc" in input) {
    return commonValues(input.host, genericOidcConfig(input.oidc), input.oidc.adminGroups, `[${input.oidc.groupsClaim}]`);
  }
  if (input.adminGroupObjectIds.length === 0) throw new Error("argocdValues: at least one admin group is required");
  // Chart values `controller.volumes`/`volumeMounts` and `server.volumes`/`volumeMounts` (argo-cd 10.1.1).
  const token = clusterTokenVolume();
  return {
    global: {
      domain: input.host,
      // Chart default in 10.x; explicit so a chart bump cannot silently drop the policies.
      networkPolicy: { create: true, defaultDenyIngress: false },
    },
    configs: {
      cm: {
        url: `https://${input.host}`,
        "admin.enabled": false,
        "oidc.config": oidcConfig(input.tenantId, input.ssoClientId),
        "kustomize.buildOptions": KUSTOMIZE_BUILD_OPTIONS,
        // Users sign in through Entra ID only; no local users, no anonymous access.
        "users.anonymous.enabled": false,
        "exec.enabled": false,
      },
      rbac: {
        "policy.default": "",
        "policy.csv": rbacPolicyCsv(input.adminGroupObjectIds),
        scopes: "[groups]",
      },
      params: {
        // TLS terminates at the management cluster's internal Cilium gateway (HTTPRoute on the
        // HTTPS listener); the gateway-to-server hop stays inside the cluster network.
        "server.insecure": true,
      },
      cmp: {
        create: true,
        plugins: { [CMP_PLUGIN.name]: cmpPluginSpec() },
      },
    },
    dex: { enabled: false },
    server: {
      podLabels: { ...WORKLOAD_IDENTITY_USE },
      serviceAccount: {
        // The SSO application's client ID: argocd-server proves itself to Entra ID with its
        // projected service-account token (federated credential on the app), no secret.
        annotations: { "azure.workload.identity/client-id": input.ssoClientId, "azure.workload.identity/tenant-id": input.tenantId },
      },
      volumes: [token.volume],
      volumeMounts: [token.mount],
    },
    controller: {
      podLabels: { ...WORKLOAD_IDENTITY_USE },
      serviceAccount: {
        annotations: { "azure.workload.identity/client-id": input.controllerClientId, "azure.workload.identity/tenant-id": input.tenantId },
      },
      volumes: [token.volume],
      volumeMounts: [token.mount],
    },
    repoServer: {
      extraContainers: [cmpSidecar()],
      volumes: cmpVolumes(),
    },
  };
}
