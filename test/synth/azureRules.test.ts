/**
 * The Azure create-time rules (tools/synth/rules/azure.ts), each in both directions: the
 * compliant fixture plan passes every rule; breaking one thing fails exactly that rule with a
 * message naming the resource, the property and, where config maps it, the key.
 */
import { azureRules } from "../../tools/synth/rules/azure";
import { checkAzureRules, formatFinding } from "../../tools/synth/rules";
import type { StackPlan } from "../../tools/synth/rules/plan";
import { GET_NETWORK_WATCHER } from "../../components/azure/network/prerequisites";
import { PROVIDERS_GET } from "../../components/azure/providerRegistration";
import { synthShipped } from "../helpers/synth";
import { devPlan, edit, IDS, networkPlan, plus, res, without, ZONE_SUBSCRIPTION_CHECK } from "./fixtures/plan";

const NOW = new Date("2026-11-23T00:00:00Z");

function check(target: StackPlan, context: StackPlan[] = []) {
  return checkAzureRules(target, context, { now: NOW });
}

function only(target: StackPlan, context: StackPlan[], rule: string) {
  const r = check(target, context);
  expect(r.findings.map((f) => f.rule)).toEqual(r.findings.map(() => rule));
  expect(r.findings.length).toBeGreaterThan(0);
  return r.findings;
}

const net = networkPlan();
const dev = devPlan();

describe("Azure create-time rules: the compliant plans", () => {
  it("pass every rule (network and cluster stacks, with each other as context)", () => {
    expect(check(net, [dev]).findings).toEqual([]);
    expect(check(dev, [net]).findings).toEqual([]);
  });

  it("every rule cites a Microsoft document and has a unique id", () => {
    const ids = azureRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of azureRules) {
      expect(r.sources.length).toBeGreaterThan(0);
      for (const s of r.sources) expect(s).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\//);
      if (r.level === "warning") expect(r.pending).toBeTruthy();
    }
  });
});

describe("Azure create-time rules: names", () => {
  it("refuses a storage account name with capitals or over 24 characters", () => {
    const bad = edit(dev, "env-st", (r) => (r.inputs.accountName = "StK8treDevWorkspace0123456"));
    const [f] = only(bad, [net], "name-storage-account");
    expect(f.property).toBe("accountName");
    expect(f.message).toContain('"StK8treDevWorkspace0123456" is not a valid name: 3-24 characters, lowercase letters and numbers only');
    expect(f.configKey).toContain("k8tre:prefix");
  });

  it("refuses a Key Vault name with consecutive hyphens, and accepts kv-dev-1", () => {
    const bad = edit(dev, "env-kv", (r) => (r.inputs.vaultName = "kv--dev"));
    expect(only(bad, [net], "name-key-vault")[0].message).toContain("without consecutive hyphens");
  });

  it("refuses an AKS cluster name ending in a hyphen", () => {
    const bad = edit(dev, "cluster-aks", (r) => (r.inputs.resourceName = "aks-dev-"));
    expect(only(bad, [net], "name-aks-cluster")[0].property).toBe("resourceName");
  });

  it("refuses a node pool name over 12 characters or with a hyphen, naming the config key", () => {
    const bad = edit(dev, "cluster-aks", (r) => ((r.inputs.agentPoolProfiles as any[])[0].name = "system-pool"));
    const [f] = only(bad, [net], "name-aks-node-pool");
    expect(f.property).toBe("agentPoolProfiles[0].name");
    expect(f.configKey).toBe("k8tre:cluster.systemPool in Pulumi.dev.yaml");
  });

  it("refuses a role assignment name that is not a GUID", () => {
    const bad = edit(dev, "cluster-dns", (r) => (r.inputs.roleAssignmentName = "dns-zone-contributor"));
    expect(only(bad, [net], "role-assignment-name-guid")[0].message).toContain("role assignment names are GUIDs");
  });
});

