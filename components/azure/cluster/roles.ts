/**
 * Built-in Azure role definition IDs (the same in every tenant; check with
 * `az role definition list --name "<role>" --query [].name`) and a helper that declares one role
 * assignment with a deterministic name, so re-runs never create duplicates.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";
import { stableUuid } from "../../../config/naming";
import { subscriptionOfId } from "./spec";

export const BUILTIN_ROLES = {
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  privateDnsZoneContributor: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
  dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  storageFileDataSmbShareContributor: "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb",
} as const;

export type BuiltinRole = keyof typeof BUILTIN_ROLES;

/** `/subscriptions/<scope's subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>`. */
export function roleDefinitionId(scope: string, role: BuiltinRole): string {
  return `/subscriptions/${subscriptionOfId(scope)}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES[role]}`;
}

export interface RoleGrant {
  /** Scope: a resource, resource group or subscription ID. */
  readonly scope: pulumi.Input<string>;
  readonly role: BuiltinRole;
  readonly principalId: pulumi.Input<string>;
  /** Stable parts that identify this grant (the assignment's name is derived from them). */
  readonly key: readonly string[];
}

/** Declares one role assignment to a service principal (managed identity). */
export function grantRole(name: string, grant: RoleGrant, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    name,
    {
      roleAssignmentName: stableUuid("role-assignment", grant.role, ...grant.key),
      scope: grant.scope,
      roleDefinitionId: pulumi.output(grant.scope).apply((s) => roleDefinitionId(s, grant.role)),
      principalId: grant.principalId,
      principalType: "ServicePrincipal",
    },
    opts,
  );
}
