/** The `mgmt` stack: the management AKS cluster with ArgoCD. */
import * as resources from "@pulumi/azure-native/resources";
import type { StackContext } from "./context";
import type { StackOutputs } from "./index";

export function buildManagementStack(ctx: StackContext): StackOutputs {
  const network = ctx.stackRef("network");
  const rg = new resources.ResourceGroup(
    "cluster-rg",
    { resourceGroupName: ctx.naming.resourceGroup("aks"), location: ctx.config.location, tags: ctx.tags },
    { provider: ctx.azureProvider() },
  );
  return { resourceGroupName: rg.name, networkStack: network.name };
}
