/**
 * The two Entra ID identities of the management ArgoCD, neither with a secret:
 *
 * - {@link ArgoCdSso}: the `azuread` application users sign in to ArgoCD with. argocd-server
 *   authenticates to Entra ID as this application with its projected service-account token
 *   (federated identity credential, workload identity) instead of a client secret. Group claims
 *   carry security groups only; assignment is required, and only the admin groups are assigned.
 * - {@link ArgoCdControllerIdentity}: a user-assigned managed identity the application
 *   controller (and argocd-server, for live views, logs and resource actions) use to get tokens for
 *   environment clusters' API servers. Environment stacks bind its object ID on their clusters.
 */
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, serviceAccountSubject } from "./chart";

/** Microsoft Graph and its delegated `User.Read` permission (sign-in and basic profile). */
export const MS_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const MS_GRAPH_USER_READ_SCOPE_ID = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
/** The default app role: "assigned to the application" without a specific role. */
export const DEFAULT_APP_ROLE_ID = "00000000-0000-0000-0000-000000000000";

/** The application registration's settings (pure, so tests can read them without Pulumi). */
export function ssoApplicationSettings(host: string): {
  signInAudience: string;
  groupMembershipClaims: string[];
  optionalClaims: { idTokens: { name: string; essential: boolean }[] };
  web: { redirectUris: string[]; implicitGrant: { idTokenIssuanceEnabled: boolean; accessTokenIssuanceEnabled: boolean } };
  api: { requestedAccessTokenVersion: number };
  requiredResourceAccesses: { resourceAppId: string; resourceAccesses: { id: string; type: string }[] }[];
} {
  return {
    signInAudience: "AzureADMyOrg",
    // Security groups only: "All" would add directory roles and distribution lists and overflow
    // the token sooner (over 200 groups the claim is replaced by an overage pointer).
    groupMembershipClaims: ["SecurityGroup"],
    optionalClaims: { idTokens: [{ name: "groups", essential: true }] },
    web: {
      redirectUris: [`https://${host}/auth/callback`],
      implicitGrant: { idTokenIssuanceEnabled: false, accessTokenIssuanceEnabled: false },
    },
    api: { requestedAccessTokenVersion: 2 },
    requiredResourceAccesses: [{ resourceAppId: MS_GRAPH_APP_ID, resourceAccesses: [{ id: MS_GRAPH_USER_READ_SCOPE_ID, type: "Scope" }] }],
  };
}

export interface ArgoCdSsoArgs {
  readonly displayName: string;
  /** ArgoCD's host name (redirect URIs). */
  readonly host: string;
  /** The management cluster's OIDC issuer (federated credential issuer). */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** Entra group object IDs assigned to the application (everyone else cannot sign in). */
  readonly adminGroupObjectIds: readonly string[];
}

/** Entra application + service principal + group assignments + federated credential. */
export class ArgoCdSso extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly applicationObjectId: pulumi.Output<string>;
  readonly servicePrincipalObjectId: pulumi.Output<string>;

  /** `opts.provider`: the explicit azuread provider of the tenant. */
  constructor(name: string, args: ArgoCdSsoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:argocd:EntraSso", name, {}, opts);
    const child = { parent: this };
    const deployer = azuread.getClientConfigOutput({ parent: this });
    const s = ssoApplicationSettings(args.host);
    const app = new azuread.Application(
      `${name}-app`,
      {
        displayName: args.displayName,
        ...s,
        owners: [deployer.objectId],
        preventDuplicateNames: true,
        notes: "ArgoCD single sign-on (K8TRE management cluster). Workload identity: no client secret.",
      },
      child,
    );
    const sp = new azuread.ServicePrincipal(
      `${name}-sp`,
      { clientId: app.clientId, appRoleAssignmentRequired: true, owners: [deployer.objectId] },
      child,
    );
    args.adminGroupObjectIds.forEach((groupId, i) => {
      new azuread.AppRoleAssignment(
        `${name}-assign-${i}`,
        { appRoleId: DEFAULT_APP_ROLE_ID, principalObjectId: groupId, resourceObjectId: sp.objectId },
        child,
      );
    });
    new azuread.ApplicationFederatedIdentityCredential(
      `${name}-fic-server`,
      {
        applicationId: app.id,
        displayName: "argocd-server",
        description: "argocd-server signs users in with its projected service-account token",
        audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
        issuer: args.oidcIssuerUrl,
        subject: serviceAccountSubject("server"),
      },
      child,
    );
    this.clientId = app.clientId;
    this.applicationObjectId = app.objectId;
    this.servicePrincipalObjectId = sp.objectId;
    this.registerOutputs({ clientId: this.clientId, servicePrincipalObjectId: this.servicePrincipalObjectId });
  }
}

export interface ArgoCdControllerIdentityArgs {
  readonly identityName: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly oidcIssuerUrl: pulumi.Input<string>;
  readonly tags?: Record<string, string>;
}

/** Which ArgoCD service accounts may act as the controller identity, and why. */
export const CONTROLLER_IDENTITY_SUBJECTS = [
  /** Syncs and watches environment clusters. */
  "controller",
  /** Live manifests, pod logs, resource actions and deletes from the UI/API talk to clusters directly. */
  "server",
] as const;

/** A user-assigned identity federated with ArgoCD's controller and server service accounts. */
export class ArgoCdControllerIdentity extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  readonly id: pulumi.Output<string>;

  /** `opts.provider`: the azure-native provider of the management subscription. */
  constructor(name: string, args: ArgoCdControllerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:argocd:ControllerIdentity", name, {}, opts);
    const uami = new managedidentity.UserAssignedIdentity(
      `${name}-uami`,
      { resourceName: args.identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this },
    );
    let previous: pulumi.Resource | undefined;
    for (const sa of CONTROLLER_IDENTITY_SUBJECTS) {
      // Azure rejects concurrent writes of federated credentials on one identity: chain them.
      previous = new managedidentity.FederatedIdentityCredential(
        `${name}-fic-${sa}`,
        {
          resourceGroupName: args.resourceGroupName,
          resourceName: uami.name,
          federatedIdentityCredentialResourceName: `argocd-${sa}`,
          issuer: args.oidcIssuerUrl,
          subject: serviceAccountSubject(sa),
          audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
        },
        { parent: this, dependsOn: previous ? [previous] : [] },
      );
    }
    this.clientId = uami.clientId;
    this.principalId = uami.principalId;
    this.id = uami.id;
    this.registerOutputs({ clientId: this.clientId, principalId: this.principalId });
  }
}
