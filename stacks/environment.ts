/** An Azure environment stack (dev/stg/prd): private AKS, Key Vault, storage, identities, agnostics. */
import * as resources from "@pulumi/azure-native/resources";
import type { StackContext } from "./context";
import type { StackOutputs } from "./index";

export function buildEnvironmentStack(ctx: StackContext): StackOutputs {
  const network = ctx.stackRef("network");
  const rg = new resources.ResourceGroup(
    "cluster-rg",
    { resourceGroupName: ctx.naming.resourceGroup("aks"), location: ctx.config.location, tags: ctx.tags },
    { provider: ctx.azureProvider() },
  );
  return { resourceGroupName: rg.name, networkStack: network.name };
}
