/**
 * The generic preview resource sends `properties` to ARM verbatim: every key must be an ARM JSON
 * name of that API version, or ARM silently drops it. The allowed names are transcribed from the
 * specification (components/azure/cluster/arm/managedClusters-2026-03-02-preview.json).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AUTOSCALER_ARM_NAMES, KUBE_PROXY_PREVIEW_API_VERSION, managedClusterBody, previewClusterProperties, type ClusterSpecInput } from "../../components/azure/cluster/spec";
import { synthShipped } from "../helpers/synth";
import { testClusterConfig } from "../helpers/cluster";

interface SpecFacts {
  apiVersion: string;
  source: string;
  root: string;
  definitions: Record<string, Record<string, string | null>>;
  clientNames: Record<string, Record<string, string>>;
  enums: Record<string, string[]>;
}

const SPEC: SpecFacts = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../components/azure/cluster/arm/managedClusters-2026-03-02-preview.json"), "utf8"));

/** Every key path in `value` that the spec does not allow, walking definitions as the spec nests them. */
function unknownKeys(value: unknown, def: string, at = "properties"): string[] {
  const allowed = SPEC.definitions[def];
  if (!allowed) return [`${at}: definition ${def} not recorded`];
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const where = `${at}.${k}`;
    if (!(k in allowed)) {
      out.push(`${where} (not a property of ${def})`);
      continue;
    }
    const t = allowed[k];
    if (t === null || t === "{}") continue;
    if (t === "?") {
      out.push(`${where} (its definition is not recorded in the spec facts)`);
    } else if (t.startsWith("[")) {
      (v as unknown[]).forEach((item, i) => out.push(...unknownKeys(item, t.slice(1, -1), `${where}[${i}]`)));
    } else if (t.startsWith("{")) {
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) out.push(...unknownKeys(mv, t.slice(1, -1), `${where}.${mk}`));
    } else {
      out.push(...unknownKeys(v, t, where));
    }
  }
  return out;
}

const input = (over: Record<string, unknown> = {}): ClusterSpecInput => ({
  config: testClusterConfig(over),
  tenantId: "t",
  dnsPrefix: "p",
  nodeResourceGroup: "rg-nodes",
  nodeSubnetId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/n",
  privateDnsZoneId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateDnsZones/z",
  workspaceId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w",
  tags: { a: "b" },
});

describe(`ARM body of the generic cluster resource (${KUBE_PROXY_PREVIEW_API_VERSION})`, () => {
  it("is checked against the specification of the API version it is sent with", () => {
    expect(SPEC.apiVersion).toBe(KUBE_PROXY_PREVIEW_API_VERSION);
    expect(SPEC.source).toContain(`/preview/${KUBE_PROXY_PREVIEW_API_VERSION}/managedClusters.json`);
  });

  it("uses only ARM property names, at every depth", () => {
    expect(unknownKeys(previewClusterProperties(input()), SPEC.root)).toEqual([]);
    expect(unknownKeys(previewClusterProperties(input({ defender: false, userPools: [] })), SPEC.root)).toEqual([]);
  });

  it("would catch the SDK's autoscaler names (the typed body is not an ARM body)", () => {
    expect(unknownKeys(managedClusterBody(input()), SPEC.root)).toEqual(["properties.autoScalerProfile.balanceSimilarNodeGroups (not a property of ManagedClusterPropertiesAutoScalerProfile)"]);
  });

  it("sends the autoscaler settings under their ARM names", () => {
    expect(previewClusterProperties(input()).autoScalerProfile).toEqual({ "balance-similar-node-groups": "true" });
    expect(AUTOSCALER_ARM_NAMES).toEqual(SPEC.clientNames.ManagedClusterPropertiesAutoScalerProfile);
  });

  it("uses enum values the specification allows", () => {
    const p = previewClusterProperties(input()) as any;
    expect(SPEC.enums["ContainerServiceNetworkProfile.outboundType"]).toContain(p.networkProfile.outboundType);
    for (const pool of p.agentPoolProfiles) expect(SPEC.enums["AgentPoolSecurityProfile.sshAccess"]).toContain(pool.securityProfile.sshAccess);
  });

  it.each(["dev", "mgmt"])("the shipped %s plan's cluster body passes the same check", async (stack) => {
    const r = await synthShipped(stack);
    const aks = r.resources.find((x) => x.type === "azure-native:resources:Resource" && x.inputs.resourceType === "managedClusters")!;
    expect(aks.inputs.apiVersion).toBe(SPEC.apiVersion);
    expect(unknownKeys(aks.inputs.properties, SPEC.root)).toEqual([]);
  });
});
