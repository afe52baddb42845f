/** The `network` stack: shared network services (hub/spokes, private DNS, public gateway). */
import * as resources from "@pulumi/azure-native/resources";
import type { StackContext } from "./context";
import type { StackOutputs } from "./index";

export function buildNetworkStack(ctx: StackContext): StackOutputs {
  const provider = ctx.connectivityProvider();
  const rg = new resources.ResourceGroup(
    "network-rg",
    { resourceGroupName: ctx.naming.resourceGroup("network"), location: ctx.config.location, tags: ctx.tags },
    { provider },
  );
  return { networkResourceGroupName: rg.name };
}
