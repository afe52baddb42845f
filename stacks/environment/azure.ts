/**
 * An Azure environment stack (dev/stg/prd): the cluster foundation (stacks/foundation/azure.ts),
 * then the cluster's registration in the management ArgoCD with Entra workload identity.
 */
import * as pulumi from "@pulumi/pulumi";
import { entraWorkloadIdentityAuth } from "../../components/argocd/auth";
import { kubeconfigCaData } from "../../components/argocd/registration";
import type { StackContext } from "../context";
import { buildClusterFoundation, foundationOutputs } from "../foundation/azure";
import type { StackOutputs } from "../context";
import { type ClusterAuthStrategy, registerWithManagement } from "../registration";

/**
 * AKS: `argocd-k8s-auth azure` with the management ArgoCD controller identity (the mgmt stack's
 * `tenantId` and `argocdControllerIdentity` outputs); the cluster binds that identity's object ID.
 */
export const azureClusterAuth: ClusterAuthStrategy = (mgmt) =>
  pulumi
    .all([mgmt.requireOutput("tenantId"), mgmt.requireOutput("argocdControllerIdentity")])
    .apply(([tenantId, identity]) => {
      const { clientId, principalId } = identity as { clientId: string; principalId: string };
      return entraWorkloadIdentityAuth({ tenantId: tenantId as string, clientId, principalId });
    });

export function buildEnvironmentStack(ctx: StackContext): StackOutputs {
  const foundation = buildClusterFoundation(ctx);
  const { cluster, bootstrap } = foundation;
  // Register in the management ArgoCD once Cilium runs (ArgoCD syncs need a working CNI).
  registerWithManagement(
    ctx,
    {
      clusterName: ctx.naming.aksCluster(),
      server: pulumi.interpolate`https://${cluster.privateFqdn}:443`,
      // The CA is public; unsecret it so the plan and policy pack can read the cluster Secret's config.
      caData: pulumi.unsecret(pulumi.output(cluster.kubeconfig).apply(kubeconfigCaData)),
      provider: cluster.k8sProvider,
    },
    azureClusterAuth,
    { dependsOn: bootstrap.ready },
  );
  return foundationOutputs(ctx, foundation);
}
