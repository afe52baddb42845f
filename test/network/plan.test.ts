/** Pure building blocks of the network stack: no Pulumi runtime. */
import { allowListRules, gatewayPlan, routePlan, SSL_POLICY, MANAGED_RULE_SETS } from "../../components/azure/gateway/appGateway";
import { missingCertificatesMessage, versionlessSecretId } from "../../components/azure/gateway/certificateVault";
import { isUnder, parseArmId } from "../../components/azure/network/armId";
import { gatewaySubnetRules, spokeSubnetRules } from "../../components/azure/network/nsgRules";
import { privateZoneNames } from "../../components/azure/network/privateDns";

const GW = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/agw";
const LISTENERS = [
  { environment: "prd", certificateSecretName: "tls-prd", apex: true },
  { environment: "dev", certificateSecretName: "tls-dev", apex: false },
  { environment: "stg", certificateSecretName: "tls-stg", apex: false },
];

describe("routePlan", () => {
  const routes = routePlan(LISTENERS, "example.org");

  it("puts the apex last so its wildcard cannot shadow another environment", () => {
    expect(routes.map((r) => r.environment)).toEqual(["dev", "stg", "prd"]);
    expect(routes.map((r) => r.httpsPriority)).toEqual([100, 110, 120]);
    expect(routes.map((r) => r.redirectPriority)).toEqual([1000, 1010, 1020]);
  });

  it("serves <env>.<domain> and its wildcard, or the apex and its wildcard", () => {
    expect(routes[0].hostNames).toEqual(["dev.example.org", "*.dev.example.org"]);
    expect(routes[2].hostNames).toEqual(["example.org", "*.example.org"]);
  });

  it("points each environment at its internal gateway gw.<env domain>", () => {
    expect(routes.map((r) => r.backendFqdn)).toEqual(["gw.dev.example.org", "gw.stg.example.org", "gw.example.org"]);
  });
});

