/**
 * The reachability analysis (tools/synth/reachability.ts): on a compliant hub-and-spoke fixture
 * every private endpoint is reachable from where it is used; removing a peering, a zone link or a
 * private endpoint it relies on breaks exactly that path, and the failure names what broke.
 */
import { analyzeReachability, formatCheck, PATH_LEVELS, type ReachabilityReport } from "../../tools/synth/reachability";
import type { StackPlan } from "../../tools/synth/rules/plan";
import { synthShipped } from "../helpers/synth";
import { devPlan, edit, mgmtPlan, networkPlan, plus, res, without } from "./fixtures/plan";

const net = networkPlan();
const mgmt = mgmtPlan();
const dev = devPlan();

function lines(r: ReachabilityReport): string[] {
  return r.checks.map((c) => `${c.status}: ${formatCheck(c)}`);
}

function devReport(network: StackPlan = net, d: StackPlan = dev, m: StackPlan = mgmt): ReachabilityReport {
  return analyzeReachability([network, m, d], "dev");
}

describe("reachability: the compliant fixture", () => {
  it("reaches the dev API server from the deployer and ArgoCD, and dev's Key Vault from dev's nodes", () => {
    expect(lines(devReport())).toEqual([
      "reachable: deployer (hub/snet-deployer) → dev API server (spoke-dev/snet-nodes): peering hub↔spoke-dev, privatelink.uksouth.azmk8s.io linked to hub",
      "reachable: ArgoCD (mgmt nodes, spoke-mgmt/snet-nodes) → dev API server (spoke-dev/snet-nodes): peering spoke-mgmt↔spoke-dev, privatelink.uksouth.azmk8s.io linked to spoke-mgmt",
      "reachable: dev nodes (spoke-dev/snet-nodes) → Key Vault kv-dev-1 (vault) via env-pe-kv (spoke-dev/snet-pe): same VNet spoke-dev, privatelink.vaultcore.azure.net linked to spoke-dev",
    ]);
    expect(devReport().unreachable).toBe(0);
  });
});

describe("reachability: ArgoCD is the referenced management stack's", () => {
  it("ignores another stack running ArgoCD that the environment does not reference (e.g. an AWS management stack)", () => {
    const other: StackPlan = { stack: "aws-mgmt", resources: [res("aws-mgmt", "k8tre:argocd:ArgoCd", "argocd", {}, { custom: false })] };
    expect(lines(analyzeReachability([net, other, mgmt, dev], "dev"))[1]).toMatch(/^reachable: ArgoCD \(mgmt nodes, spoke-mgmt\/snet-nodes\) → dev API server/);
  });
});

