/**
 * Role assignments (components/azure/roleAssignment.ts): every one in the shipped plans is
 * named from (scope, role, principal), so a recreated identity yields a new assignment instead
 * of an update ARM refuses (RoleAssignmentUpdateNotPermitted), and is replaced delete-first
 * (ARM refuses the same principal/role/scope twice).
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { assignRole, roleAssignmentName } from "../../components/azure/roleAssignment";
import { synthStack } from "../../tools/synth/engine";
import { synthShipped } from "../helpers/synth";

const SUB = "00000000-0000-0000-0000-000000000003";
const SCOPE = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv`;
const P1 = "11111111-1111-1111-1111-111111111111";
const P2 = "22222222-2222-2222-2222-222222222222";

describe("roleAssignmentName", () => {
  it("is a GUID that changes with the principal, the role and the scope, and ignores case", () => {
    const n = roleAssignmentName(SCOPE, "4633458b-17de-408a-b874-0445c86b69e6", P1);
    expect(n).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(roleAssignmentName(SCOPE, "4633458b-17de-408a-b874-0445c86b69e6", P2)).not.toBe(n);
    expect(roleAssignmentName(SCOPE, "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", P1)).not.toBe(n);
    expect(roleAssignmentName(`${SCOPE}2`, "4633458b-17de-408a-b874-0445c86b69e6", P1)).not.toBe(n);
    expect(roleAssignmentName(SCOPE.toUpperCase(), `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458B-17DE-408A-B874-0445C86B69E6`, P1)).toBe(n);
  });
});

describe("assignRole", () => {
  it("names the assignment from the principal it grants to and replaces it delete-first", async () => {
    const grants: Record<string, string> = {};
    const r = await synthStack(
      () => {
        const provider = new AzureProvider(`azure-${SUB}`, { subscriptionId: SUB });
        for (const [key, principal] of [["one", P1], ["two", P2]]) {
          assignRole(`ra-${key}`, { scope: SCOPE, role: "keyVaultSecretsUser", principalId: pulumi.output(principal) }, { provider });
          grants[key] = principal;
        }
        return {};
      },
      { project: "k8tre", stack: "unit", config: {} },
    );
    const one = r.resources.find((x) => x.name === "ra-one")!;
    const two = r.resources.find((x) => x.name === "ra-two")!;
    expect(one.inputs.roleAssignmentName).toBe(roleAssignmentName(SCOPE, "4633458b-17de-408a-b874-0445c86b69e6", P1));
    expect(two.inputs.roleAssignmentName).not.toBe(one.inputs.roleAssignmentName);
    expect(one.inputs.roleDefinitionId).toBe(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`);
    expect(one.deleteBeforeReplace).toBe(true);
  });

  it.each(["dev", "mgmt", "network"])("every role assignment in the shipped %s plan is named from its scope, role and principal", async (stack) => {
    const r = await synthShipped(stack);
    const assignments = r.resources.filter((x) => x.type === "azure-native:authorization:RoleAssignment");
    expect(assignments.length).toBeGreaterThan(0);
    for (const a of assignments) {
      const i = a.inputs as Record<string, string>;
      expect({ name: a.name, roleAssignmentName: i.roleAssignmentName }).toEqual({ name: a.name, roleAssignmentName: roleAssignmentName(i.scope, i.roleDefinitionId, i.principalId) });
      expect(a.deleteBeforeReplace).toBe(true);
    }
  });
});
