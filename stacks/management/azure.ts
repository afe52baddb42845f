/**
 * The `mgmt` stack: the management AKS cluster (the same Cluster component as the environment
 * stacks) and ArgoCD on it — Entra ID SSO through workload identity, the K8TRE config-management
 * plugin, the internal HTTPRoute, and the root app-of-apps for the operator's fork. Environment
 * stacks register their own clusters (components/argocd/registration.ts) from this stack's
 * outputs; nothing here lists environments.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_NAME, GATEWAY_NAMESPACE } from "../../components/agnostics/ingress";
import { ArgoCd } from "../../components/argocd/argocd";
import { ARGOCD_CLUSTER_TOKEN, clusterTokenUsers } from "../../components/argocd/auth";
import { ARGOCD_NAMESPACE } from "../../components/argocd/chart";
import { ArgoCdControllerIdentity, ArgoCdSso } from "../../components/argocd/identity";
import type { StackContext } from "../context";
import { environmentDomain } from "../domain";
import { buildClusterFoundation, foundationOutputs } from "../foundation/azure";
import type { StackOutputs } from "../context";

/**
 * The internal Cilium gateway the agnostics layer creates, and its HTTPS listener only: the
 * gateway also has a plain-HTTP listener, which must never carry ArgoCD sessions.
 */
export const INTERNAL_GATEWAY = { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, sectionName: "https" } as const;

export function buildManagementStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const argocdConfig = c.argocd!;
  const tenantId = c.azure!.tenantId;
  const provider = ctx.azureProvider();
  // The same foundation as every environment: private AKS, Gateway API CRDs, Cilium, the
  // cluster's vault, identities and zone, and the agnostics layer (internal gateway, DNS, TLS).
  const foundation = buildClusterFoundation(ctx);
  const { cluster, bootstrap } = foundation;

  const host = `${argocdConfig.hostname}.${environmentDomain(c)}`;
  const entra = new azuread.Provider("azuread", { tenantId });

  const sso = new ArgoCdSso(
    "argocd-sso",
    {
      displayName: `${c.prefix}-${c.environment}-argocd`,
      host,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      adminGroupObjectIds: argocdConfig.adminGroupObjectIds!,
    },
    { provider: entra },
  );

  const controllerIdentity = new ArgoCdControllerIdentity(
    "argocd-controller",
    {
      identityName: ctx.naming.resource("id", "argocd"),
      resourceGroupName: cluster.resourceGroupName,
      location: c.location!,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      tags: ctx.tags,
    },
    { provider },
  );

  const argocd = new ArgoCd(
    "argocd",
    {
      host,
      tenantId,
      ssoClientId: sso.clientId,
      controllerClientId: controllerIdentity.clientId,
      adminGroupObjectIds: argocdConfig.adminGroupObjectIds!,
      repo: { url: argocdConfig.repoUrl, revision: argocdConfig.revision, path: argocdConfig.appsPath },
      gateway: INTERNAL_GATEWAY,
      // ArgoCD's pods start only once Cilium runs (BYO CNI); its HTTPRoute needs the gateway.
      dependsOn: [...bootstrap.ready],
    },
    { provider: cluster.k8sProvider },
  );

  return {
    ...foundationOutputs(ctx, foundation),
    tenantId,
    argocdNamespace: pulumi.output(ARGOCD_NAMESPACE),
    argocdUrl: argocd.url,
    argocdSsoClientId: sso.clientId,
    argocdControllerIdentity: { clientId: controllerIdentity.clientId, principalId: controllerIdentity.principalId },
    // What a cluster that trusts this management cluster's service-account issuer needs (k3s):
    // the issuer (`oidcIssuerUrl`), the audience of ArgoCD's projected cluster token, and the user
    // names its controller and server become there.
    argocdClusterToken: { issuerUrl: cluster.oidcIssuerUrl, audience: ARGOCD_CLUSTER_TOKEN.audience, users: clusterTokenUsers() },
  };
}