describe("Azure create-time rules: Kubernetes versions (the AKS calendar in config/kubernetes-versions.ts)", () => {
  it("refuses 1.33 after its end of community support without LTS, naming the key and the supported minors", () => {
    const old = edit(dev, "cluster-aks", (r) => (r.inputs.kubernetesVersion = "1.33"));
    const [f] = only(old, [net], "aks-supported-version");
    expect(f.property).toBe("kubernetesVersion");
    expect(f.message).toBe(
      "Kubernetes 1.33: 1.33 left community support on 2026-07-31; AKS creates it only with long-term support (sku.tier Premium and supportPlan AKSLongTermSupport), until 2027-07-31; supported: 1.34, 1.35, 1.36, 1.37",
    );
    expect(f.configKey).toBe("k8tre:cluster.kubernetesVersion in Pulumi.dev.yaml");
  });

  it("accepts 1.33 on the Premium tier with the AKSLongTermSupport plan", () => {
    const lts = edit(dev, "cluster-aks", (r) => Object.assign(r.inputs, { kubernetesVersion: "1.33", sku: { name: "Base", tier: "Premium" }, supportPlan: "AKSLongTermSupport" }));
    expect(check(lts, [net]).findings).toEqual([]);
  });

  it("refuses a node pool on a minor AKS does not know, and one past LTS too", () => {
    const pool = edit(dev, "cluster-aks", (r) => ((r.inputs.agentPoolProfiles as any[])[0].orchestratorVersion = "1.28"));
    expect(only(pool, [net], "aks-supported-version")[0]).toMatchObject({ property: "agentPoolProfiles[0].orchestratorVersion", message: expect.stringContaining("Kubernetes 1.28: 1.28 is not in the AKS release calendar") });
    const gone = edit(dev, "cluster-aks", (r) => Object.assign(r.inputs, { kubernetesVersion: "1.29", sku: { tier: "Premium" }, supportPlan: "AKSLongTermSupport" }));
    expect(only(gone, [net], "aks-supported-version")[0].message).toContain("1.29 went out of long-term support on 2026-04-30");
  });
});

