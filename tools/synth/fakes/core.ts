/** Fakes shared by every stack: Azure client config, resource groups, providers, random. */
import { fakeGuid, registerCallFake, registerResourceFake, subscriptionOf, tenantOf } from "../fakes";

registerCallFake("azure-native:authorization:getClientConfig", (_args, ctx) => ({
  clientId: fakeGuid(ctx.stack, "deployer-client"),
  objectId: fakeGuid(ctx.stack, "deployer-object"),
  subscriptionId: subscriptionOf(ctx),
  tenantId: tenantOf(ctx),
}));

registerCallFake("azuread:index/getClientConfig:getClientConfig", (_args, ctx) => ({
  clientId: fakeGuid(ctx.stack, "deployer-client"),
  objectId: fakeGuid(ctx.stack, "deployer-object"),
  tenantId: tenantOf(ctx),
}));

registerResourceFake("azure-native:resources:ResourceGroup", (args, ctx) => {
  const name = String(args.inputs.resourceGroupName ?? args.name);
  const sub = /subscriptions\/([^/]+)/.exec(String(args.provider ?? ""))?.[1] ?? subscriptionOf(ctx);
  return { id: `/subscriptions/${sub}/resourceGroups/${name}`, state: { name } };
});

// Providers are not cloud resources: their ID is their name.
registerResourceFake("pulumi:providers:*", (args) => ({ id: `${args.name}-provider-id`, state: {} }));

registerResourceFake("random:index/randomUuid:RandomUuid", (args, ctx) => ({ state: { result: fakeGuid(ctx.stack, args.name) } }));
registerResourceFake("random:index/randomString:RandomString", (args, ctx) => ({
  state: { result: fakeGuid(ctx.stack, args.name).replace(/-/g, "").slice(0, Number(args.inputs.length ?? 8)) },
}));
registerResourceFake("random:index/randomPassword:RandomPassword", () => ({ state: { result: "offline-synth-password" } }));
