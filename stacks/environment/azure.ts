/**
 * An Azure environment stack (dev/stg/prd): the cluster foundation (stacks/foundation/azure.ts),
 * then the cluster's registration in the management ArgoCD.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "../context";
import { buildClusterFoundation, foundationOutputs } from "../foundation/azure";
import type { StackOutputs } from "../context";
import { registerWithManagement } from "../registration";

export function buildEnvironmentStack(ctx: StackContext): StackOutputs {
  const foundation = buildClusterFoundation(ctx);
  const { cluster, bootstrap } = foundation;
  // Register in the management ArgoCD once Cilium runs (ArgoCD syncs need a working CNI).
  registerWithManagement(
    ctx,
    {
      clusterName: ctx.naming.aksCluster(),
      server: pulumi.interpolate`https://${cluster.privateFqdn}:443`,
      kubeconfig: cluster.kubeconfig,
      provider: cluster.k8sProvider,
    },
    { dependsOn: bootstrap.ready },
  );
  return foundationOutputs(ctx, foundation);
}
