/**
 * `k8tre:argocd:ArgoCd` — ArgoCD on the management cluster: the `argocd` namespace, the pinned
 * argo-cd Helm release (values from {@link argocdValues}), the HTTPRoute that publishes it on the
 * cluster's internal Cilium gateway, and the root app-of-apps pointing at the operator's fork of
 * K8TRE. On Azure the Entra ID identities it uses come in as client IDs (see ./identity.ts); on
 * other platforms SSO is a generic OIDC provider from config (`oidc`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ARGOCD_CHART, ARGOCD_NAMESPACE } from "./chart";
import { argocdHttpRoute, rootApplication } from "./manifests";
import { argocdValues, type OidcArgocdValuesInput } from "./values";

export interface ArgoCdArgs {
  /** ArgoCD's host name, e.g. argocd.mgmt.example.org. */
  readonly host: string;
  /** Azure: Entra ID tenant, SSO application, controller identity and admin groups. */
  readonly tenantId?: string;
  readonly ssoClientId?: pulumi.Input<string>;
  readonly controllerClientId?: pulumi.Input<string>;
  readonly adminGroupObjectIds?: readonly string[];
  /** Other platforms: the OIDC provider (PKCE) and its admin groups. */
  readonly oidc?: OidcArgocdValuesInput["oidc"];
  readonly repo: { readonly url: string; readonly revision: string; readonly path: string };
  /** The internal gateway the HTTPRoute attaches to. */
  readonly gateway: { readonly name: string; readonly namespace: string; readonly sectionName?: string };
  /** Resources that must exist before the release (Cilium, Gateway API CRDs, the gateway). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class ArgoCd extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  readonly url: string;
  readonly release: k8s.helm.v3.Release;

  /** `opts.provider`: the management cluster's Kubernetes provider. */
  constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:argocd:ArgoCd", name, {}, opts);
    const child = { parent: this };

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: ARGOCD_NAMESPACE,
          labels: {
            "app.kubernetes.io/part-of": "k8tre",
            // ArgoCD's components run non-root with read-only file systems.
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
          },
        },
      },
      // A namespace is an API object: it needs no CNI, so it does not wait for `args.dependsOn`.
      child,
    );

    const oidc = args.oidc;
    const values = oidc
      ? pulumi.output(argocdValues({ host: args.host, oidc }))
      : pulumi
          .all([args.ssoClientId ?? "", args.controllerClientId ?? ""])
          .apply(([ssoClientId, controllerClientId]) =>
            argocdValues({ host: args.host, tenantId: args.tenantId ?? "", ssoClientId, controllerClientId, adminGroupObjectIds: args.adminGroupObjectIds ?? [] }),
          );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "argocd",
        chart: ARGOCD_CHART.chart,
        version: ARGOCD_CHART.version,
        repositoryOpts: { repo: ARGOCD_CHART.repo },
        namespace: ns.metadata.name,
        createNamespace: false,
        // No wait for readiness: nothing here needs ArgoCD running (the root Application needs only
        // the CRDs the release applies; the provider retries a kind it does not know yet), and the
        // environments register once this stack completes. Schedule: docs/automation.md.
        skipAwait: true,
        cleanupOnFail: true,
        timeout: 900,
        values,
      },
      { ...child, dependsOn: [ns, ...(args.dependsOn ?? [])] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-route`,
      argocdHttpRoute({ host: args.host, gateway: args.gateway }) as k8s.apiextensions.CustomResourceArgs,
      { ...child, dependsOn: [this.release, ...(args.dependsOn ?? [])] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-root-app`,
      rootApplication({ repoUrl: args.repo.url, revision: args.repo.revision, path: args.repo.path }) as k8s.apiextensions.CustomResourceArgs,
      // The Application CRD comes with the release.
      { ...child, dependsOn: [this.release] },
    );

    this.namespace = ns.metadata.name;
    this.url = `https://${args.host}`;
    this.registerOutputs({ namespace: this.namespace, url: this.url });
  }
}