describe("Azure create-time rules: role prerequisites of the cluster", () => {
  it("refuses a cluster whose identity has no Network Contributor on the node subnet", () => {
    const bad = without(edit(dev, "cluster-aks", (r) => (r.dependsOn = r.dependsOn.filter((d) => !d.endsWith("cluster-subnet-nc")))), "cluster-subnet-nc");
    const [f] = only(bad, [net], "aks-node-subnet-network-contributor");
    expect(f.name).toBe("cluster-aks");
    expect(f.property).toBe("agentPoolProfiles[].vnetSubnetID");
    expect(f.message).toContain("the control-plane identity cluster-identity has no role assignment on subnet vnet-dev/snet-nodes or a parent scope granting Network Contributor (or a custom role with subnets/join/action and subnets/read) in the plan");
    expect(formatFinding(f)).toMatch(/^\[aks-node-subnet-network-contributor\] stack dev: cluster-aks \(azure-native:containerservice:ManagedCluster\): agentPoolProfiles\[\]\.vnetSubnetID: /);
  });

  it("refuses a grant that exists but that the cluster does not depend on (created too late on a fresh deploy)", () => {
    const bad = edit(dev, "cluster-aks", (r) => (r.dependsOn = r.dependsOn.filter((d) => !d.endsWith("cluster-subnet-nc"))));
    expect(only(bad, [net], "aks-node-subnet-network-contributor")[0].message).toContain("exists but the cluster does not depend on it");
  });

  it("accepts the grant at a parent scope (the VNet)", () => {
    const parent = edit(dev, "cluster-subnet-nc", (r) => (r.inputs.scope = IDS.spoke));
    expect(check(parent, [net]).findings.filter((f) => f.rule === "aks-node-subnet-network-contributor")).toEqual([]);
  });

  it("accepts a custom role with subnets/join/action and subnets/read, assignable at the subnet; refuses one without subnets/read or with it in notActions", () => {
    const role = (actions: string[], notActions: string[] = []) =>
      res("dev", "azure-native:authorization:RoleDefinition", "ingress-join-role", { roleDefinitionId: "71c64b5d-9551-55a7-993d-d8c54842f80f", assignableScopes: [IDS.spoke], permissions: [{ actions, notActions }] });
    const custom = (actions: string[], notActions?: string[]) =>
      plus(
        edit(dev, "cluster-ingress-nc", (r) => (r.inputs.roleDefinitionId = "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/71c64b5d-9551-55a7-993d-d8c54842f80f")),
        role(actions, notActions),
      );
    expect(check(custom(["Microsoft.Network/virtualNetworks/subnets/read", "Microsoft.Network/virtualNetworks/subnets/join/action"]), [net]).findings).toEqual([]);
    expect(check(custom(["Microsoft.Network/virtualNetworks/subnets/*"]), [net]).findings).toEqual([]);
    expect(only(custom(["Microsoft.Network/virtualNetworks/subnets/join/action"]), [net], "aks-ingress-subnet-network-contributor")).toHaveLength(1);
    expect(only(custom(["Microsoft.Network/*"], ["Microsoft.Network/virtualNetworks/subnets/join/action"]), [net], "aks-ingress-subnet-network-contributor")).toHaveLength(1);
  });

  it("refuses a custom private DNS zone without Private DNS Zone Contributor for the identity", () => {
    const bad = without(edit(dev, "cluster-aks", (r) => (r.dependsOn = r.dependsOn.filter((d) => !d.endsWith("cluster-dns")))), "cluster-dns");
    expect(only(bad, [net], "aks-private-dns-zone-contributor")[0].property).toBe("apiServerAccessProfile.privateDNSZone");
  });

  it("needs Network Contributor on the cluster VNet when the zone is not linked to it (AKS links it itself)", () => {
    const unlinked = without(net, "dns-aks-dev");
    const [f] = only(dev, [unlinked], "aks-private-dns-zone-vnet-link");
    expect(f.message).toContain("virtualNetworks/join/action");
    const granted = edit(dev, "cluster-subnet-nc", (r) => (r.inputs.scope = IDS.spoke));
    expect(check(granted, [unlinked]).findings).toEqual([]);
  });

  it("refuses an internal load balancer subnet the cluster identity cannot join", () => {
    const bad = without(edit(dev, "cluster-aks", (r) => (r.dependsOn = r.dependsOn.filter((d) => !d.endsWith("cluster-ingress-nc")))), "cluster-ingress-nc");
    const [f] = only(bad, [net], "aks-ingress-subnet-network-contributor");
    expect(f.message).toContain("no role assignment on subnet vnet-dev/snet-ingress or a parent scope granting Network Contributor");
  });
});

describe("Azure create-time rules: subscription features", () => {
  it("refuses encryption at host without a Microsoft.Compute/EncryptionAtHost registration, naming the command", () => {
    const bad = without(dev, "feature-eah");
    const [f] = only(bad, [net], "aks-feature-encryption-at-host");
    expect(f.message).toContain(
      "the plan neither checks it (a getSubscriptionFeatureRegistration preflight through that subscription's provider) nor registers it (by hand: az feature register --subscription 00000000-0000-0000-0000-000000000003 --namespace Microsoft.Compute --name EncryptionAtHost && az provider register",
    );
  });

  it("accepts a read-only preflight through the cluster subscription's provider instead of a registration resource, but not through another subscription's", () => {
    const provider = (sub: string) => `urn:pulumi:dev::k8tre::pulumi:providers:azure-native::azure-${sub}::azure-${sub}-provider-id`;
    const preflight = (sub: string) => ({ ...without(dev, "feature-eah"), invokes: [ZONE_SUBSCRIPTION_CHECK, { token: "azure-native:features:getSubscriptionFeatureRegistration", inputs: { providerNamespace: "Microsoft.Compute", featureName: "EncryptionAtHost" }, provider: provider(sub) }] });
    expect(check(preflight("00000000-0000-0000-0000-000000000003"), [net]).findings).toEqual([]);
    expect(only(preflight("00000000-0000-0000-0000-000000000001"), [net], "aks-feature-encryption-at-host")).toHaveLength(1);
  });

  it("refuses SSH disabled on a pool without the DisableSSHPreview feature", () => {
    const ssh = edit(dev, "cluster-aks", (r) => ((r.inputs.agentPoolProfiles as any[])[0].securityProfile = { sshAccess: "Disabled" }));
    const [f] = only(ssh, [net], "aks-feature-disable-ssh");
    expect(f.property).toBe("agentPoolProfiles[0].securityProfile.sshAccess");
    expect(f.message).toContain("Microsoft.ContainerService/DisableSSHPreview");
  });

  it("refuses a registration in another subscription than the cluster's", () => {
    const other = edit(dev, "feature-eah", (r) => (r.provider = "urn:pulumi:dev::k8tre::pulumi:providers:azure-native::azure-00000000-0000-0000-0000-000000000009"));
    expect(only(other, [net], "aks-feature-encryption-at-host")[0].message).toContain("nor registers it");
  });

  it("refuses kube-proxy disabled without KubeProxyConfigurationPreview, or without a dependency on it", () => {
    expect(only(without(dev, "feature-kpc"), [net], "aks-feature-kube-proxy-configuration")[0].configKey).toBe("k8tre:cluster.kubeProxy in Pulumi.dev.yaml");
    const late = edit(dev, "cluster-aks", (r) => (r.dependsOn = r.dependsOn.filter((d) => !d.endsWith("feature-kpc"))));
    expect(only(late, [net], "aks-feature-kube-proxy-configuration")[0].message).toContain("does not depend on it");
  });

  it("refuses kube-proxy disabled with an Azure-managed CNI", () => {
    const bad = edit(dev, "cluster-aks", (r) => ((r.inputs.networkProfile as any).networkPlugin = "azure"));
    expect(only(bad, [net], "aks-kube-proxy-byo-cni")[0].message).toContain("only with BYO CNI");
  });
});