describe("gatewayPlan", () => {
  const plan = gatewayPlan({ gatewayId: GW, domain: "example.org", listeners: LISTENERS, certificateSecretId: (n) => versionlessSecretId("kv-certs", n) });

  it("references certificates by versionless Key Vault secret ID", () => {
    expect(plan.sslCertificates).toContainEqual({ name: "cert-dev", keyVaultSecretId: "https://kv-certs.vault.azure.net/secrets/tls-dev" });
    for (const c of plan.sslCertificates) expect(c.keyVaultSecretId).toMatch(/^https:\/\/kv-certs\.vault\.azure\.net\/secrets\/[^/]+$/);
  });

  it("redirects every HTTP listener permanently to the matching HTTPS listener, keeping path and query", () => {
    const httpRules = plan.requestRoutingRules.filter((r) => r.redirectConfiguration);
    expect(httpRules).toHaveLength(3);
    for (const env of ["dev", "stg", "prd"]) {
      const redirect = plan.redirectConfigurations.find((r) => r.name === `redirect-${env}`)!;
      expect(redirect).toMatchObject({ redirectType: "Permanent", includePath: true, includeQueryString: true, targetListener: { id: `${GW}/httpListeners/https-${env}` } });
      const http = plan.httpListeners.find((l) => l.name === `http-${env}`)!;
      const https = plan.httpListeners.find((l) => l.name === `https-${env}`)!;
      expect(http.frontendPort.id).toBe(`${GW}/frontendPorts/port-80`);
      expect(https.frontendPort.id).toBe(`${GW}/frontendPorts/port-443`);
      expect(http.hostNames).toEqual(https.hostNames);
    }
  });

  it("wires every sub-resource reference to a sub-resource the plan declares", () => {
    const declared = new Set<string>([
      `${GW}/frontendIPConfigurations/fip-public`,
      ...plan.frontendPorts.map((x) => `${GW}/frontendPorts/${x.name}`),
      ...plan.sslCertificates.map((x) => `${GW}/sslCertificates/${x.name}`),
      ...plan.httpListeners.map((x) => `${GW}/httpListeners/${x.name}`),
      ...plan.backendAddressPools.map((x) => `${GW}/backendAddressPools/${x.name}`),
      ...plan.backendHttpSettingsCollection.map((x) => `${GW}/backendHttpSettingsCollection/${x.name}`),
      ...plan.probes.map((x) => `${GW}/probes/${x.name}`),
      ...plan.redirectConfigurations.map((x) => `${GW}/redirectConfigurations/${x.name}`),
    ]);
    const refs = JSON.stringify({ ...plan, routes: undefined }).match(/"id":"[^"]+"/g)!.map((m) => m.slice(6, -1));
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(declared).toContain(r);
    const priorities = plan.requestRoutingRules.map((r) => r.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it("talks HTTPS to the backend with a probe on the internal gateway's host", () => {
    for (const s of plan.backendHttpSettingsCollection) expect(s).toMatchObject({ protocol: "Https", port: 443, pickHostNameFromBackendAddress: false });
    expect(plan.probes.find((p) => p.name === "probe-prd")).toMatchObject({ protocol: "Https", host: "gw.example.org", path: "/" });
  });
});

describe("gateway policy constants", () => {
  it("uses TLS 1.2+ (AppGwSslPolicy20220101S) and Microsoft DRS 2.1", () => {
    expect(SSL_POLICY).toEqual({ policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" });
    expect(MANAGED_RULE_SETS).toContainEqual({ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" });
  });

  it("blocks sources outside a non-empty allow-list, and adds no rule otherwise", () => {
    expect(allowListRules([])).toEqual([]);
    const [rule] = allowListRules(["203.0.113.0/24"]);
    expect(rule).toMatchObject({ action: "Block", matchConditions: [{ operator: "IPMatch", negationConditon: true, matchValues: ["203.0.113.0/24"] }] });
  });
});

describe("NSG rules", () => {
  it("lets Azure manage the gateway and opens 80/443 only to the allow-list when one is set", () => {
    const open = gatewaySubnetRules([]);
    expect(open.find((r) => r.name === "allow-gateway-manager")).toMatchObject({ sourceAddressPrefix: "GatewayManager", destinationPortRange: "65200-65535", access: "Allow" });
    expect(open.find((r) => r.name === "allow-azure-load-balancer")).toMatchObject({ sourceAddressPrefix: "AzureLoadBalancer", access: "Allow" });
    expect(open.find((r) => r.name === "allow-web-inbound")).toMatchObject({ sourceAddressPrefix: "Internet", destinationPortRanges: ["80", "443"] });
    const restricted = gatewaySubnetRules(["203.0.113.0/24"]).find((r) => r.name === "allow-web-inbound")!;
    expect(restricted.sourceAddressPrefixes).toEqual(["203.0.113.0/24"]);
    expect(restricted.sourceAddressPrefix).toBeUndefined();
  });

  it("denies internet inbound on spoke subnets", () => {
    expect(spokeSubnetRules().find((r) => r.sourceAddressPrefix === "Internet")).toMatchObject({ access: "Deny", direction: "Inbound" });
  });
});

describe("helpers", () => {
  it("names the regional AKS private-link zone", () => {
    expect(privateZoneNames("westeurope").aks).toBe("privatelink.westeurope.azmk8s.io");
    expect(privateZoneNames("uksouth").vault).toBe("privatelink.vaultcore.azure.net");
  });

  it("parses ARM IDs", () => {
    const id = "/subscriptions/0000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-x";
    expect(parseArmId(id)).toEqual({ subscriptionId: "0000", resourceGroupName: "rg-net", name: "snet-x", type: "Microsoft.Network/virtualNetworks", topName: "vnet-a" });
    expect(parseArmId("/subscriptions/0000/resourceGroups/rg-dns").resourceGroupName).toBe("rg-dns");
    expect(isUnder(id, "/subscriptions/0000/resourceGroups/RG-NET/providers/Microsoft.Network/virtualNetworks/vnet-a")).toBe(true);
    expect(() => parseArmId("vnet-a")).toThrow(/not an Azure resource ID/);
  });

  it("explains a missing certificate with the key, the vault and the import command", () => {
    const text = missingCertificatesMessage({ vaultName: "kv-certs", resourceGroupName: "rg-gw" }, [
      { key: "k8tre:gateway.listeners.0.certificateSecretName", environment: "dev", secretName: "tls-dev", reason: "SecretNotFound" },
    ]);
    expect(text).toContain('k8tre:gateway.listeners.0.certificateSecretName = "tls-dev"');
    expect(text).toContain("az keyvault certificate import --vault-name kv-certs --name tls-dev");
    expect(text).toContain("k8tre:gateway.enabled false");
  });
});
