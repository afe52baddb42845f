/**
 * Fakes for the management ArgoCD's Entra ID objects (azuread provider): application,
 * service principal, group assignments and the federated credential. IDs follow Microsoft
 * Graph's shapes (`/applications/<objectId>`, `/servicePrincipals/<objectId>`).
 */
import { fakeGuid, registerResourceFake } from "../fakes";

registerResourceFake("azuread:index/application:Application", (args, ctx) => {
  const objectId = fakeGuid(ctx.stack, "app-object", args.name);
  return {
    id: `/applications/${objectId}`,
    state: { objectId, clientId: fakeGuid(ctx.stack, "app-client", args.name), publisherDomain: "example.onmicrosoft.com" },
  };
});

registerResourceFake("azuread:index/servicePrincipal:ServicePrincipal", (args, ctx) => {
  const objectId = fakeGuid(ctx.stack, "sp-object", args.name);
  return { id: `/servicePrincipals/${objectId}`, state: { objectId, type: "Application" } };
});

registerResourceFake("azuread:index/appRoleAssignment:AppRoleAssignment", (args, ctx) => ({
  id: `/servicePrincipals/${String(args.inputs.resourceObjectId)}/appRoleAssignedTo/${fakeGuid(ctx.stack, "assignment", args.name)}`,
  state: { principalType: "Group", principalDisplayName: "ArgoCD admins" },
}));

registerResourceFake("azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential", (args, ctx) => {
  const credentialId = fakeGuid(ctx.stack, "fic", args.name);
  const app = String(args.inputs.applicationId ?? "").replace(/^\/applications\//, "");
  return { id: `${app}/federatedIdentityCredential/${credentialId}`, state: { credentialId } };
});