describe("Azure create-time rules: subnets", () => {
  it("refuses pools that outgrow the node subnet at maximum scale plus surge", () => {
    const bad = edit(dev, "cluster-aks", (r) => ((r.inputs.agentPoolProfiles as any[])[0].maxCount = 240));
    const [f] = only(bad, [net], "aks-node-subnet-capacity");
    expect(f.message).toBe("node subnet snet-nodes (10.12.0.0/24) has 251 usable addresses but the pools need 320 at maximum scale with upgrade surge; scale-out and upgrades fail with SubnetIsFull");
    expect(f.configKey).toContain("k8tre:network.spokes.dev.nodeSubnet in Pulumi.network.yaml");
  });

  it("counts pods too with a flat Azure CNI", () => {
    const flat = edit(dev, "cluster-aks", (r) => {
      (r.inputs.networkProfile as any).networkPlugin = "azure";
      (r.inputs.networkProfile as any).kubeProxyConfig = { enabled: true };
      (r.inputs.agentPoolProfiles as any[])[0].maxPods = 110;
    });
    expect(only(flat, [net], "aks-node-subnet-capacity")[0].message).toContain("(nodes and their pods: flat CNI)");
  });

  it("refuses a subnet outside its VNet's address space, and overlapping subnets", () => {
    const bad = edit(net, "spoke-dev-vnet", (r) => {
      (r.inputs.subnets as any[])[1].addressPrefix = "10.99.0.0/27";
      (r.inputs.subnets as any[])[2].addressPrefix = "10.12.0.0/26";
    });
    const found = only(bad, [dev], "subnet-in-vnet-address-space").map((f) => f.message);
    expect(found).toEqual(["10.99.0.0/27 is outside the VNet's address space 10.12.0.0/22", "10.12.0.0/26 overlaps subnet snet-nodes (10.12.0.0/24)"]);
  });

  it("refuses a private endpoint in a subnet the VNet does not declare, or in a delegated subnet", () => {
    const missing = edit(dev, "env-pe-kv", (r) => ((r.inputs.subnet as any).id = `${IDS.spoke}/subnets/snet-nope`));
    expect(only(missing, [net], "private-endpoint-subnet")[0].message).toBe("subnet snet-nope is not declared on VNet spoke-dev-vnet");
    const delegated = edit(net, "spoke-dev-vnet", (r) => ((r.inputs.subnets as any[])[2].delegations = [{ name: "d", serviceName: "Microsoft.Web/serverFarms" }]));
    expect(only(dev, [delegated], "private-endpoint-subnet")[0].message).toContain("is delegated (Microsoft.Web/serverFarms)");
  });
});

