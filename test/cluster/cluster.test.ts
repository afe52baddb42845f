/**
 * The Cluster component on its own, under the offline engine: what an auditor asks about a
 * cluster (private, Entra-only, BYO CNI, kube-proxy, audit logs, identities and their scopes).
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { parse } from "yaml";
import type { ClusterConfig } from "../../config/schema/cluster";
import { assertRegistered, Cluster, KUBE_PROXY_PREVIEW_API_VERSION, missingFeaturesMessage, readFeatureStates, requiredFeatures } from "../../components/azure/cluster";
import { UNREGISTERED_FEATURES } from "../../tools/synth/fakes/cluster";
import { synthStack, type SynthResult } from "../../tools/synth/engine";
import { testClusterConfig } from "../helpers/cluster";

const SUB = "00000000-0000-0000-0000-000000000003";
const CONN = "00000000-0000-0000-0000-000000000001";
const ZONE = `/subscriptions/${CONN}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.uksouth.azmk8s.io`;
const VNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet`;
const SUBNET = `${VNET}/subnets/nodes`;
const INGRESS = `${VNET}/subnets/ingress`;

const baseConfig = (over: Record<string, unknown> = {}): ClusterConfig =>
  testClusterConfig({ userPools: [{ name: "workload", vmSize: "Standard_D8ds_v5", maxCount: 5 }], ...over });

let last: Cluster | undefined;

async function run(config: ClusterConfig, opts: { preview?: boolean; protect?: boolean } = {}): Promise<SynthResult> {
  return synthStack(
    () => {
      const provider = new AzureProvider(`azure-${SUB}`, { subscriptionId: SUB });
      const dnsProvider = new AzureProvider(`azure-${CONN}`, { subscriptionId: CONN });
      const c = new Cluster(
        "env",
        {
          config,
          names: { resourceGroup: "rg-aks", cluster: "aks-k8tre-dev-uks", dnsPrefix: "k8tre-dev", nodeResourceGroup: "rg-aks-nodes", identity: "id-aks", workspace: "log-aks" },
          location: "uksouth",
          tenantId: "00000000-0000-0000-0000-000000000000",
          subscriptionId: SUB,
          tags: { env: "dev" },
          nodeSubnetId: SUBNET,
          ingressSubnetId: INGRESS,
          vnetId: VNET,
          privateDnsZoneId: ZONE,
          dnsProvider,
          protect: opts.protect,
        },
        { provider },
      );
      last = c;
      return { kubeconfig: c.kubeconfig, privateFqdn: c.privateFqdn, oidc: c.oidcIssuerUrl };
    },
    { project: "k8tre", stack: "unit", config: {}, preview: opts.preview },
  );
}

const byName = (r: SynthResult, name: string) => {
  const found = r.resources.find((x) => x.name === name);
  if (!found) throw new Error(`no resource ${name}: ${r.resources.map((x) => x.name).join(", ")}`);
  return found;
};

describe("Cluster (kube-proxy disabled: generic preview resource)", () => {
  let r: SynthResult;
  beforeAll(async () => {
    r = await run(baseConfig());
  });

  it("declares the cluster through the preview API with kube-proxy disabled", () => {
    const aks = byName(r, "env-aks");
    expect(aks.type).toBe("azure-native:resources:Resource");
    expect(aks.inputs.apiVersion).toBe(KUBE_PROXY_PREVIEW_API_VERSION);
    expect(aks.inputs.apiVersion).toMatch(/-preview$/);
    expect(aks.inputs.resourceProviderNamespace).toBe("Microsoft.ContainerService");
    expect(aks.inputs.resourceType).toBe("managedClusters");
    const p = aks.inputs.properties as any;
    expect(p.networkProfile.kubeProxyConfig).toEqual({ enabled: false });
  });

  it("is private, BYO CNI, Entra-only, with explicit CIDRs and UDR egress", () => {
    const p = byName(r, "env-aks").inputs.properties as any;
    expect(p.apiServerAccessProfile).toMatchObject({ enablePrivateCluster: true, privateDNSZone: ZONE, enablePrivateClusterPublicFQDN: false, disableRunCommand: true });
    expect(p.networkProfile).toMatchObject({ networkPlugin: "none", serviceCidr: "172.16.16.0/20", dnsServiceIP: "172.16.16.10", outboundType: "userDefinedRouting" });
    expect(p.networkProfile.podCidr).toBe("100.65.0.0/16"); // BYO CNI: AKS routes control plane to pods through it
    expect(p.disableLocalAccounts).toBe(true);
    expect(p.aadProfile).toMatchObject({ managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["00000000-0000-0000-0000-00000000a001"] });
    expect(p.oidcIssuerProfile.enabled).toBe(true);
    expect(p.securityProfile.workloadIdentity.enabled).toBe(true);
    expect(p.securityProfile.defender.securityMonitoring.enabled).toBe(true);
    expect(p.addonProfiles.azurepolicy.enabled).toBe(true);
    expect(p.addonProfiles.azureKeyvaultSecretsProvider).toMatchObject({ enabled: true, config: { enableSecretRotation: "true" } });
    expect(p.autoUpgradeProfile).toEqual({ upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
    expect(p.storageProfile.diskCSIDriver.enabled && p.storageProfile.fileCSIDriver.enabled && p.storageProfile.blobCSIDriver.enabled).toBe(true);
    expect(byName(r, "env-aks").inputs.sku).toEqual({ name: "Base", tier: "Standard" });
  });

  it("has a zonal, autoscaled, host-encrypted system pool and separate user pools", () => {
    const sys = (byName(r, "env-aks").inputs.properties as any).agentPoolProfiles;
    expect(sys).toHaveLength(1);
    expect(sys[0]).toMatchObject({ mode: "System", enableAutoScaling: true, availabilityZones: ["1", "2", "3"], enableEncryptionAtHost: true, enableNodePublicIP: false, vnetSubnetID: SUBNET });
    const pool = byName(r, "env-pool-workload");
    expect(pool.type).toBe("azure-native:containerservice:AgentPool");
    expect(pool.inputs).toMatchObject({ mode: "User", enableAutoScaling: true, maxCount: 5, enableEncryptionAtHost: true, vnetSubnetID: SUBNET });
  });

  it("uses a user-assigned control-plane identity whose grants exist before the cluster", () => {
    const aks = byName(r, "env-aks");
    const identity = byName(r, "env-identity");
    expect(aks.inputs.identity).toMatchObject({ type: "UserAssigned" });
    const subnet = byName(r, "env-subnet-network-contributor");
    const zone = byName(r, "env-dns-zone-contributor");
    expect(subnet.inputs).toMatchObject({ scope: SUBNET, principalType: "ServicePrincipal" });
    expect(String(subnet.inputs.roleDefinitionId)).toMatch(/roleDefinitions\/4d97b98b-1d4f-4787-a291-c67834d212e7$/);
    expect(zone.inputs.scope).toBe(ZONE);
    expect(String(zone.inputs.roleDefinitionId)).toBe(`/subscriptions/${CONN}/providers/Microsoft.Authorization/roleDefinitions/b12aa53e-6015-4669-85d0-8515ebb3ae7f`);
    expect(aks.dependsOn).toEqual(expect.arrayContaining([subnet.urn, zone.urn]));
    expect(subnet.inputs.principalId).toBe(identity.inputs.principalId ?? subnet.inputs.principalId);
    // The zone grant lives in the connectivity subscription: its own explicit provider.
    expect(zone.provider).toContain(CONN);
    expect(aks.provider).toContain(SUB);
  });

  it("can place the gateway's internal load balancer in the ingress subnet and link its DNS zone to the VNet, before it exists", () => {
    const aks = byName(r, "env-aks");
    const ingressRole = byName(r, "env-ingress-subnet-join-role");
    const vnetRole = byName(r, "env-vnet-link-role");
    expect(ingressRole.inputs).toMatchObject({
      scope: `/subscriptions/${SUB}`,
      roleType: "CustomRole",
      assignableScopes: [VNET],
      permissions: [{ actions: ["Microsoft.Network/virtualNetworks/subnets/read", "Microsoft.Network/virtualNetworks/subnets/join/action"], notActions: [] }],
    });
    expect(vnetRole.inputs).toMatchObject({
      assignableScopes: [VNET],
      permissions: [{ actions: ["Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/join/action"], notActions: [] }],
    });
    const ingress = byName(r, "env-ingress-subnet-join");
    const vnet = byName(r, "env-vnet-link-join");
    expect(ingress.inputs).toMatchObject({ scope: INGRESS, principalType: "ServicePrincipal" });
    expect(String(ingress.inputs.roleDefinitionId)).toBe(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ingressRole.inputs.roleDefinitionId}`);
    expect(vnet.inputs).toMatchObject({ scope: VNET });
    expect(String(vnet.inputs.roleDefinitionId)).toContain(String(vnetRole.inputs.roleDefinitionId));
    expect(aks.dependsOn).toEqual(expect.arrayContaining([ingress.urn, vnet.urn]));
  });

  it("disables SSH on every node pool", () => {
    const sys = (byName(r, "env-aks").inputs.properties as any).agentPoolProfiles;
    for (const p of sys) expect(p.securityProfile).toEqual({ sshAccess: "Disabled" });
    expect(byName(r, "env-pool-workload").inputs.securityProfile).toEqual({ sshAccess: "Disabled" });
  });

  it("answers Log Analytics queries only through a private link", () => {
    expect(byName(r, "env-logs").inputs).toMatchObject({ publicNetworkAccessForQuery: "Disabled", publicNetworkAccessForIngestion: "Enabled" });
  });

  it("checks the subscription's feature prerequisites before creating anything", () => {
    const checked = r.invokes.filter((i) => i.token === "azure-native:features:getSubscriptionFeatureRegistration").map((i) => `${i.inputs.providerNamespace}/${i.inputs.featureName}`);
    expect(checked).toEqual(["Microsoft.Compute/EncryptionAtHost", "Microsoft.ContainerService/KubeProxyConfigurationPreview", "Microsoft.ContainerService/DisableSSHPreview"]);
  });

  it("leaves the Kubernetes version alone under the patch channel (a minor bump is an upgrade)", () => {
    expect(byName(r, "env-aks").ignoreChanges).toEqual(["properties.agentPoolProfiles[0].count"]);
    expect(byName(r, "env-pool-workload").ignoreChanges).toEqual(["count"]);
  });

  it("sends kube-audit-admin, guard and control-plane logs to Log Analytics", () => {
    const diag = byName(r, "env-diagnostics");
    const logs = (diag.inputs.logs as Array<{ category: string; enabled: boolean }>).filter((l) => l.enabled).map((l) => l.category);
    expect(logs).toEqual(expect.arrayContaining(["kube-audit-admin", "guard", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]));
    expect(String(diag.inputs.workspaceId)).toContain("Microsoft.OperationalInsights/workspaces/log-aks");
    expect(byName(r, "env-logs").inputs.features).toMatchObject({ disableLocalAuth: true });
  });

  it("builds a secret kubelogin kubeconfig for the Kubernetes provider", async () => {
    await run(baseConfig());
    // The engine's stack outputs lose secretness; check the component's Output itself.
    expect(await (last!.kubeconfig as any).isSecret).toBe(true);
    const kc = parse(String(r.rawOutputs.kubeconfig));
    const exec = kc.users[0].user.exec;
    expect(exec.command).toBe("kubelogin");
    expect(exec.args).toEqual(expect.arrayContaining(["--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]));
    expect(exec.args).not.toContain("devicecode");
    const k8s = r.resources.find((x) => x.type === "pulumi:providers:kubernetes")!;
    expect(String(k8s.inputs.enableServerSideApply)).toBe("true");
    expect(k8s.inputs.kubeconfig).toBe("[secret]"); // never in plain state
    expect(r.invokes.map((i) => i.token)).toContain("azure-native:containerservice:listManagedClusterUserCredentials");
    expect(r.invokes.map((i) => i.token)).not.toContain("azure-native:containerservice:listManagedClusterAdminCredentials");
    expect(String(r.rawOutputs.privateFqdn)).toMatch(/^[a-z0-9.-]+\.privatelink\.uksouth\.azmk8s\.io$/);
    expect(String(r.rawOutputs.oidc)).toMatch(/^https:\/\//);
  });

  it("is not protected unless asked; protected when asked", async () => {
    expect(byName(r, "env-aks").protect).toBe(false);
    const p = await run(baseConfig(), { protect: true });
    expect(byName(p, "env-aks").protect).toBe(true);
  });

  it("protects its audit-log workspace on every stack, protected or not", () => {
    expect(byName(r, "env-logs").protect).toBe(true);
  });
});

describe("Cluster prerequisites and upgrade channels", () => {
  it("does not ask for features the configuration does not use", async () => {
    const r = await run(baseConfig({ kubeProxy: "enabled", systemPool: { vmSize: "Standard_D4ds_v5", hostEncryption: false }, userPools: [] }));
    const checked = r.invokes.filter((i) => i.token === "azure-native:features:getSubscriptionFeatureRegistration").map((i) => i.inputs.featureName);
    expect(checked).toEqual(["DisableSSHPreview"]);
  });

  it("ignores version drift when the upgrade channel moves minors itself", async () => {
    const r = await run(baseConfig({ autoUpgradeChannel: "stable" }));
    expect(byName(r, "env-aks").ignoreChanges).toEqual(expect.arrayContaining(["properties.kubernetesVersion", "properties.agentPoolProfiles[0].orchestratorVersion"]));
    expect(byName(r, "env-pool-workload").ignoreChanges).toEqual(expect.arrayContaining(["orchestratorVersion"]));
  });
});

describe("Cluster (kube-proxy enabled: typed stable API)", () => {
  it("uses the typed ManagedCluster without kubeProxyConfig, host encryption configurable", async () => {
    const r = await run(baseConfig({ kubeProxy: "enabled", outboundType: "loadBalancer", systemPool: { vmSize: "Standard_D4ds_v5", hostEncryption: false } }));
    const aks = byName(r, "env-aks");
    expect(aks.type).toBe("azure-native:containerservice:ManagedCluster");
    expect((aks.inputs.networkProfile as any).kubeProxyConfig).toBeUndefined();
    expect((aks.inputs.networkProfile as any).outboundType).toBe("loadBalancer");
    expect((aks.inputs.agentPoolProfiles as any)[0].enableEncryptionAtHost).toBe(false);
    expect(aks.inputs.disableLocalAccounts).toBe(true);
  });
});

describe("Cluster preview (brand-new stack)", () => {
  it("evaluates with unknown cluster outputs", async () => {
    const r = await run(baseConfig(), { preview: true });
    expect(await (last!.kubeconfig as any).isKnown).toBe(false);
    expect(await (last!.privateFqdn as any).isKnown).toBe(false);
    expect(r.resources.some((x) => x.name === "env-aks")).toBe(true);
  });
});

describe("Cluster preflight", () => {
  it("names every missing feature, what needs it and the commands that fix it", () => {
    const required = requiredFeatures(baseConfig());
    const msg = missingFeaturesMessage(SUB, [
      { f: required[0], state: "NotRegistered" },
      { f: required[1], state: "Pending" },
    ]);
    expect(msg).toContain(`subscription ${SUB} is missing 2 prerequisites`);
    expect(msg).toContain(`feature Microsoft.Compute/EncryptionAtHost is NotRegistered; needed for encryption at host`);
    expect(msg).toContain(`az feature register --subscription ${SUB} --namespace Microsoft.Compute --name EncryptionAtHost && az provider register --subscription ${SUB} --namespace Microsoft.Compute`);
    expect(msg).toContain("Microsoft.ContainerService/KubeProxyConfigurationPreview is Pending");
  });

  it("fails the deployment with that message when the subscription lacks a feature", async () => {
    UNREGISTERED_FEATURES.add("Microsoft.ContainerService/DisableSSHPreview");
    try {
      const states = await featureStates(SUB, requiredFeatures(baseConfig()));
      expect(states.filter((s) => s.state !== "Registered").map((s) => s.f.feature)).toEqual(["DisableSSHPreview"]);
      expect(() => assertRegistered(SUB, states)).toThrow(/DisableSSHPreview is NotRegistered[\s\S]*az feature register/);
    } finally {
      UNREGISTERED_FEATURES.clear();
    }
  });
});

/** The feature states the preflight reads in a synth of its own (resolved, not thrown). */
async function featureStates(sub: string, required: ReturnType<typeof requiredFeatures>) {
  let states: Array<{ f: (typeof required)[number]; state: string }> = [];
  await synthStack(
    async () => {
      const provider = new AzureProvider(`azure-${sub}`, { subscriptionId: sub });
      states = await new Promise((resolve) => readFeatureStates(required, { provider }).apply((s) => resolve(s)));
      return {};
    },
    { project: "k8tre", stack: "unit", config: {} },
  );
  return states;
}
