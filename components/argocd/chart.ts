/**
 * The ArgoCD pins and the fixed names every other piece refers to (namespace, service accounts,
 * plugin name). One place, so the Helm values, the workload-identity federation subjects and the
 * cluster registration can never drift apart.
 */

/**
 * argo-helm `argo-cd` 10.1.1 (app v3.4.4). 9.7.1 ships the same ArgoCD v3.4.4; the difference is
 * that 10.x creates the chart's NetworkPolicies by default. We keep them (and set the flag
 * explicitly): at 10.1.1 they are ingress-only, argocd-server admits all ingress (so the Cilium
 * gateway reaches it), while redis and the repo-server admit only the ArgoCD components that use
 * them (the ApplicationSet controller included) — a reduction of in-cluster attack surface we want.
 */
export const ARGOCD_CHART = {
  repo: "https://argoproj.github.io/argo-helm",
  chart: "argo-cd",
  version: "10.1.1",
  appVersion: "v3.4.4",
} as const;

/** The image the CMP sidecar runs: the same ArgoCD build as the repo-server. */
export const ARGOCD_IMAGE = `quay.io/argoproj/argocd:${ARGOCD_CHART.appVersion}`;

export const ARGOCD_NAMESPACE = "argocd";

/** Service accounts the chart creates (default names) that take part in workload identity. */
export const ARGOCD_SERVICE_ACCOUNTS = {
  server: "argocd-server",
  controller: "argocd-application-controller",
} as const;

export function serviceAccountSubject(sa: keyof typeof ARGOCD_SERVICE_ACCOUNTS): string {
  return `system:serviceaccount:${ARGOCD_NAMESPACE}:${ARGOCD_SERVICE_ACCOUNTS[sa]}`;
}

/** Audience of Kubernetes projected tokens exchanged with Entra ID. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Well-known application ID of the AKS AAD server app (the audience of AKS user tokens). */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** The config-management plugin K8TRE's ApplicationSets name as `kustomize-with-envsubst-v1.0`. */
export const CMP_PLUGIN = { name: "kustomize-with-envsubst", version: "v1.0" } as const;

/** Kustomize options K8TRE needs: Helm-in-Kustomize and values files outside the kustomization root. */
export const KUSTOMIZE_BUILD_OPTIONS = "--enable-helm --load-restrictor LoadRestrictionsNone";