describe("Azure create-time rules: a private DNS zone in another subscription", () => {
  const RULE = "aks-private-dns-zone-provider-registration";

  it("is an error, not a pending warning", () => {
    const rule = azureRules.find((r) => r.id === RULE)!;
    expect(rule.level).toBe("error");
    expect(rule.pending).toBeUndefined();
  });

  it("passes when the plan reads Microsoft.ContainerService in the zone's subscription (the preflight ran)", () => {
    // The fixture's zone lives in the connectivity subscription (…0001), the cluster in …0003.
    expect(check(dev, [net]).findings.filter((x) => x.rule === RULE)).toEqual([]);
  });

  it("fails when the zone is in another subscription and the plan does not read the provider there", () => {
    const unchecked = { ...dev, invokes: [] };
    const [f] = only(unchecked, [net], RULE);
    expect(f).toMatchObject({ level: "error", name: "cluster-aks", property: "apiServerAccessProfile.privateDNSZone" });
    expect(f.message).toContain("the zone is in subscription 00000000-0000-0000-0000-000000000001, the cluster in 00000000-0000-0000-0000-000000000003");
    expect(f.message).toContain("az provider register --subscription 00000000-0000-0000-0000-000000000001 --namespace Microsoft.ContainerService");
    // A read of another subscription, another provider, or under another token does not count.
    const otherSub = { ...dev, invokes: [{ ...ZONE_SUBSCRIPTION_CHECK, inputs: { ...ZONE_SUBSCRIPTION_CHECK.inputs, subscriptionId: "00000000-0000-0000-0000-000000000003" } }] };
    expect(only(otherSub, [net], RULE)).toHaveLength(1);
    const otherNs = { ...dev, invokes: [{ ...ZONE_SUBSCRIPTION_CHECK, inputs: { ...ZONE_SUBSCRIPTION_CHECK.inputs, resourceProviderNamespace: "Microsoft.Network" } }] };
    expect(only(otherNs, [net], RULE)).toHaveLength(1);
    const otherToken = { ...dev, invokes: [{ ...ZONE_SUBSCRIPTION_CHECK, token: "azure-native:resources:getResource" }] };
    expect(only(otherToken, [net], RULE)).toHaveLength(1);
  });

  it("does not apply when the zone is in the cluster's subscription", () => {
    const sameSub = edit({ ...dev, invokes: [] }, "cluster-aks", (r) => ((r.inputs.apiServerAccessProfile as any).privateDNSZone = IDS.aksZone.replace("000000000001", "000000000003")));
    expect(check(sameSub, [net]).findings.filter((x) => x.rule === RULE)).toEqual([]);
  });
});

describe("Azure create-time rules: storage", () => {
  it("refuses blob versioning on an account with a hierarchical namespace, and accepts it without one", () => {
    const on = edit(dev, "env-st-blob", (r) => (r.inputs.isVersioningEnabled = true));
    const [f] = only(on, [net], "storage-hns-no-versioning");
    expect(f).toMatchObject({ name: "env-st-blob", property: "isVersioningEnabled", message: "blob versioning on stdev1, which has a hierarchical namespace (isHnsEnabled): Azure refuses the blob service properties" });
    expect(check(edit(on, "env-st", (r) => (r.inputs.isHnsEnabled = false)), [net]).findings).toEqual([]);
  });

  const nfsClass = (account: string) => res("dev", "kubernetes:storage.k8s.io/v1:StorageClass", "rwx-default", { provisioner: "file.csi.azure.com", parameters: { protocol: "nfs", storageAccount: account } });

  it("refuses an NFS storage class on a Standard StorageV2 account with HTTPS only", () => {
    const messages = only(plus(dev, nfsClass("stdev1")), [net], "storage-nfs-premium-filestorage").map((f) => f.message);
    expect(messages).toEqual([
      'NFS shares need a premium FileStorage account; stdev1 is kind "StorageV2" with sku "Standard_ZRS": volumes never provision',
      "stdev1 requires secure transfer (enableHttpsTrafficOnly true), which NFS mounts cannot satisfy",
    ]);
  });

  it("accepts an NFS storage class on a Premium_ZRS FileStorage account with secure transfer off", () => {
    const fs = res("dev", "azure-native:storage:StorageAccount", "env-st-fs", { resourceGroupName: "rg-data", accountName: "stdevfs", kind: "FileStorage", sku: { name: "Premium_ZRS" }, enableHttpsTrafficOnly: false });
    expect(check(plus(dev, fs, nfsClass("stdevfs")), [net]).findings).toEqual([]);
  });

  it("refuses a malformed SAS expiration policy and accepts 7 days with Log", () => {
    const bad = edit(dev, "env-st", (r) => (r.inputs.sasPolicy = { sasExpirationPeriod: "7d", expirationAction: "Deny" }));
    expect(only(bad, [net], "storage-sas-policy-format").map((f) => f.property)).toEqual(["sasPolicy.sasExpirationPeriod", "sasPolicy.expirationAction"]);
    const good = edit(dev, "env-st", (r) => (r.inputs.sasPolicy = { sasExpirationPeriod: "7.00:00:00", expirationAction: "Log" }));
    expect(check(good, [net]).findings).toEqual([]);
  });
});

