/**
 * Kubernetes objects ArgoCD's release is bootstrapped with: the root app-of-apps that points the
 * management ArgoCD at the operator's fork of K8TRE, and the HTTPRoute that publishes the UI on
 * the management cluster's internal gateway. Pure builders; the component applies them.
 */
import { stringify } from "yaml";
import { ARGOCD_NAMESPACE } from "./chart";

export interface RootAppInput {
  /** HTTPS URL of the operator's fork. */
  readonly repoUrl: string;
  /** Branch, tag or commit. */
  readonly revision: string;
  /** Directory of the ApplicationSets in the fork (K8TRE: `appsets`). */
  readonly path: string;
  readonly name?: string;
}

export const ROOT_APP_NAME = "root-app-of-apps";

/**
 * The JSON patches K8TRE's root app applies to every ApplicationSet so that a fork deploys
 * itself: the git generator (first child of the matrix) and the generated Applications' source
 * both get the fork's URL and revision. K8TRE's convention: every ApplicationSet keeps a matrix
 * whose first child is the git generator.
 */
export function applicationSetPatch(repoUrl: string, revision: string): string {
  return stringify([
    { op: "replace", path: "/spec/generators/0/matrix/generators/0/git/repoURL", value: repoUrl },
    { op: "replace", path: "/spec/template/spec/source/repoURL", value: repoUrl },
    { op: "replace", path: "/spec/generators/0/matrix/generators/0/git/revision", value: revision },
    { op: "replace", path: "/spec/template/spec/source/targetRevision", value: revision },
  ]);
}

export function rootApplication(input: RootAppInput): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: input.name ?? ROOT_APP_NAME, namespace: ARGOCD_NAMESPACE },
    spec: {
      project: "default",
      source: {
        repoURL: input.repoUrl,
        targetRevision: input.revision,
        path: input.path,
        kustomize: {
          commonLabels: { "app.kubernetes.io/managed-by": "argocd" },
          commonAnnotations: { "app.kubernetes.io/part-of": "k8tre" },
          patches: [{ target: { kind: "ApplicationSet" }, patch: applicationSetPatch(input.repoUrl, input.revision) }],
        },
      },
      // The ApplicationSets live beside ArgoCD; the Applications they generate target the
      // registered environment clusters.
      destination: { server: "https://kubernetes.default.svc", namespace: ARGOCD_NAMESPACE },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true"],
      },
    },
  };
}

export interface RouteInput {
  readonly host: string;
  /** The Gateway to attach to and its namespace. */
  readonly gateway: { readonly name: string; readonly namespace: string; readonly sectionName?: string };
  /** Service and port of argocd-server (the chart's defaults: argocd-server:80). */
  readonly service?: { readonly name: string; readonly port: number };
}

/** HTTPRoute for the ArgoCD UI/API on the internal gateway (never a public listener). */
export function argocdHttpRoute(input: RouteInput): Record<string, unknown> {
  const svc = input.service ?? { name: "argocd-server", port: 80 };
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "argocd-server", namespace: ARGOCD_NAMESPACE },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: input.gateway.name,
          namespace: input.gateway.namespace,
          ...(input.gateway.sectionName ? { sectionName: input.gateway.sectionName } : {}),
        },
      ],
      hostnames: [input.host],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: svc.name, port: svc.port }] }],
    },
  };
}
