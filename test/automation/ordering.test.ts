/**
 * The orderings correctness needs, checked on the shipped plans with the engine model the
 * deploy-time estimate uses (tools/synth/estimate.ts: dependencies, providers and parent
 * registration, transitively). Narrowing an edge for speed must never break one of these.
 */
import { synthShipped } from "../helpers/synth";
import type { PlannedResource, SynthResult } from "../../tools/synth/engine";
import { resourceGraph, transitiveWaits } from "../../tools/synth/estimate";

let dev: SynthResult;
let mgmt: SynthResult;

beforeAll(async () => {
  [mgmt, dev] = [await synthShipped("mgmt"), await synthShipped("dev")];
}, 120_000);

const waitsOf = (plan: SynthResult) => {
  const g = resourceGraph(plan.resources);
  return (r: PlannedResource) => transitiveWaits(g, r.urn);
};
const byType = (plan: SynthResult, type: string) => plan.resources.filter((r) => r.type === type);
const named = (plan: SynthResult, name: string) => {
  const r = plan.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name} in ${plan.stack}`);
  return r;
};
const aks = (plan: SynthResult) => plan.resources.find((r) => r.type === "azure-native:resources:Resource" && r.inputs.resourceType === "managedClusters") ?? byType(plan, "azure-native:containerservice:ManagedCluster")[0];

describe.each([
  ["dev", () => dev],
  ["mgmt", () => mgmt],
])("orderings in %s", (_stack, plan) => {
  it("installs the Gateway API CRDs before Cilium", () => {
    const p = plan();
    const waits = waitsOf(p);
    const cilium = named(p, "bootstrap-cilium");
    const crds = p.resources.filter((r) => r.parent === named(p, "bootstrap").urn && r.name.startsWith("bootstrap-crd-"));
    expect(crds.length).toBeGreaterThan(0);
    for (const crd of crds) expect(waits(cilium)).toContain(crd.urn);
  });

  it("installs every other chart and every workload after Cilium (no pod starts without the CNI)", () => {
    const p = plan();
    const waits = waitsOf(p);
    const cilium = named(p, "bootstrap-cilium");
    const podBearing = p.resources.filter((r) => (r.type === "kubernetes:helm.sh/v3:Release" || r.type.startsWith("kubernetes:apps/v1:")) && r.urn !== cilium.urn);
    expect(podBearing.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").length).toBeGreaterThan(2);
    const early = podBearing.filter((r) => !waits(r).has(cilium.urn)).map((r) => `${r.type} ${r.name}`);
    expect(early).toEqual([]);
  });

  it("creates the cluster only after its control-plane role grants", () => {
    const p = plan();
    const cluster = aks(p);
    const grants = byType(p, "azure-native:authorization:RoleAssignment").filter((r) => r.parent === cluster.parent && cluster.dependsOn.includes(r.urn));
    expect(grants.length).toBeGreaterThanOrEqual(2);
    const waits = waitsOf(p)(cluster);
    for (const g of grants) expect(waits).toContain(g.urn);
  });
});

describe("narrowed edges (the schedule relies on them)", () => {
  it("lets the environment's vault, storage and private endpoints start without waiting for the AKS cluster", () => {
    const waits = waitsOf(dev);
    const cluster = aks(dev);
    const early = ["azure-native:keyvault:Vault", "azure-native:storage:StorageAccount", "azure-native:network:PrivateEndpoint", "azure-native:privatedns:PrivateZone"];
    for (const type of early) {
      for (const r of byType(dev, type)) expect({ resource: r.name, waitsForCluster: waits(r).has(cluster.urn) }).toEqual({ resource: r.name, waitsForCluster: false });
    }
  });

  it("still federates the workload identities with the cluster's issuer (they wait for the cluster)", () => {
    const waits = waitsOf(dev);
    const cluster = aks(dev);
    const fics = byType(dev, "azure-native:managedidentity:FederatedIdentityCredential");
    expect(fics.length).toBe(3);
    for (const f of fics) expect(waits(f)).toContain(cluster.urn);
  });
});

describe("registration", () => {
  it("registers the environment in ArgoCD only after the target cluster's Cilium and its ArgoCD role binding", () => {
    const waits = waitsOf(dev);
    const secret = byType(dev, "kubernetes:core/v1:Secret").find((r) => r.name.startsWith("argocd-registration"))!;
    expect(secret).toBeDefined();
    const w = waits(secret);
    expect(w).toContain(named(dev, "bootstrap-cilium").urn);
    expect(w).toContain(byType(dev, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")[0].urn);
  });
});