describe("Azure create-time rules: Application Gateway v2", () => {
  it("refuses another resource in the gateway's subnet", () => {
    const bad = edit(dev, "env-pe-kv", (r) => ((r.inputs.subnet as any).id = IDS.appgwSubnet));
    const gw = check(net, [bad]).findings.filter((f) => f.rule === "appgw-v2-dedicated-subnet");
    expect(gw.map((f) => f.message)).toEqual([
      "subnet snet-appgw is the gateway's subnet but azure-native:network:PrivateEndpoint env-pe-kv (stack dev) is also placed in it (subnet.id); Azure refuses other resources in an Application Gateway subnet",
    ]);
    expect(check(bad, [net]).findings.map((f) => f.rule)).toEqual(["private-endpoint-subnet"]);
  });

  it("refuses a subnet too small for the maximum instance count", () => {
    const small = edit(net, "hub-vnet", (r) => ((r.inputs.subnets as any[])[0].addressPrefix = "10.10.0.0/29"));
    const [f] = only(small, [dev], "appgw-v2-subnet-size");
    expect(f.message).toBe("subnet snet-appgw (10.10.0.0/29) has 8 addresses; 10 instances + 0 private frontend(s) + 5 reserved need 15");
    expect(f.configKey).toBe("k8tre:gateway.maxCapacity or k8tre:network.hub.gatewaySubnet in Pulumi.network.yaml");
    const fits = edit(net, "hub-vnet", (r) => ((r.inputs.subnets as any[])[0].addressPrefix = "10.10.0.0/28"));
    expect(check(fits, [dev]).findings).toEqual([]);
  });

  it("refuses forced tunnelling of the gateway subnet through a virtual appliance", () => {
    const rt = res("network", "azure-native:network:RouteTable", "hub-rt", { resourceGroupName: "rg-hub", routeTableName: "rt-hub", routes: [{ name: "default", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.10.2.4" }] });
    const routed = plus(
      edit(net, "hub-vnet", (r) => ((r.inputs.subnets as any[])[0].routeTable = { id: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/routeTables/rt-hub" })),
      rt,
    );
    expect(only(routed, [dev], "appgw-v2-no-forced-tunnelling")[0].message).toContain("sending 0.0.0.0/0 to a virtual appliance (10.10.2.4)");
  });
});

describe("Azure create-time rules: peerings", () => {
  it("refuses a peering that does not wait for its local VNet", () => {
    const bad = edit(net, "spoke-dev-from-hub", (r) => (r.dependsOn = r.dependsOn.filter((d) => !d.endsWith("hub-vnet"))));
    const [f] = only(bad, [dev], "peering-waits-for-vnets");
    expect(f.message).toContain("the local VNet hub-vnet is declared in the plan but the peering does not depend on it");
  });
});

describe("Azure create-time rules: VNet flow logs (on the shipped network plan)", () => {
  let shipped: StackPlan;
  beforeAll(async () => {
    const r = await synthShipped("network");
    shipped = { stack: "network", resources: r.resources, outputs: r.outputs, invokes: r.invokes } as StackPlan;
  });
  const flowFindings = (p: StackPlan) => check(p).findings.filter((f) => f.rule.startsWith("flow-log-"));

  it("passes the shipped flow logs", () => {
    expect(flowFindings(shipped)).toEqual([]);
  });

  it("refuses a storage account outside the VNet's region, naming the account and both regions", () => {
    const bad = edit(shipped, "flowlog-dev-st", (r) => (r.inputs.location = "ukwest"));
    const [f] = only(bad, [], "flow-log-storage-in-vnet-region");
    expect(f.name).toBe("flowlog-dev-log");
    expect(f.property).toBe("storageId");
    expect(f.message).toMatch(/^storage account stk8tredevflow[a-z0-9]+ is in "ukwest", the VNet spoke-dev-vnet in "uksouth"; Azure requires the flow log's storage account in the VNet's region$/);
  });

  it("refuses a Premium storage account", () => {
    const bad = edit(shipped, "flowlog-hub-st", (r) => ((r.inputs as any).sku = { name: "Premium_LRS" }));
    expect(only(bad, [], "flow-log-storage-in-vnet-region")[0].message).toContain("flow logs need a Standard general-purpose v2 account");
  });

  it("refuses an NSG flow log", () => {
    const nsg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-appgw";
    const bad = edit(shipped, "flowlog-hub-log", (r) => (r.inputs.targetResourceId = nsg));
    expect(only(bad, [], "flow-log-no-new-nsg-flow-logs")[0].message).toContain("Azure no longer creates NSG flow logs");
  });

  it("refuses a flow log whose subscription's Microsoft.Insights registration the plan does not read", () => {
    const DEV = "00000000-0000-0000-0000-000000000003";
    const isDevInsights = (i: { token: string; inputs: Record<string, unknown> }) => i.token === PROVIDERS_GET && i.inputs.subscriptionId === DEV;
    expect((shipped.invokes ?? []).filter(isDevInsights)).toHaveLength(1);
    const unchecked: StackPlan = { ...shipped, invokes: (shipped.invokes ?? []).filter((i) => !isDevInsights(i)) };
    const [f] = only(unchecked, [], "flow-log-insights-provider-registration");
    expect(f).toMatchObject({ level: "error", name: "flowlog-dev-log", property: "enabled" });
    expect(f.message).toContain(`flow logs in subscription ${DEV} need the Microsoft.Insights resource provider registered there`);
    expect(f.message).toContain(`az provider register --subscription ${DEV} --namespace Microsoft.Insights`);
    // A read of another namespace in that subscription does not count.
    const otherNs: StackPlan = { ...shipped, invokes: (shipped.invokes ?? []).map((i) => (isDevInsights(i) ? { ...i, inputs: { ...i.inputs, resourceProviderNamespace: "Microsoft.Network" } } : i)) };
    expect(only(otherNs, [], "flow-log-insights-provider-registration")).toHaveLength(1);
  });

  it("refuses a flow log whose Network Watcher the plan neither reads nor declares; a declared watcher must be depended on", () => {
    const isStgWatcherRead = (i: { token: string; provider?: string }) => i.token === GET_NETWORK_WATCHER && /azure-00000000-0000-0000-0000-000000000004::/.test(i.provider ?? "");
    expect((shipped.invokes ?? []).filter(isStgWatcherRead)).toHaveLength(1);
    const unread: StackPlan = { ...shipped, invokes: (shipped.invokes ?? []).filter((i) => !isStgWatcherRead(i)) };
    const [f] = only(unread, [], "flow-log-network-watcher");
    expect(f).toMatchObject({ level: "error", name: "flowlog-stg-log", property: "networkWatcherName", configKey: "k8tre:network.flowLogs.networkWatcherResourceGroup in Pulumi.network.yaml" });
    expect(f.message).toContain("the plan neither reads the Network Watcher NetworkWatcherRG/NetworkWatcher_uksouth in subscription 00000000-0000-0000-0000-000000000004");
    expect(f.message).toContain("az network watcher configure --subscription 00000000-0000-0000-0000-000000000004 --locations uksouth --enabled true -g NetworkWatcherRG");
    // A read of another resource group does not count.
    const elsewhere: StackPlan = { ...shipped, invokes: (shipped.invokes ?? []).map((i) => (isStgWatcherRead(i) ? { ...i, inputs: { ...i.inputs, resourceGroupName: "rg-other" } } : i)) };
    expect(only(elsewhere, [], "flow-log-network-watcher")).toHaveLength(1);
    // Declaring the watcher in the plan is the other way to meet it, if the flow log waits for it.
    const log = shipped.resources.find((r) => r.name === "flowlog-stg-log")!;
    const watcher = { ...res("network", "azure-native:network:NetworkWatcher", "stg-watcher", { resourceGroupName: "NetworkWatcherRG", networkWatcherName: "NetworkWatcher_uksouth", location: "uksouth" }, { sub: "00000000-0000-0000-0000-000000000004" }), provider: log.provider };
    const declared: StackPlan = { ...unread, resources: [...unread.resources.filter((r) => r !== log), watcher, { ...log, dependsOn: [...log.dependsOn, watcher.urn] }] };
    expect(check(declared).findings.filter((x) => x.rule === "flow-log-network-watcher")).toEqual([]);
    const notAwaited: StackPlan = { ...unread, resources: [...unread.resources, watcher] };
    expect(only(notAwaited, [], "flow-log-network-watcher")[0].message).toContain("the flow log does not depend on it");
  });

  it("refuses a flow log created before (or without) its identity's blob grant", () => {
    const early = edit(shipped, "flowlog-stg-log", (r) => (r.dependsOn = r.dependsOn.filter((u) => !u.endsWith("::flowlog-stg-blob-writer"))));
    expect(only(early, [], "flow-log-identity-blob-writer")[0].message).toContain("the flow log does not depend on it");
    const ungranted: StackPlan = { ...shipped, resources: shipped.resources.filter((r) => r.name !== "flowlog-stg-blob-writer") };
    expect(only(ungranted, [], "flow-log-identity-blob-writer")[0].message).toContain("has no role assignment granting Storage Blob Data Contributor");
  });
});

describe("Azure create-time rules on the shipped stacks", () => {
  // network-lz creates only zone links (no rule applies); its gateway stack gateway-lz is checked instead.
  it.each(["network", "gateway", "gateway-lz", "mgmt", "dev", "stg", "prd"])("%s: Azure would refuse nothing (error findings: none)", async (stack) => {
    const r = await synthShipped(stack);
    expect(r.azureRules.findings.filter((f) => f.level === "error").map(formatFinding)).toEqual([]);
    expect(r.azureRules.checked).toBeGreaterThan(0);
  });
});

describe("the gateway stack's certificate-vault endpoint in the network stack's hub subnet", () => {
  it("is checked against the hub subnets the network stack declares: not in the App Gateway subnet, not in an undeclared one", async () => {
    const [network, gateway] = await Promise.all(["network", "gateway"].map((s) => synthShipped(s)));
    expect(check(gateway, [network]).findings).toEqual([]);
    const inGatewaySubnet = edit(gateway, "certs-pe", (r) => ((r.inputs.subnet as any).id = network.outputs.gatewaySubnetId));
    const both = check(inGatewaySubnet, [network]).findings;
    expect(both.map((f) => [f.rule, f.message])).toEqual([
      ["private-endpoint-subnet", "subnet snet-appgw is an Application Gateway subnet, which holds application gateways only"],
      ["appgw-v2-dedicated-subnet", expect.stringContaining("azure-native:network:PrivateEndpoint certs-pe (stack gateway) is also placed in it")],
    ]);
    const undeclared = edit(gateway, "certs-pe", (r) => ((r.inputs.subnet as any).id = `${network.outputs.hubVnetId}/subnets/snet-other`));
    expect(only(undeclared, [network], "private-endpoint-subnet")[0].message).toBe("subnet snet-other is not declared on VNet hub-vnet");
  });
});
