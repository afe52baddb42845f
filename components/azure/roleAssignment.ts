/**
 * Every Azure role assignment the program declares goes through {@link assignRole}: one place
 * for the built-in role IDs and for how an assignment is named.
 *
 * Naming: an assignment's name is a GUID derived from (scope, role definition, principal), as
 * Microsoft's template guidance derives it with `guid()`
 * (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template). Two
 * ARM rules make all three parts necessary:
 *  - scope and principal of an existing assignment cannot be updated ("RoleAssignmentUpdateNotPermitted:
 *    Tenant ID, application ID, principal ID, and scope are not allowed to be updated"), so a
 *    recreated identity must produce a *new* name, i.e. a replacement, not an update;
 *  - the same (principal, role, scope) cannot exist twice under different names
 *    ("RoleAssignmentExists"; https://github.com/Azure/bicep/discussions/19690), so the old
 *    assignment is deleted before its replacement is created (`deleteBeforeReplace`).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { stableUuid } from "../../config/naming";

/**
 * Built-in Azure role definition IDs (the same in every tenant), from
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (check with
 * `az role definition list --name "<role>" --query [].name`).
 */
export const BUILTIN_ROLES = {
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  privateDnsZoneContributor: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
  dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  storageAccountContributor: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
  storageFileDataSmbShareContributor: "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb",
} as const;

export type BuiltinRole = keyof typeof BUILTIN_ROLES;

/** `/subscriptions/<sub>` of an ARM ID (role definitions are named in the scope's subscription). */
export function subscriptionOfId(armId: string): string {
  const m = /^\/subscriptions\/([^/]+)/i.exec(armId);
  if (!m) throw new Error(`not an Azure resource ID: ${armId}`);
  return m[1];
}

/** `/subscriptions/<scope's subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>`. */
export function roleDefinitionId(scope: string, role: BuiltinRole | { readonly guid: string }): string {
  const guid = typeof role === "string" ? BUILTIN_ROLES[role] : role.guid;
  return `/subscriptions/${subscriptionOfId(scope)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/**
 * The assignment's name: a GUID of (scope, role definition GUID, principal). ARM compares IDs
 * case-insensitively, so the parts are lower-cased: the same grant always gets the same name,
 * and a new principal (a recreated identity) or a new scope always gets a new one.
 */
export function roleAssignmentName(scope: string, roleDefinition: string, principalId: string): string {
  const roleGuid = roleDefinition.split("/").pop()!;
  return stableUuid("role-assignment", scope.toLowerCase(), roleGuid.toLowerCase(), principalId.toLowerCase());
}

export interface RoleGrant {
  /** Scope: a resource, resource group or subscription ID. */
  readonly scope: pulumi.Input<string>;
  /** A built-in role, or the full ID of a (custom) role definition. */
  readonly role: BuiltinRole | { readonly definitionId: pulumi.Input<string> };
  /** Object ID of the principal (a managed identity's `principalId`). */
  readonly principalId: pulumi.Input<string>;
  /** Why the principal needs it (shown in the portal and to auditors). */
  readonly description?: string;
}

/**
 * Declares one role assignment to a service principal (managed identity), named from scope,
 * role and principal, replaced (delete first) whenever any of them changes.
 */
export function assignRole(name: string, grant: RoleGrant, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
  const definitionId =
    typeof grant.role === "string" ? pulumi.output(grant.scope).apply((s) => roleDefinitionId(s, grant.role as BuiltinRole)) : pulumi.output(grant.role.definitionId);
  return new authorization.RoleAssignment(
    name,
    {
      roleAssignmentName: pulumi.all([grant.scope, definitionId, grant.principalId]).apply(([s, d, p]) => roleAssignmentName(s, d, p)),
      scope: grant.scope,
      roleDefinitionId: definitionId,
      principalId: grant.principalId,
      principalType: "ServicePrincipal",
      ...(grant.description ? { description: grant.description } : {}),
    },
    { ...opts, deleteBeforeReplace: true },
  );
}
