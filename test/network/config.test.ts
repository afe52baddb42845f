/** Bad network input is rejected before any resource, naming the key, the value and the expectation. */
import { loadStackConfig } from "../../config/load";
import { crossStackIssues, loadProject } from "../../config/project";
import { configErrorOf, shippedFiles, shippedRaw } from "../helpers/config";

const files = shippedFiles;
const raw = shippedRaw;

const errorOf = configErrorOf;

it("ships two valid network stacks: create and existing mode", () => {
  expect(loadStackConfig(raw("network"), { stack: "network" }).config.network?.mode).toBe("create");
  expect(loadStackConfig(raw("network-lz"), { stack: "network-lz" }).config.network?.mode).toBe("existing");
});

it("rejects overlapping spoke CIDRs", () => {
  const msg = errorOf("network", (r) => {
    r["k8tre:network"].spokes.stg.addressSpace = "10.12.0.0/21";
  });
  expect(msg).toContain('k8tre:network.spokes.stg.addressSpace: got "10.12.0.0/21"; expected a range that does not overlap k8tre:network.spokes.dev.addressSpace (10.12.0.0/22)');
});

it("rejects a gateway subnet smaller than /26", () => {
  const msg = errorOf("network", (r) => {
    r["k8tre:network"].hub.gatewaySubnet = "10.10.0.0/27";
  });
  expect(msg).toContain('k8tre:network.hub.gatewaySubnet: got "10.10.0.0/27"; expected an Application Gateway v2 subnet of /26 or larger');
  const lz = errorOf("network-lz", (r) => {
    r["k8tre:network"].hub.gatewaySubnetCidr = "172.16.1.0/27";
  });
  expect(lz).toContain('k8tre:network.hub.gatewaySubnetCidr: got "172.16.1.0/27"; expected an Application Gateway v2 subnet of /26 or larger');
});