describe("reachability: what breaks a path", () => {
  it("a removed spoke-to-spoke peering: ArgoCD no longer reaches the environment (peering is not transitive)", () => {
    const r = devReport(without(net, "mgmt-to-dev", "dev-to-mgmt"));
    expect(r.unreachable).toBe(1);
    expect(lines(r)[1]).toBe(
      "unreachable: ArgoCD (mgmt nodes, spoke-mgmt/snet-nodes) → dev API server (spoke-dev/snet-nodes): no peering spoke-mgmt↔spoke-dev; both peer with hub, but peering is not transitive and no route sends 10.12.0.0/24 through an appliance there",
    );
  });

  it("one side of a peering missing", () => {
    const r = devReport(without(net, "dev-to-mgmt"));
    expect(r.checks[1].problems).toEqual(["peering spoke-mgmt→spoke-dev exists but not the other direction: a peering connects only when both sides exist"]);
  });

  it("a removed hub peering: the deployer in the hub no longer reaches the environment", () => {
    const r = devReport(without(net, "spoke-dev-to-hub", "spoke-dev-from-hub"));
    expect(r.checks[0].status).toBe("unreachable");
    expect(r.checks[0].problems[0]).toMatch(/^no peering hub↔spoke-dev; /);
  });

  it("a removed zone link: the route exists but the API server's name does not resolve from the hub", () => {
    const r = devReport(without(net, "dns-aks-hub"));
    expect(lines(r)[0]).toBe("unreachable: deployer (hub/snet-deployer) → dev API server (spoke-dev/snet-nodes): privatelink.uksouth.azmk8s.io is not linked to hub: the name does not resolve to the private address");
  });

  it("a removed private endpoint: the Key Vault refuses public access and nothing private remains", () => {
    const r = devReport(net, without(dev, "env-pe-kv", "env-pe-kv-dns"));
    expect(lines(r)[2]).toBe('unreachable: dev nodes (spoke-dev/snet-nodes) → Key Vault kv-dev-1 (vault): public network access is disabled and no private endpoint for "vault" is in the plan');
  });

  it("a FileStorage account (NFS shares) needs its file endpoint, not a blob one", () => {
    const fs = res("dev", "azure-native:storage:StorageAccount", "env-st-fs", { resourceGroupName: "rg-data", accountName: "stdevfs", kind: "FileStorage", publicNetworkAccess: "Disabled" });
    const r = devReport(net, plus(dev, fs));
    expect(r.checks[3]).toMatchObject({ target: "storage account stdevfs (file)", status: "unreachable", problems: ['public network access is disabled and no private endpoint for "file" is in the plan'] });
    expect(r.checks).toHaveLength(4);
  });

  it("levels: an unreachable private service, API server or certificate vault fails the synth", () => {
    const noPe = devReport(net, without(dev, "env-pe-kv", "env-pe-kv-dns"));
    expect(noPe.checks[2]).toMatchObject({ level: "error" });
    expect(noPe.errors).toBe(1);
    const noPeering = devReport(without(net, "mgmt-to-dev", "dev-to-mgmt"));
    expect(noPeering.checks[1]).toMatchObject({ status: "unreachable", level: "error" });
    expect(noPeering.errors).toBe(1);
    // The gateway's certificate vault: private and without an endpoint, the gateway cannot read its certificates.
    const vault = res("network", "azure-native:keyvault:Vault", "certs-vault", { resourceGroupName: "rg-gw", vaultName: "kv-certs", properties: { publicNetworkAccess: "Disabled" } });
    const gw = edit(plus(net, vault), "gateway-agw", (r) => (r.inputs.sslCertificates = [{ name: "tls-dev", keyVaultSecretId: "https://kv-certs.vault.azure.net/secrets/tls-dev" }]));
    const certs = analyzeReachability([gw], "network");
    expect(PATH_LEVELS.certificateVault).toEqual({ level: "error" });
    expect(certs.checks).toEqual([expect.objectContaining({ source: "Application Gateway gateway-agw (hub/snet-appgw)", status: "unreachable", level: "error" })]);
    expect(certs.errors).toBe(1);
  });

  it("a private endpoint without its DNS zone group has no private record", () => {
    const r = devReport(net, without(dev, "env-pe-kv-dns"));
    expect(r.checks[2].problems).toEqual(["private endpoint env-pe-kv has no private DNS zone group: kv-dev-1's FQDN has no private record (expected zone privatelink.vaultcore.azure.net)"]);
  });

  it("no deployer location in the plans", () => {
    const r = devReport({ ...net, outputs: {} });
    expect(lines(r)[0]).toBe("unreachable: deployer → dev API server (spoke-dev/snet-nodes): no deployer location in the plans: the network stack exports no reachability.deployer (the runner's subnet or landing-zone VNet)");
  });

  it("a landing-zone deployer VNet: assumed, with the guarantees the operator declared", () => {
    const lz = "/subscriptions/x/resourceGroups/rg-iac/providers/Microsoft.Network/virtualNetworks/vnet-iac";
    const r = devReport({ ...net, outputs: { reachability: { mode: "existing", deployer: { vnetId: lz }, guarantees: { deployerPath: "hub-routed", privateDns: "zone-links" } } } });
    expect(lines(r)[0]).toBe(
      "assumed: deployer (vnet-iac) → dev API server (spoke-dev/snet-nodes): VNet vnet-iac is not declared in the evaluated plans (landing zone): its peerings, routes and DNS are assumed, not checked; the landing zone declares deployerPath: hub-routed, privateDns: zone-links (k8tre:network.reachability in Pulumi.network.yaml)",
    );
  });
});

