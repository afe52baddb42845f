/**
 * The shipped gateway stack (Pulumi.gateway.yaml, on the greenfield network stack) under the
 * offline engine: what an auditor or an operator asks of the public gateway, its certificate vault
 * (private, reached through a private endpoint in the hub) and their logs.
 */
import { ofType, one, synthShipped } from "../helpers/synth";
import type { SynthResult } from "../../tools/synth/engine";

const CONN = "00000000-0000-0000-0000-000000000001";
const providerOf = (sub: string) => expect.stringMatching(new RegExp(`pulumi:providers:azure-native::azure-${sub}$`));

let r: SynthResult;
let net: SynthResult;
beforeAll(async () => {
  r = await synthShipped("gateway");
  net = await synthShipped("network");
});

const agw = () => one(r, "azure-native:network:ApplicationGateway").inputs as any;

describe("public gateway", () => {
  it("is WAF_v2, autoscaled from the configured minimum, across three zones, with a TLS 1.2+ policy", () => {
    const g = agw();
    expect(g.sku).toEqual({ name: "WAF_v2", tier: "WAF_v2" });
    expect(g.sku.capacity).toBeUndefined();
    expect(g.autoscaleConfiguration).toEqual({ minCapacity: 2, maxCapacity: 10 });
    expect(g.zones).toEqual(["1", "2", "3"]);
    expect(g.sslPolicy).toEqual({ policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" });
  });

  it("enforces a WAF policy in Prevention mode with the Microsoft Default Rule Set", () => {
    const policy = one(r, "azure-native:network:WebApplicationFirewallPolicy");
    expect((policy.inputs as any).policySettings).toMatchObject({ state: "Enabled", mode: "Prevention", requestBodyCheck: true });
    expect((policy.inputs as any).managedRules.managedRuleSets).toContainEqual({ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" });
    expect(agw().firewallPolicy.id).toMatch(/ApplicationGatewayWebApplicationFirewallPolicies\/waf-k8tre-net-uks$/);
  });

  it("listens on <env>.<domain> and *.<env>.<domain>, the apex for prd, with the apex rule last", () => {
    const g = agw();
    const https = g.httpListeners.filter((l: any) => l.protocol === "Https");
    expect(https.map((l: any) => l.hostNames)).toEqual([
      ["dev.example.org", "*.dev.example.org"],
      ["stg.example.org", "*.stg.example.org"],
      ["example.org", "*.example.org"],
    ]);
    const rules = g.requestRoutingRules.filter((x: any) => x.backendAddressPool);
    expect(rules.map((x: any) => [x.name, x.priority])).toEqual([["rule-https-dev", 100], ["rule-https-stg", 110], ["rule-https-prd", 120]]);
    const apexPriority = rules.find((x: any) => x.name === "rule-https-prd").priority;
    for (const x of g.requestRoutingRules.filter((y: any) => y.httpListener.id.includes("/httpListeners/http-")) as any[]) {
      expect(x.redirectConfiguration).toBeDefined();
    }
    expect(Math.max(...rules.map((x: any) => x.priority))).toBe(apexPriority);
  });

  it("redirects :80 to HTTPS", () => {
    const g = agw();
    expect(g.frontendPorts).toContainEqual({ name: "port-80", port: 80 });
    expect(g.redirectConfigurations).toHaveLength(3);
    for (const rc of g.redirectConfigurations) expect(rc).toMatchObject({ redirectType: "Permanent", includePath: true, includeQueryString: true });
  });

  it("forwards over HTTPS with a health probe to each environment's internal gateway", () => {
    const g = agw();
    expect(g.backendAddressPools.map((p: any) => p.backendAddresses[0].fqdn)).toEqual(["gw.dev.example.org", "gw.stg.example.org", "gw.example.org"]);
    for (const s of g.backendHttpSettingsCollection) {
      expect(s).toMatchObject({ protocol: "Https", port: 443 });
      expect(s.probe.id).toMatch(/\/probes\/probe-(dev|stg|prd)$/);
    }
    expect(g.probes.map((p: any) => [p.protocol, p.host])).toEqual([["Https", "gw.dev.example.org"], ["Https", "gw.stg.example.org"], ["Https", "gw.example.org"]]);
  });

  it("reads certificates from the private vault by versionless secret ID, as a user-assigned identity", () => {
    const g = agw();
    const vaultName = (one(r, "azure-native:keyvault:Vault").inputs as any).vaultName;
    expect(g.sslCertificates.map((c: any) => c.keyVaultSecretId)).toEqual(["tls-dev", "tls-stg", "tls-prd"].map((s) => `https://${vaultName}.vault.azure.net/secrets/${s}`));
    for (const c of g.sslCertificates) expect(c.data).toBeUndefined();
    const identity = one(r, "azure-native:managedidentity:UserAssignedIdentity", "gateway-identity");
    expect(g.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [expect.stringContaining("/userAssignedIdentities/id-k8tre-net-uks-agw")] });
    expect(identity.name).toBe("gateway-identity");
  });

  it("gives the identity Key Vault Secrets User on that vault only, and creates the gateway after the grant", () => {
    const vault = one(r, "azure-native:keyvault:Vault");
    const ra = one(r, "azure-native:authorization:RoleAssignment", "gateway-kv-secrets-user");
    expect((ra.inputs as any).roleDefinitionId).toMatch(/\/roleDefinitions\/4633458b-17de-408a-b874-0445c86b69e6$/);
    expect((ra.inputs as any).scope).toMatch(new RegExp(`/providers/Microsoft.KeyVault/vaults/${(vault.inputs as any).vaultName}$`));
    expect((ra.inputs as any).principalType).toBe("ServicePrincipal");
    expect((ra.inputs as any).roleAssignmentName).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(one(r, "azure-native:network:ApplicationGateway").dependsOn).toContain(ra.urn);
  });

  it("has a zonal Standard static public IP with a DNS label, exported with its FQDN", () => {
    const pip = one(r, "azure-native:network:PublicIPAddress").inputs as any;
    expect(pip).toMatchObject({ sku: { name: "Standard", tier: "Regional" }, publicIPAllocationMethod: "Static", zones: ["1", "2", "3"] });
    expect(pip.dnsSettings.domainNameLabel).toMatch(/^k8tre-net-appgw-[a-z0-9]{6}$/);
    expect(r.outputs.gatewayFqdn).toBe(`${pip.dnsSettings.domainNameLabel}.uksouth.cloudapp.azure.com`);
    expect(r.outputs.gatewayPublicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it("checks every certificate exists before deploying (management-plane read, metadata only)", () => {
    const reads = r.invokes.filter((i) => i.token === "azure-native:keyvault:getSecret").map((i) => i.inputs.secretName);
    expect(reads.sort()).toEqual(["tls-dev", "tls-prd", "tls-stg"]);
  });
});

describe("certificate vault", () => {
  it("is private: RBAC, purge protection, public network access off, trusted services only, protected", () => {
    const v = one(r, "azure-native:keyvault:Vault");
    expect(v.protect).toBe(true);
    expect((v.inputs as any).properties).toMatchObject({
      enableRbacAuthorization: true,
      enablePurgeProtection: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
    });
    expect((v.inputs as any).properties.accessPolicies).toBeUndefined();
    expect(r.outputs.certificateVaultUri).toBe(`https://${(v.inputs as any).vaultName}.vault.azure.net/`);
  });
});

describe("resource logs", () => {
  const settingFor = (uriSuffix: RegExp) => ofType(r, "azure-native:monitor:DiagnosticSetting").filter((d) => uriSuffix.test(String(d.inputs.resourceUri)));

  it("creates a protected, query-private Log Analytics workspace in the gateway resource group, with the default retention", () => {
    const w = one(r, "azure-native:operationalinsights:Workspace");
    expect(w.protect).toBe(true);
    expect(w.inputs).toMatchObject({ resourceGroupName: "rg-k8tre-net-uks-gateway", retentionInDays: 90, publicNetworkAccessForQuery: "Disabled", features: { disableLocalAuth: true } });
    expect(String(r.outputs.logAnalyticsWorkspaceId)).toMatch(/\/providers\/Microsoft\.OperationalInsights\/workspaces\/log-k8tre-net-uks-net$/);
  });

  it("sends the certificate vault's audit events and the gateway's access and WAF logs to that workspace", () => {
    const workspaceId = r.outputs.logAnalyticsWorkspaceId;
    const vaultName = (one(r, "azure-native:keyvault:Vault").inputs as any).vaultName;
    const vault = settingFor(new RegExp(`/Microsoft.KeyVault/vaults/${vaultName}$`));
    expect(vault.map((d) => [d.inputs.workspaceId, d.inputs.logs])).toEqual([[workspaceId, [{ category: "AuditEvent", enabled: true }]]]);
    const gateway = settingFor(/\/Microsoft.Network\/applicationGateways\/agw-k8tre-net-uks$/);
    expect(gateway.map((d) => [d.inputs.workspaceId, d.inputs.logs])).toEqual([
      [workspaceId, [{ category: "ApplicationGatewayAccessLog", enabled: true }, { category: "ApplicationGatewayFirewallLog", enabled: true }]],
    ]);
  });

  it("gates nothing: no resource depends on a diagnostic setting", () => {
    const settings = new Set(ofType(r, "azure-native:monitor:DiagnosticSetting").map((d) => d.urn));
    expect(r.resources.filter((x) => x.dependsOn.some((u) => settings.has(u))).map((x) => x.name)).toEqual([]);
  });
});


describe("certificate vault reachable through a private endpoint (issue 10 item 8)", () => {
  it("puts the vault's endpoint in the hub's endpoint subnet, registered in the vault zone the network links to the hub", () => {
    const vault = one(r, "azure-native:keyvault:Vault");
    const pe = one(r, "azure-native:network:PrivateEndpoint", "certs-pe");
    expect((pe.inputs as any).privateEndpointName).toBe("pe-k8tre-net-uks-certvault");
    expect((pe.inputs as any).subnet.id).toBe(net.outputs.hubEndpointSubnetId);
    expect((pe.inputs as any).privateLinkServiceConnections).toEqual([expect.objectContaining({ groupIds: ["vault"], privateLinkServiceId: expect.stringMatching(new RegExp(`/vaults/${(vault.inputs as any).vaultName}$`)) })]);
    expect(pe.dependsOn).toContain(vault.urn);
    // In the subscription of the hub VNet it sits in.
    expect(pe.provider).toEqual(providerOf(CONN));
    const group = one(r, "azure-native:network:PrivateDnsZoneGroup", "certs-pe-dns");
    expect((group.inputs as any).privateDnsZoneConfigs).toEqual([{ name: "vault", privateDnsZoneId: (net.outputs.privateDnsZoneIds as any).vault }]);
    // The network stack links that zone to the hub, where the Application Gateway resolves the vault.
    const hubLinks = ofType(net, "azure-native:privatedns:VirtualNetworkLink").filter((l) => (l.inputs as any).privateZoneName === "privatelink.vaultcore.azure.net").map((l) => (l.inputs as any).virtualNetwork.id);
    expect(hubLinks).toContain(net.outputs.hubVnetId);
  });
});

describe("what the gateway stack reads from the network stack", () => {
  it("puts the gateway in the network's App Gateway subnet, with every resource in the hub's subscription", () => {
    expect((one(r, "azure-native:network:ApplicationGateway").inputs as any).gatewayIPConfigurations[0].subnet.id).toBe(net.outputs.gatewaySubnetId);
    for (const x of r.resources.filter((y) => y.custom && !y.type.startsWith("pulumi:"))) expect(x.provider).toEqual(providerOf(CONN));
    expect(ofType(r, "pulumi:pulumi:StackReference").map((s) => (s.inputs as any).name)).toEqual([expect.stringMatching(/\/network$/)]);
  });

  it("keeps the names the network stack gave these resources (a moved deployment is not replaced)", () => {
    const names = Object.fromEntries(r.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:")).map((x) => [x.name, (x.inputs as any).resourceGroupName]));
    expect(Object.keys(names)).toEqual(expect.arrayContaining(["gateway-rg", "logs", "certs-vault", "certs-vault-logs", "gateway-identity", "gateway-pip", "gateway-waf", "gateway-agw", "gateway-agw-logs", "gateway-kv-secrets-user"]));
    expect(one(r, "azure-native:resources:ResourceGroup", "gateway-rg").inputs).toMatchObject({ resourceGroupName: "rg-k8tre-net-uks-gateway" });
    expect(one(r, "azure-native:keyvault:Vault").protect).toBe(true);
    expect((one(r, "azure-native:keyvault:Vault").inputs as any).vaultName).toMatch(/^kv-k8tre-net-cert-[a-z0-9]{6}$/);
    expect((one(r, "azure-native:network:WebApplicationFirewallPolicy").inputs as any).policyName).toBe("waf-k8tre-net-uks");
  });

  it("exports the gateway's address, its vault and its workspace", () => {
    expect(Object.keys(r.outputs).sort()).toEqual(["certificateVaultId", "certificateVaultUri", "gatewayFqdn", "gatewayPublicIp", "logAnalyticsWorkspaceId"]);
  });
});

describe("nothing is created before the subscription check", () => {
  it("the resource group waits for the network stack's gateway subnet (checked against the provider's subscription), and every resource for the group", () => {
    const rg = one(r, "azure-native:resources:ResourceGroup", "gateway-rg");
    const ref = one(r, "pulumi:pulumi:StackReference");
    expect(rg.dependsOn).toContain(ref.urn);
    const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
    const waitsForRg = (urn: string, seen = new Set<string>()): boolean => {
      if (urn === rg.urn) return true;
      if (seen.has(urn)) return false;
      seen.add(urn);
      return (byUrn.get(urn)?.dependsOn ?? []).some((d) => waitsForRg(d, seen));
    };
    const azure = r.resources.filter((x) => x.custom && x.type.startsWith("azure-native:") && x !== rg);
    expect(azure.length).toBeGreaterThan(8);
    expect(azure.filter((x) => !waitsForRg(x.urn)).map((x) => x.name)).toEqual([]);
  });
});