describe("existing mode", () => {
  it("rejects a gateway subnet outside the hub VNet", () => {
    const msg = errorOf("network-lz", (r) => {
      r["k8tre:network"].hub.gatewaySubnetId = r["k8tre:network"].spokes.dev.vnetId + "/subnets/snet-appgw";
    });
    expect(msg).toMatch(/k8tre:network\.hub\.gatewaySubnetId: got ".*vnet-dev-spoke\/subnets\/snet-appgw"; expected a subnet of k8tre:network\.hub\.vnetId/);
  });

  it("rejects a hub endpoint subnet outside the hub VNet, or the App Gateway subnet itself", () => {
    const outside = errorOf("network-lz", (r) => (r["k8tre:network"].hub.endpointSubnetId = r["k8tre:network"].spokes.dev.endpointSubnetId));
    expect(outside).toMatch(/k8tre:network\.hub\.endpointSubnetId: got ".*vnet-dev-spoke\/subnets\/snet-privatelinkendpoints"; expected a subnet of k8tre:network\.hub\.vnetId/);
    const appgw = errorOf("network-lz", (r) => (r["k8tre:network"].hub.endpointSubnetId = r["k8tre:network"].hub.gatewaySubnetId));
    expect(appgw).toContain("expected a hub subnet other than k8tre:network.hub.gatewaySubnetId");
    const hub = raw("network-lz");
    hub["k8tre:network"].hub.endpointSubnetId = `${hub["k8tre:network"].hub.vnetId}/subnets/snet-privatelinkendpoints`;
    expect(loadStackConfig(hub, { stack: "network-lz" }).config.network).toBeDefined();
  });

  it("rejects a spoke subnet outside its spoke VNet", () => {
    const msg = errorOf("network-lz", (r) => {
      r["k8tre:network"].spokes.dev.nodeSubnetId = r["k8tre:network"].spokes.prd.nodeSubnetId;
    });
    expect(msg).toMatch(/k8tre:network\.spokes\.dev\.nodeSubnetId: got ".*vnet-prd-spoke\/subnets\/snet-clusternodes"; expected a subnet of k8tre:network\.spokes\.dev\.vnetId/);
  });

  it("rejects an AKS zone for another region and zones outside the DNS resource group", () => {
    const msg = errorOf("network-lz", (r) => {
      const z = r["k8tre:network"].privateDnsZoneIds;
      z.aks = z.aks.replace("privatelink.uksouth.azmk8s.io", "privatelink.ukwest.azmk8s.io");
      z.blob = z.blob.replace("rg-connectivity-dns", "rg-other-dns");
    });
    expect(msg).toMatch(/k8tre:network\.privateDnsZoneIds\.aks: got ".*privatelink\.ukwest\.azmk8s\.io"; expected the privatelink\.uksouth\.azmk8s\.io zone \(for the stack's k8tre:location\)/);
    expect(msg).toMatch(/k8tre:network\.privateDnsZoneIds\.blob: got ".*rg-other-dns.*"; expected a zone in k8tre:network\.dnsResourceGroupId/);
  });
});

it("rejects a userDefinedRouting cluster when the created hub has no firewall IP", () => {
  const { loaded } = loadProject(files);
  const dev = raw("dev");
  dev["k8tre:cluster"].outboundType = "userDefinedRouting";
  const stacks = new Map(loaded);
  stacks.set("dev", loadStackConfig(dev, { stack: "dev" }));
  const issues = crossStackIssues(stacks).filter((i) => i.key === "k8tre:cluster.outboundType");
  expect(issues).toEqual([
    expect.objectContaining({ stack: "dev", value: "userDefinedRouting", expected: expect.stringContaining("set k8tre:network.hub.firewallPrivateIp in stack network") }),
  ]);
  const net = raw("network");
  net["k8tre:network"].hub.firewallPrivateIp = "10.10.1.4";
  stacks.set("network", loadStackConfig(net, { stack: "network" }));
  expect(crossStackIssues(stacks).filter((i) => i.key === "k8tre:cluster.outboundType")).toEqual([]);
});

describe("reachability (the deployer and ArgoCD must reach every private API server)", () => {
  it("requires a deployer subnet in greenfield mode, inside the management spoke, clear of its other subnets", () => {
    expect(errorOf("network", (r) => delete r["k8tre:network"].deployer)).toContain("k8tre:network.deployer: got nothing (the key is missing)");
    expect(errorOf("network", (r) => (r["k8tre:network"].deployer.subnet = "10.12.3.0/27"))).toContain(
      'k8tre:network.deployer.subnet: got "10.12.3.0/27"; expected a subnet inside the management spoke k8tre:network.spokes.mgmt.addressSpace (10.11.0.0/22)',
    );
    expect(errorOf("network", (r) => (r["k8tre:network"].deployer.subnet = "10.11.2.64/27"))).toContain('k8tre:network.deployer.subnet: got "10.11.2.64/27"; expected a range that does not overlap k8tre:network.spokes.mgmt.endpointSubnet');
  });

  it("rejects a management spoke that is not one of the spokes", () => {
    expect(errorOf("network", (r) => (r["k8tre:network"].managementSpoke = "ops"))).toContain('k8tre:network.managementSpoke: got "ops"; expected the environment of a spoke in k8tre:network.spokes (mgmt, dev, stg, prd)');
    expect(errorOf("network-lz", (r) => (r["k8tre:network"].managementSpoke = "ops"))).toContain('k8tre:network.managementSpoke: got "ops"; expected the environment of a spoke in k8tre:network.spokes (mgmt, dev, prd)');
  });

  it("makes a landing zone declare how the deployer and the management spoke reach the spokes", () => {
    expect(errorOf("network-lz", (r) => delete r["k8tre:network"].reachability)).toContain("k8tre:network.reachability: got nothing (the key is missing)");
    expect(errorOf("network-lz", (r) => (r["k8tre:network"].reachability.deployerPath = "transitive"))).toContain('k8tre:network.reachability.deployerPath: got "transitive"; expected one of "peered", "hub-routed"');
  });

  it("refuses zone-link resolution that would leave the deployer or the spokes unable to resolve the private endpoints", () => {
    const msg = errorOf("network-lz", (r) => {
      r["k8tre:network"].reachability.privateDns = "zone-links";
      r["k8tre:network"].dnsLinkVnetIds = [];
    });
    expect(msg).toContain('k8tre:network.dnsLinkVnetIds: got []; expected a list containing k8tre:network.reachability.deployerVnetId');
    expect(msg).toContain('k8tre:network.linkZonesToSpokes: got false; expected true when k8tre:network.reachability.privateDns is "zone-links"');
  });
});

it("requires a hub endpoint subnet for the certificate vault's private endpoint, inside the hub, clear of the App Gateway subnet", () => {
  expect(errorOf("network", (r) => delete r["k8tre:network"].hub.endpointSubnet)).toContain("k8tre:network.hub.endpointSubnet: got nothing (the key is missing)");
  expect(errorOf("network", (r) => (r["k8tre:network"].hub.endpointSubnet = "10.10.0.64/26"))).toContain('k8tre:network.hub.endpointSubnet: got "10.10.0.64/26"; expected a range that does not overlap k8tre:network.hub.gatewaySubnet');
  expect(errorOf("network", (r) => (r["k8tre:network"].hub.endpointSubnet = "10.20.0.0/26"))).toContain('k8tre:network.hub.endpointSubnet: got "10.20.0.0/26"; expected a subnet inside k8tre:network.hub.addressSpace');
});

describe("keys that moved with the gateway to its own stack (ADR 0006)", () => {
  it("refuses a k8tre:gateway block in a network stack, saying where it goes", () => {
    const msg = errorOf("network", (r) => (r["k8tre:gateway"] = { listeners: [{ environment: "dev", certificateSecretName: "tls-dev" }] }));
    expect(msg).toContain("k8tre:gateway: got \"(the gateway block)\"; expected no value in a network stack: the public gateway and its certificate vault moved to their own stack of kind gateway");
    expect(msg).toContain("pulumi state move");
  });

  it("names the gateway stack's keys for the network workspace settings", () => {
    const msg = errorOf("network", (r) => {
      r["k8tre:network"].logRetentionDays = 180;
      r["k8tre:network"].logAnalyticsWorkspaceId = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log";
    });
    expect(msg).toContain("k8tre:network.logRetentionDays: got 180; expected no value here: moved to k8tre:gateway.logRetentionDays in the gateway stack's file");
    expect(msg).toContain("k8tre:network.logAnalyticsWorkspaceId: got \"/subscriptions/");
    expect(msg).toContain("moved to k8tre:gateway.logAnalyticsWorkspaceId in the gateway stack's file");
    // Only the moved keys are reported: the rest of the block still validates.
    expect(msg).toMatch(/: 2 problems/);
  });
});
