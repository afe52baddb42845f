/**
 * The `mgmt` stack: the management AKS cluster (the same Cluster component as the environment
 * stacks) and ArgoCD on it — Entra ID SSO through workload identity, the K8TRE config-management
 * plugin, the internal HTTPRoute, and the root app-of-apps for the operator's fork. Environment
 * stacks register their own clusters (components/argocd/registration.ts) from this stack's
 * outputs; nothing here lists environments.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_NAME, GATEWAY_NAMESPACE } from "../components/agnostics/ingress";
import { ArgoCd } from "../components/argocd/argocd";
import { ARGOCD_NAMESPACE } from "../components/argocd/chart";
import { ArgoCdControllerIdentity, ArgoCdSso } from "../components/argocd/identity";
import { Cluster, clusterNames } from "../components/azure/cluster";
import type { StackContext } from "./context";
import type { StackOutputs } from "./index";

/**
 * The internal Cilium gateway the agnostics layer creates, and its HTTPS listener only: the
 * gateway also has a plain-HTTP listener, which must never carry ArgoCD sessions.
 */
export const INTERNAL_GATEWAY = { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, sectionName: "https" } as const;

/** `<environment>.<domain>`, or the apex when k8tre:dns.apex is set. */
export function environmentDomain(c: { environment: string; domain: string; dns?: { apex?: boolean } }): string {
  return c.dns?.apex ? c.domain : `${c.environment}.${c.domain}`;
}

/** The network stack's outputs this stack needs (keyed by this stack's k8tre:environment). */
export function networkInputs(network: pulumi.StackReference, environment: string): { nodeSubnetId: pulumi.Output<string>; aksPrivateDnsZoneId: pulumi.Output<string> } {
  const spokes = network.requireOutput("spokes") as pulumi.Output<Record<string, { nodeSubnetId: string }>>;
  const zones = network.requireOutput("privateDnsZoneIds") as pulumi.Output<Record<string, string>>;
  return {
    nodeSubnetId: spokes.apply((s) => {
      const spoke = s?.[environment];
      if (!spoke?.nodeSubnetId) throw new Error(`the network stack has no spoke for environment "${environment}" (k8tre:network.spokes.${environment})`);
      return spoke.nodeSubnetId;
    }),
    aksPrivateDnsZoneId: zones.apply((z) => {
      if (!z?.aks) throw new Error("the network stack exports no privateDnsZoneIds.aks (privatelink.<region>.azmk8s.io)");
      return z.aks;
    }),
  };
}

export function buildManagementStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const argocdConfig = c.argocd!;
  const tenantId = c.azure!.tenantId;
  const network = ctx.stackRef("network");
  const net = networkInputs(network, c.environment);
  const provider = ctx.azureProvider();

  const cluster = new Cluster(
    "cluster",
    {
      config: c.cluster!,
      names: clusterNames(ctx.naming),
      location: c.location!,
      tenantId,
      tags: ctx.tags,
      nodeSubnetId: net.nodeSubnetId,
      privateDnsZoneId: net.aksPrivateDnsZoneId,
      dnsProvider: ctx.connectivityProvider(),
      protect: c.protected,
    },
    { provider },
  );

  const host = `${argocdConfig.hostname}.${environmentDomain(c)}`;
  const entra = new azuread.Provider("azuread", { tenantId });

  const sso = new ArgoCdSso(
    "argocd-sso",
    {
      displayName: `${c.prefix}-${c.environment}-argocd`,
      host,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      adminGroupObjectIds: argocdConfig.adminGroupObjectIds,
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
      adminGroupObjectIds: argocdConfig.adminGroupObjectIds,
      repo: { url: argocdConfig.repoUrl, revision: argocdConfig.revision, path: argocdConfig.appsPath },
      gateway: INTERNAL_GATEWAY,
      dependsOn: [cluster.resource],
    },
    { provider: cluster.k8sProvider },
  );

  return {
    tenantId,
    clusterName: cluster.clusterName,
    resourceGroupName: cluster.resourceGroupName,
    privateFqdn: cluster.privateFqdn,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    kubeconfig: cluster.kubeconfig,
    argocdNamespace: pulumi.output(ARGOCD_NAMESPACE),
    argocdUrl: argocd.url,
    argocdSsoClientId: sso.clientId,
    argocdControllerIdentity: { clientId: controllerIdentity.clientId, principalId: controllerIdentity.principalId },
  };
}
