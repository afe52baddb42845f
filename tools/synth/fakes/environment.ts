/** Fakes for an environment's Azure resources: storage, Key Vault, private endpoints, DNS zones. */
import { armId, registerResourceFake, subscriptionOf } from "../fakes";

function providerSubscription(args: { provider?: string }): string | undefined {
  return /azure-([0-9a-f-]{36})/i.exec(String(args.provider ?? ""))?.[1];
}

registerResourceFake("azure-native:storage:StorageAccount", (args, ctx) => {
  const name = String(args.inputs.accountName ?? args.name);
  const hosts = (svc: string) => `https://${name}.${svc}.core.windows.net/`;
  return {
    id: armId(ctx, args, "Microsoft.Storage/storageAccounts", "accountName", providerSubscription(args)),
    state: { name, primaryEndpoints: { blob: hosts("blob"), file: hosts("file"), queue: hosts("queue"), table: hosts("table"), dfs: hosts("dfs"), web: hosts("web") } },
  };
});

registerResourceFake("azure-native:storage:BlobServiceProperties", (args, ctx) => ({
  id: `/subscriptions/${providerSubscription(args) ?? subscriptionOf(ctx)}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/${String(args.inputs.accountName)}/blobServices/default`,
  state: { name: "default" },
}));

registerResourceFake("azure-native:keyvault:Vault", (args, ctx) => {
  const name = String(args.inputs.vaultName ?? args.name);
  const props = (args.inputs.properties ?? {}) as Record<string, unknown>;
  return {
    id: armId(ctx, args, "Microsoft.KeyVault/vaults", "vaultName", providerSubscription(args)),
    state: { name, properties: { ...props, vaultUri: `https://${name}.vault.azure.net/` } },
  };
});

registerResourceFake("azure-native:network:PrivateEndpoint", (args, ctx) => ({
  id: armId(ctx, args, "Microsoft.Network/privateEndpoints", "privateEndpointName", providerSubscription(args)),
  state: { name: args.inputs.privateEndpointName },
}));

registerResourceFake("azure-native:network:PrivateDnsZoneGroup", (args, ctx) => ({
  id: `/subscriptions/${providerSubscription(args) ?? subscriptionOf(ctx)}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.Network/privateEndpoints/${String(args.inputs.privateEndpointName)}/privateDnsZoneGroups/${String(args.inputs.privateDnsZoneGroupName)}`,
  state: {},
}));

registerResourceFake("azure-native:privatedns:PrivateZone", (args, ctx) => ({
  id: armId(ctx, args, "Microsoft.Network/privateDnsZones", "privateZoneName", providerSubscription(args)),
  state: { name: args.inputs.privateZoneName },
}));

registerResourceFake("azure-native:privatedns:VirtualNetworkLink", (args, ctx) => ({
  id: `/subscriptions/${providerSubscription(args) ?? subscriptionOf(ctx)}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.Network/privateDnsZones/${String(args.inputs.privateZoneName)}/virtualNetworkLinks/${String(args.inputs.virtualNetworkLinkName)}`,
  state: { name: args.inputs.virtualNetworkLinkName },
}));

/** A diagnostic setting is an extension resource: its ID sits under the resource it logs. */
registerResourceFake("azure-native:monitor:DiagnosticSetting", (args) => ({
  id: `${String(args.inputs.resourceUri)}/providers/Microsoft.Insights/diagnosticSettings/${String(args.inputs.name ?? args.name)}`,
  state: { name: args.inputs.name ?? args.name },
}));