describe("reachability: routing through a hub appliance and custom DNS", () => {
  const FIREWALL_RT = `/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-mgmt-spoke/providers/Microsoft.Network/routeTables/rt-mgmt`;
  /** No spoke-to-spoke peering; the mgmt node subnet routes the dev spoke through a firewall in the hub. */
  function viaFirewall(forwarded: boolean): StackPlan {
    let p = without(net, "mgmt-to-dev", "dev-to-mgmt");
    p = edit(p, "spoke-mgmt-vnet", (r) => ((r.inputs.subnets as any[])[0].routeTable = { id: FIREWALL_RT }));
    p = edit(p, "spoke-dev-to-hub", (r) => (r.inputs.allowForwardedTraffic = forwarded));
    return plus(p, res("network", "azure-native:network:RouteTable", "mgmt-rt", { resourceGroupName: "rg-mgmt-spoke", routeTableName: "rt-mgmt", routes: [{ name: "to-dev", addressPrefix: "10.12.0.0/22", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.10.2.4" }] }, { sub: "00000000-0000-0000-0000-000000000002" }));
  }

  it("reaches the environment through the appliance when the destination accepts forwarded traffic", () => {
    const r = devReport(viaFirewall(true));
    expect(lines(r)[1]).toBe(
      "reachable: ArgoCD (mgmt nodes, spoke-mgmt/snet-nodes) → dev API server (spoke-dev/snet-nodes): route to-dev 10.12.0.0/22 → appliance 10.10.2.4 (hub), peering hub↔spoke-dev (forwarded traffic allowed), privatelink.uksouth.azmk8s.io linked to spoke-mgmt",
    );
  });

  it("refuses the path when the destination's peering drops forwarded traffic", () => {
    expect(devReport(viaFirewall(false)).checks[1].problems).toEqual(["peering spoke-dev→hub does not allow forwarded traffic (allowForwardedTraffic), so traffic the appliance forwards is dropped"]);
  });

  it("resolves through a custom DNS server in the hub: the hub's zone link counts, the spoke's does not", () => {
    const custom = edit(without(net, "dns-aks-mgmt"), "spoke-mgmt-vnet", (r) => (r.inputs.dhcpOptions = { dnsServers: ["10.10.1.4"] }));
    expect(devReport(custom).checks[1].path).toContain("privatelink.uksouth.azmk8s.io linked to hub (via DNS server 10.10.1.4 in hub)");
    const unlinked = without(custom, "dns-aks-hub");
    expect(devReport(unlinked).checks[1].problems).toEqual(["privatelink.uksouth.azmk8s.io is not linked to hub (via DNS server 10.10.1.4 in hub): the name does not resolve to the private address"]);
  });

  it("reports a landing-zone VNet outside the plans as assumed, not reachable", () => {
    const lz = edit(mgmt, "cluster-aks", (r) => ((r.inputs.agentPoolProfiles as any[])[0].vnetSubnetID = "/subscriptions/x/resourceGroups/lz/providers/Microsoft.Network/virtualNetworks/vnet-lz-mgmt/subnets/nodes"));
    const c = devReport(net, dev, lz).checks[1];
    expect(c.status).toBe("assumed");
    expect(c.problems[0]).toContain("VNet vnet-lz-mgmt is not declared in the evaluated plans (landing zone)");
  });
});

describe("reachability on the shipped stacks", () => {
  it.each(["mgmt", "dev", "stg", "prd"])("%s: every API server, Key Vault and storage path is reachable (no error-level path fails)", async (stack) => {
    const r = await synthShipped(stack);
    expect(r.reachability.checks.filter((c) => c.level === "error" && c.status !== "reachable").map(formatCheck)).toEqual([]);
    expect(r.reachability.checks.filter((c) => c.target.includes("API server")).length).toBeGreaterThan(0);
  });

  it("removing a management-environment peering, or a private endpoint, from the shipped plans breaks exactly that path", async () => {
    const plans = await Promise.all(["network", "mgmt", "dev"].map((s) => synthShipped(s)));
    const [network, management, environment] = plans;
    const peering = network.resources.find((r) => r.type === "azure-native:network:VirtualNetworkPeering" && JSON.stringify(r.inputs.remoteVirtualNetwork).includes("vnet-k8tre-dev-") && r.inputs.virtualNetworkName === "vnet-k8tre-mgmt-uks-spoke");
    expect(peering).toBeDefined();
    const cut = { ...network, resources: network.resources.filter((r) => r !== peering) };
    const argo = analyzeReachability([cut, management, environment], "dev").checks.find((c) => c.source.startsWith("ArgoCD"))!;
    expect(argo).toMatchObject({ status: "unreachable", level: "error" });
    expect(argo.problems[0]).toMatch(/^peering spoke-dev→spoke-mgmt exists but not the other direction|^no peering spoke-mgmt↔spoke-dev/);
    const pe = environment.resources.find((r) => r.type === "azure-native:network:PrivateEndpoint" && r.name === "env-pe-vault")!;
    const noPe = { ...environment, resources: environment.resources.filter((r) => r !== pe) };
    const kv = analyzeReachability([network, management, noPe], "dev").checks.find((c) => c.target.startsWith("Key Vault"))!;
    expect(kv).toMatchObject({ status: "unreachable", level: "error" });
    expect(kv.problems[0]).toBe('public network access is disabled and no private endpoint for "vault" is in the plan');
  });

  it("dev: its nodes reach its Key Vault and storage through private endpoints; the report covers the API server from the deployer and ArgoCD", async () => {
    const r = await synthShipped("dev");
    const nodes = r.reachability.checks.filter((c) => c.source.startsWith("dev nodes"));
    expect(nodes.map((c) => c.target.split(" via ")[0])).toEqual(expect.arrayContaining([expect.stringMatching(/^Key Vault kv-k8tre-dev-\w+ \(vault\)$/), expect.stringMatching(/^storage account stk8tredevfs\w+ \(file\)$/)]));
    for (const c of nodes) expect(c.status).toBe("reachable");
    expect(r.reachability.errors).toBe(0);
    expect(r.reachability.checks.map((c) => c.source.split(" ")[0])).toEqual(expect.arrayContaining(["deployer", "ArgoCD"]));
  });

  it("gateway: the App Gateway reaches its certificate vault through the private endpoint in the hub; removing the endpoint or the hub's vault-zone link fails the synth", async () => {
    const [network, gateway] = await Promise.all(["network", "gateway"].map((s) => synthShipped(s)));
    expect(gateway.reachability.checks).toEqual([
      expect.objectContaining({ source: "Application Gateway gateway-agw (hub/snet-appgw)", status: "reachable", level: "error", target: expect.stringMatching(/^Key Vault kv-k8tre-net-cert-\w+ \(vault\) via certs-pe \(hub\/snet-privatelinkendpoints\)$/) }),
    ]);
    expect(gateway.reachability.checks[0].path).toEqual(["same VNet hub", "privatelink.vaultcore.azure.net linked to hub"]);
    const noPe = { ...gateway, resources: gateway.resources.filter((r) => r.name !== "certs-pe" && r.name !== "certs-pe-dns") };
    const cutPe = analyzeReachability([network, noPe], "gateway");
    expect(cutPe.errors).toBe(1);
    expect(cutPe.checks[0].problems).toEqual(['public network access is disabled and no private endpoint for "vault" is in the plan']);
    const hubLink = network.resources.find((r) => r.type === "azure-native:privatedns:VirtualNetworkLink" && r.inputs.privateZoneName === "privatelink.vaultcore.azure.net" && String((r.inputs.virtualNetwork as any).id) === network.outputs.hubVnetId)!;
    expect(hubLink).toBeDefined();
    const cutLink = analyzeReachability([{ ...network, resources: network.resources.filter((r) => r !== hubLink) }, gateway], "gateway");
    expect(cutLink.errors).toBe(1);
    expect(cutLink.checks[0].problems).toEqual(["privatelink.vaultcore.azure.net is not linked to hub: the name does not resolve to the private address"]);
  });
});
