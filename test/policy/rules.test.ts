/**
 * Every policy in the pack: at least one violating and one compliant resource, through the pure
 * rule. The fixtures are the shapes our components register (azure-native v3 inputs).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { awsRules } from "../../policy/aws";
import {
  canonicalType,
  findPlaintextSecrets,
  isExactVersion,
  isSensitiveKey,
  normalizeResource,
  type PolicyResource,
  ruleByName,
  rules,
  type RuleContext,
  TYPES,
} from "../../policy/rules";

class Stop extends Error {}
const ctx = (engine: RuleContext["engine"] = "crossguard"): RuleContext => ({
  engine,
  notEvaluable: (reason) => {
    throw new Stop(reason);
  },
});

function check(policy: string, type: string, inputs: Record<string, any>, protect = true, engine: RuleContext["engine"] = "crossguard"): string[] {
  const resource: PolicyResource = normalizeResource({ type, name: "r", urn: `urn:pulumi:dev::k8tre::${type}::r`, inputs, protect });
  return ruleByName(policy).check(resource, ctx(engine));
}

// Compliant baselines, mutated per case.
const privateCluster = () => ({
  apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false, privateDNSZone: "/subscriptions/x/.../privateDnsZones/privatelink.uksouth.azmk8s.io" },
  disableLocalAccounts: true,
  enableRBAC: true,
  aadProfile: { managed: true, enableAzureRBAC: false, adminGroupObjectIDs: ["00000000-0000-0000-0000-000000000001"] },
  agentPoolProfiles: [{ name: "system", mode: "System", enableEncryptionAtHost: true, enableNodePublicIP: false }],
});
const vault = () => ({
  properties: { tenantId: "t", sku: { family: "A", name: "standard" }, publicNetworkAccess: "Disabled", enablePurgeProtection: true, enableSoftDelete: true, enableRbacAuthorization: true },
});
const storage = () => ({
  kind: "StorageV2",
  sku: { name: "Standard_ZRS" },
  publicNetworkAccess: "Disabled",
  allowBlobPublicAccess: false,
  allowSharedKeyAccess: false,
  minimumTlsVersion: "TLS1_2",
  enableHttpsTrafficOnly: true,
});
const gateway = () => ({
  sku: { name: "WAF_v2", tier: "WAF_v2" },
  firewallPolicy: { id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf" },
  sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" },
  frontendIPConfigurations: [{ name: "public", publicIPAddress: { id: "/subscriptions/x/.../publicIPAddresses/pip" } }],
});
const waf = () => ({
  policySettings: { mode: "Prevention", state: "Enabled", requestBodyCheck: true },
  managedRules: { managedRuleSets: [{ ruleSetType: "OWASP", ruleSetVersion: "3.2" }] },
});

describe("every policy has violating and compliant cases here", () => {
  const covered = [
    "aks-private-cluster", "aks-node-pool-no-public-ip", "aks-local-accounts-disabled", "aks-entra-id-rbac", "aks-encryption-at-host",
    "keyvault-no-public-network-access", "keyvault-purge-protection", "keyvault-rbac-authorization",
    "storage-no-public-access", "storage-secure-transport", "storage-shared-key-disabled",
    "appgw-waf-enabled", "appgw-tls-min-1-2", "waf-policy-prevention", "diagnostics-to-log-analytics", "vnet-flow-logs", "protect-stateful-resources",
    "k8s-no-cluster-admin-for-service-accounts", "argocd-cluster-no-bearer-token", "helm-chart-pinned", "no-plaintext-secrets",
    // AWS rules (policy/aws.ts) have their cases in test/aws/.
    ...awsRules.map((r) => r.name),
  ];
  it("lists every rule of the pack, with unique names", () => {
    expect(rules.map((r) => r.name).sort()).toEqual([...covered].sort());
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
  });
  it("documents every rule in docs/policy.md", () => {
    const doc = fs.readFileSync(path.resolve(__dirname, "../../docs/policy.md"), "utf8");
    for (const r of rules) expect(doc).toContain(`| \`${r.name}\` | ${r.enforcementLevel} |`);
  });
  it("names a baseline control and a level for every rule", () => {
    for (const r of rules) {
      expect(r.baseline).toMatch(/CIS|ASB|SATRE/);
      expect(["mandatory", "advisory"]).toContain(r.enforcementLevel);
    }
  });
});

describe("AKS", () => {
  it("aks-private-cluster", () => {
    expect(check("aks-private-cluster", TYPES.managedCluster, privateCluster())).toEqual([]);
    const pub = privateCluster();
    pub.apiServerAccessProfile.enablePrivateCluster = false;
    expect(check("aks-private-cluster", TYPES.managedCluster, pub)).toEqual([expect.stringContaining("enablePrivateCluster must be true (found false)")]);
    expect(check("aks-private-cluster", TYPES.managedCluster, { ...privateCluster(), apiServerAccessProfile: undefined })).toEqual([expect.stringContaining("found unset")]);
    const fqdn = privateCluster();
    fqdn.apiServerAccessProfile.enablePrivateClusterPublicFQDN = true;
    expect(check("aks-private-cluster", TYPES.managedCluster, fqdn)).toEqual([expect.stringContaining("enablePrivateClusterPublicFQDN")]);
    const nodeIp = privateCluster();
    nodeIp.agentPoolProfiles[0].enableNodePublicIP = true;
    expect(check("aks-private-cluster", TYPES.managedCluster, nodeIp)).toEqual(['agent pool "system" has enableNodePublicIP: true']);
  });

  it("aks-node-pool-no-public-ip", () => {
    expect(check("aks-node-pool-no-public-ip", TYPES.agentPool, { enableNodePublicIP: false })).toEqual([]);
    expect(check("aks-node-pool-no-public-ip", TYPES.agentPool, { enableNodePublicIP: true })).toHaveLength(1);
  });

  it("aks-local-accounts-disabled", () => {
    expect(check("aks-local-accounts-disabled", TYPES.managedCluster, privateCluster())).toEqual([]);
    expect(check("aks-local-accounts-disabled", TYPES.managedCluster, { ...privateCluster(), disableLocalAccounts: false })).toEqual(["disableLocalAccounts must be true (found false)"]);
    expect(check("aks-local-accounts-disabled", TYPES.managedCluster, { ...privateCluster(), disableLocalAccounts: undefined })).toEqual(["disableLocalAccounts must be true (found unset)"]);
  });

  it("aks-entra-id-rbac", () => {
    expect(check("aks-entra-id-rbac", TYPES.managedCluster, privateCluster())).toEqual([]);
    expect(check("aks-entra-id-rbac", TYPES.managedCluster, { ...privateCluster(), aadProfile: { managed: true, enableAzureRBAC: true } })).toEqual([]);
    expect(check("aks-entra-id-rbac", TYPES.managedCluster, { ...privateCluster(), aadProfile: undefined })).toEqual([
      "aadProfile.managed must be true (found unset)",
      expect.stringContaining("adminGroupObjectIDs"),
    ]);
    expect(check("aks-entra-id-rbac", TYPES.managedCluster, { ...privateCluster(), enableRBAC: false })).toEqual(["enableRBAC must not be false"]);
  });

  it("aks-encryption-at-host (advisory) on inline pools and separate AgentPools", () => {
    expect(ruleByName("aks-encryption-at-host").enforcementLevel).toBe("advisory");
    expect(check("aks-encryption-at-host", TYPES.managedCluster, privateCluster())).toEqual([]);
    const off = privateCluster();
    off.agentPoolProfiles.push({ name: "user", mode: "User", enableEncryptionAtHost: false, enableNodePublicIP: false });
    expect(check("aks-encryption-at-host", TYPES.managedCluster, off)).toEqual(['agent pool "user": enableEncryptionAtHost is false, expected true']);
    expect(check("aks-encryption-at-host", TYPES.agentPool, { agentPoolName: "work", enableEncryptionAtHost: true })).toEqual([]);
    expect(check("aks-encryption-at-host", TYPES.agentPool, { agentPoolName: "work" })).toEqual(['agent pool "work": enableEncryptionAtHost is unset, expected true']);
  });

  it("checks a ManagedCluster declared through a preview API (local SDK token or generic ARM resource)", () => {
    const pub = { ...privateCluster(), disableLocalAccounts: false };
    expect(check("aks-local-accounts-disabled", "azure-native_containerservice_v20260502preview:containerservice:ManagedCluster", pub)).toHaveLength(1);
    const generic = { resourceProviderNamespace: "Microsoft.ContainerService", resourceType: "managedClusters", apiVersion: "2026-05-02-preview", properties: pub };
    expect(normalizeResource({ type: TYPES.genericResource, name: "c", inputs: generic }).type).toBe(TYPES.managedCluster);
    expect(check("aks-local-accounts-disabled", TYPES.genericResource, generic)).toHaveLength(1);
    expect(check("aks-local-accounts-disabled", TYPES.genericResource, { ...generic, properties: privateCluster() })).toEqual([]);
  });
});

describe("Key Vault", () => {
  it("keyvault-no-public-network-access", () => {
    expect(check("keyvault-no-public-network-access", TYPES.vault, vault())).toEqual([]);
    const denied = vault();
    Object.assign(denied.properties, { publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } });
    expect(check("keyvault-no-public-network-access", TYPES.vault, denied)).toEqual([]);
    const open = vault();
    Object.assign(open.properties, { publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } });
    expect(check("keyvault-no-public-network-access", TYPES.vault, open)).toEqual([expect.stringContaining('found "Enabled"')]);
    const ipRules = vault();
    Object.assign(ipRules.properties, { publicNetworkAccess: undefined, networkAcls: { defaultAction: "Deny", ipRules: [{ value: "203.0.113.0/24" }] } });
    expect(check("keyvault-no-public-network-access", TYPES.vault, ipRules)).toEqual([expect.stringContaining("1 ipRules")]);
  });

  it("keyvault-purge-protection", () => {
    expect(check("keyvault-purge-protection", TYPES.vault, vault())).toEqual([]);
    const off = vault();
    Object.assign(off.properties, { enablePurgeProtection: undefined, enableSoftDelete: false });
    expect(check("keyvault-purge-protection", TYPES.vault, off)).toEqual([
      "properties.enablePurgeProtection must be true (found unset)",
      "properties.enableSoftDelete must not be false",
    ]);
  });

  it("keyvault-rbac-authorization", () => {
    expect(check("keyvault-rbac-authorization", TYPES.vault, vault())).toEqual([]);
    const legacy = vault();
    Object.assign(legacy.properties, { enableRbacAuthorization: false, accessPolicies: [{ objectId: "o", tenantId: "t", permissions: {} }] });
    expect(check("keyvault-rbac-authorization", TYPES.vault, legacy)).toHaveLength(2);
  });

  it("accepts the explicit-version token of a Vault", () => {
    expect(canonicalType("azure-native:keyvault/v20241101:Vault")).toBe(TYPES.vault);
    expect(check("keyvault-purge-protection", "azure-native:keyvault/v20241101:Vault", { properties: {} })).toHaveLength(1);
  });
});

describe("Storage", () => {
  it("storage-no-public-access", () => {
    expect(check("storage-no-public-access", TYPES.storageAccount, storage())).toEqual([]);
    expect(check("storage-no-public-access", TYPES.storageAccount, { ...storage(), publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } })).toEqual([]);
    expect(check("storage-no-public-access", TYPES.storageAccount, { ...storage(), publicNetworkAccess: "Enabled" })).toEqual([expect.stringContaining('publicNetworkAccess must be "Disabled"')]);
    expect(check("storage-no-public-access", TYPES.storageAccount, { ...storage(), allowBlobPublicAccess: undefined })).toEqual(["allowBlobPublicAccess must be false (found unset)"]);
  });

  it("storage-secure-transport", () => {
    expect(check("storage-secure-transport", TYPES.storageAccount, storage())).toEqual([]);
    expect(check("storage-secure-transport", TYPES.storageAccount, { ...storage(), minimumTlsVersion: "TLS1_1" })).toEqual([expect.stringContaining('found "TLS1_1"')]);
    expect(check("storage-secure-transport", TYPES.storageAccount, { ...storage(), minimumTlsVersion: undefined })).toEqual([expect.stringContaining("service default is TLS 1.0")]);
    expect(check("storage-secure-transport", TYPES.storageAccount, { ...storage(), enableHttpsTrafficOnly: false })).toEqual([expect.stringContaining("enableHttpsTrafficOnly must not be false")]);
    // NFS Azure Files needs secure transfer off: allowed only on a private, key-less FileStorage account.
    const nfs = { ...storage(), kind: "FileStorage", enableHttpsTrafficOnly: false, publicNetworkAccess: "Disabled", allowSharedKeyAccess: false };
    expect(check("storage-secure-transport", TYPES.storageAccount, nfs)).toEqual([]);
    expect(check("storage-secure-transport", TYPES.storageAccount, { ...nfs, allowSharedKeyAccess: true })).toHaveLength(1);
    expect(check("storage-secure-transport", TYPES.storageAccount, { ...nfs, kind: "StorageV2" })).toHaveLength(1);
  });

  it("storage-shared-key-disabled (advisory)", () => {
    expect(ruleByName("storage-shared-key-disabled").enforcementLevel).toBe("advisory");
    expect(check("storage-shared-key-disabled", TYPES.storageAccount, storage())).toEqual([]);
    expect(check("storage-shared-key-disabled", TYPES.storageAccount, { ...storage(), allowSharedKeyAccess: true })).toHaveLength(1);
  });
});

describe("Application Gateway and WAF", () => {
  it("appgw-waf-enabled", () => {
    expect(check("appgw-waf-enabled", TYPES.applicationGateway, gateway())).toEqual([]);
    expect(check("appgw-waf-enabled", TYPES.applicationGateway, { ...gateway(), sku: { name: "Standard_v2", tier: "Standard_v2" }, firewallPolicy: undefined })).toEqual([
      'sku must be WAF_v2 (found name "Standard_v2", tier "Standard_v2")',
      "firewallPolicy.id must reference a WebApplicationFirewallPolicy",
    ]);
    // A gateway with only private frontends is not the public entry point.
    const internal = { ...gateway(), sku: { name: "Standard_v2", tier: "Standard_v2" }, firewallPolicy: undefined, frontendIPConfigurations: [{ name: "private", privateIPAddress: "10.0.0.10", subnet: { id: "s" } }] };
    expect(check("appgw-waf-enabled", TYPES.applicationGateway, internal)).toEqual([]);
  });

  it("appgw-tls-min-1-2", () => {
    expect(check("appgw-tls-min-1-2", TYPES.applicationGateway, gateway())).toEqual([]);
    expect(check("appgw-tls-min-1-2", TYPES.applicationGateway, { ...gateway(), sslPolicy: { policyType: "CustomV2", minProtocolVersion: "TLSv1_3" } })).toEqual([]);
    expect(check("appgw-tls-min-1-2", TYPES.applicationGateway, { ...gateway(), sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20150501" } })).toEqual([expect.stringContaining("older than TLS 1.2")]);
    expect(check("appgw-tls-min-1-2", TYPES.applicationGateway, { ...gateway(), sslPolicy: { policyType: "Custom", minProtocolVersion: "TLSv1_1" } })).toEqual([expect.stringContaining('found "TLSv1_1"')]);
    expect(check("appgw-tls-min-1-2", TYPES.applicationGateway, { ...gateway(), sslPolicy: undefined })).toEqual([expect.stringContaining("sslPolicy must be set explicitly")]);
  });

  it("waf-policy-prevention", () => {
    expect(check("waf-policy-prevention", TYPES.wafPolicy, waf())).toEqual([]);
    expect(check("waf-policy-prevention", TYPES.wafPolicy, { ...waf(), policySettings: { mode: "Detection", state: "Enabled" } })).toEqual(['policySettings.mode must be "Prevention" (found "Detection" without a k8tre-waf-detection-reason tag)']);
    // a documented exception (the tag the program writes from k8tre:gateway.wafDetectionReason)
    expect(check("waf-policy-prevention", TYPES.wafPolicy, { ...waf(), policySettings: { mode: "Detection", state: "Enabled" }, tags: { "k8tre-waf-detection-reason": "tuning until 2026-12-31" } })).toEqual([]);
    expect(check("waf-policy-prevention", TYPES.wafPolicy, { policySettings: { mode: "Prevention", state: "Disabled" }, managedRules: { managedRuleSets: [] } })).toHaveLength(2);
  });
});

describe("diagnostics-to-log-analytics", () => {
  const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log";
  const res = (type: string, inputs: Record<string, any>): PolicyResource => normalizeResource({ type, name: inputs.name ?? "r", urn: `urn:${type}::r`, inputs });
  const vault = res(TYPES.vault, { vaultName: "kv-dev" });
  const gw = res(TYPES.applicationGateway, { applicationGatewayName: "agw-net" });
  const setting = (uri: string, logs: any[], workspaceId: unknown = WS) => res(TYPES.diagnosticSetting, { resourceUri: uri, workspaceId, logs });
  const vaultUri = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-dev";
  const gwUri = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/agw-net";
  const run = (r: PolicyResource, stack: PolicyResource[]) => ruleByName("diagnostics-to-log-analytics").check(r, { ...ctx("synth"), stack: [r, ...stack] });

  it("fails a vault or a gateway with no diagnostic setting, or one to another resource", () => {
    expect(run(vault, [])).toEqual([expect.stringContaining("no diagnostic setting sends this resource's logs to a Log Analytics workspace")]);
    expect(run(vault, [setting(gwUri, [{ category: "AuditEvent", enabled: true }])])).toHaveLength(1);
    expect(run(gw, [setting(vaultUri, [{ category: "AuditEvent", enabled: true }])])).toHaveLength(1);
  });

  it("fails a setting without a workspace or without the required categories", () => {
    expect(run(vault, [setting(vaultUri, [{ category: "AuditEvent", enabled: true }], "")])).toHaveLength(1);
    expect(run(vault, [setting(vaultUri, [{ category: "AuditEvent", enabled: false }])])).toEqual([expect.stringContaining("must enable the log categories AuditEvent")]);
    expect(run(gw, [setting(gwUri, [{ category: "ApplicationGatewayAccessLog", enabled: true }])])).toEqual([expect.stringContaining("ApplicationGatewayFirewallLog")]);
  });

  it("passes the settings our components create, and the allLogs category group", () => {
    expect(run(vault, [setting(vaultUri.toUpperCase(), [{ category: "AuditEvent", enabled: true }])])).toEqual([]);
    expect(run(gw, [setting(gwUri, [{ category: "ApplicationGatewayAccessLog", enabled: true }, { category: "ApplicationGatewayFirewallLog", enabled: true }])])).toEqual([]);
    expect(run(gw, [setting(gwUri, [{ categoryGroup: "allLogs", enabled: true }])])).toEqual([]);
  });

  it("is not evaluable while a setting's target is unknown", () => {
    expect(() => run(vault, [setting(undefined as any, [])])).toThrow(Stop);
    expect(() => run(vault, [setting("[unknown]", [])])).toThrow(Stop);
    expect(run(vault, [setting("[unknown]", []), setting(vaultUri, [{ category: "AuditEvent", enabled: true }])])).toEqual([]);
  });
});

describe("vnet-flow-logs", () => {
  const res = (type: string, name: string, inputs: Record<string, any>): PolicyResource => normalizeResource({ type, name, urn: `urn:${type}::${name}`, inputs });
  const vnet = res(TYPES.virtualNetwork, "hub-vnet", { virtualNetworkName: "vnet-hub", location: "uksouth" });
  const vnetId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub";
  const account = (location: string) => res(TYPES.storageAccount, "st", { accountName: "stflow", location });
  const flowLog = (target: unknown, enabled = true) => res(TYPES.flowLog, "fl", { targetResourceId: target, enabled, storageId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stflow" });
  const run = (stack: PolicyResource[]) => ruleByName("vnet-flow-logs").check(vnet, { ...ctx("synth"), stack: [vnet, ...stack] });

  it("fails a VNet without an enabled flow log, or with its storage in another region", () => {
    expect(run([account("uksouth")])).toEqual([expect.stringContaining("no enabled flow log targets this VNet")]);
    expect(run([account("uksouth"), flowLog(vnetId, false)])).toHaveLength(1);
    expect(run([account("uksouth"), flowLog(vnetId.replace("vnet-hub", "vnet-other"))])).toHaveLength(1);
    expect(run([account("ukwest"), flowLog(vnetId)])).toEqual([expect.stringContaining("it must be in the VNet's region \"uksouth\"")]);
  });

  it("passes a flow log on the VNet with storage in its region; not evaluable while the target is unknown", () => {
    expect(run([account("uksouth"), flowLog(vnetId)])).toEqual([]);
    expect(() => run([flowLog("[unknown]")])).toThrow(Stop);
  });
});

describe("protect-stateful-resources", () => {
  it.each([TYPES.vault, TYPES.storageAccount, TYPES.privateZone, "azure-native:network:PrivateZone"])("%s must be protected", (type) => {
    expect(check("protect-stateful-resources", type, {}, true)).toEqual([]);
    expect(check("protect-stateful-resources", type, {}, false)).toEqual(["the resource must have the `protect: true` resource option"]);
  });
});

describe("Kubernetes", () => {
  const crb = (subjects: any[], role = "cluster-admin") => ({ roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role }, subjects });

  it("k8s-no-cluster-admin-for-service-accounts", () => {
    const rule = "k8s-no-cluster-admin-for-service-accounts";
    expect(check(rule, TYPES.clusterRoleBinding, crb([{ kind: "ServiceAccount", name: "argocd-manager", namespace: "kube-system" }]))).toEqual([
      "binds cluster-admin to ServiceAccount kube-system/argocd-manager; grant a narrower ClusterRole",
    ]);
    expect(check(rule, TYPES.clusterRoleBinding, crb([{ kind: "Group", name: "system:serviceaccounts:argocd" }]))).toHaveLength(1);
    // An Entra admin group may hold cluster-admin; a service account may hold a narrower role.
    expect(check(rule, TYPES.clusterRoleBinding, crb([{ kind: "Group", name: "00000000-0000-0000-0000-000000000001", apiGroup: "rbac.authorization.k8s.io" }]))).toEqual([]);
    expect(check(rule, TYPES.clusterRoleBinding, crb([{ kind: "ServiceAccount", name: "external-dns", namespace: "external-dns" }], "external-dns"))).toEqual([]);
  });

  it("argocd-cluster-no-bearer-token", () => {
    const rule = "argocd-cluster-no-bearer-token";
    const exec = JSON.stringify({ execProviderConfig: { command: "argocd-k8s-auth", args: ["azure"], apiVersion: "client.authentication.k8s.io/v1beta1" }, tlsClientConfig: { caData: "Y2E=" } });
    const token = JSON.stringify({ bearerToken: "eyJhbGciOi", tlsClientConfig: { caData: "Y2E=" } });
    expect(check(rule, TYPES.secret, { stringData: { name: "dev", server: "https://x", config: exec } })).toEqual([]);
    expect(check(rule, TYPES.secret, { stringData: { name: "dev", server: "https://x", config: token } })).toEqual([expect.stringContaining("config.bearerToken is set")]);
    expect(check(rule, TYPES.secret, { data: { config: Buffer.from(token).toString("base64") } })).toHaveLength(1);
    expect(check(rule, TYPES.secret, { stringData: { "tls.crt": "x" } })).toEqual([]);
  });

  it("argocd-cluster-no-bearer-token cannot read a masked secret in the synth", () => {
    expect(() => check("argocd-cluster-no-bearer-token", TYPES.secret, { stringData: "[secret]" }, true, "synth")).toThrow(Stop);
  });

  it("helm-chart-pinned", () => {
    const rule = "helm-chart-pinned";
    const cilium = { chart: "cilium", version: "1.19.6", repositoryOpts: { repo: "https://helm.cilium.io/" }, namespace: "kube-system" };
    expect(check(rule, TYPES.helmRelease, cilium)).toEqual([]);
    expect(check(rule, TYPES.helmRelease, { chart: "cert-manager", version: "v1.21.1", repositoryOpts: { repo: "https://charts.jetstack.io" } })).toEqual([]);
    expect(check(rule, TYPES.helmRelease, { chart: "oci://ghcr.io/nginx/charts/nginx-ingress", version: "2.6.4" })).toEqual([]);
    expect(check(rule, TYPES.helmChartV4, { chart: "argo-cd", version: "10.1.1", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" } })).toEqual([]);
    expect(check(rule, TYPES.helmRelease, { chart: "./charts/local" })).toEqual([]);
    expect(check(rule, TYPES.helmRelease, { ...cilium, version: undefined })).toEqual(['chart "cilium" has no version: pin an exact version']);
    expect(check(rule, TYPES.helmRelease, { ...cilium, version: "" })).toHaveLength(1);
    for (const range of ["^1.19.0", "~1.19", "1.19.x", ">=1.19.0", "*", "latest", "1.19"]) {
      expect(check(rule, TYPES.helmRelease, { ...cilium, version: range })).toEqual([expect.stringContaining("is not an exact version")]);
    }
    expect(check(rule, TYPES.helmRelease, { ...cilium, repositoryOpts: { repo: "http://helm.cilium.io/" } })).toEqual([expect.stringContaining("must use https:// or oci://")]);
  });

  it("isExactVersion", () => {
    expect(["1.19.6", "v1.21.1", "1.0.0-rc.1", "2.6.4+build.5"].every(isExactVersion)).toBe(true);
    expect(["1.19", "^1.0.0", "1.x", "", undefined, 1.19].some(isExactVersion)).toBe(false);
  });
});

describe("no-plaintext-secrets", () => {
  const rule = "no-plaintext-secrets";

  it("runs only in the synth (CrossGuard validations cannot see secretness)", () => {
    expect(ruleByName(rule).engines).toEqual(["synth"]);
  });

  it("flags literal credentials at any depth and never prints the value", () => {
    const inputs = { values: { configs: { secret: { argocdServerAdminPassword: "hunter2" } }, dex: { clientSecret: "abc" } }, kubeconfig: "apiVersion: v1\nclusters: []" };
    const v = check(rule, TYPES.helmRelease, inputs, true, "synth");
    expect(v).toEqual([
      "input values.configs.secret.argocdServerAdminPassword is plain text; wrap it with pulumi.secret()",
      "input values.dex.clientSecret is plain text; wrap it with pulumi.secret()",
      "input kubeconfig is plain text; wrap it with pulumi.secret()",
    ]);
    expect(v.join("\n")).not.toContain("hunter2");
  });

  it("passes secrets, unknowns, references and non-credential keys", () => {
    const inputs = {
      kubeconfig: "[secret]",
      values: {
        configs: { secret: { createSecret: "false" }, cm: { "oidc.config": "clientSecret: $oidc.azure.clientSecret" } },
        tls: [{ secretName: "xk8tre-tls" }],
        existingSecret: "argocd-secret",
        serviceAccount: { automountServiceAccountToken: true },
        token: "[unknown]",
        enableSecretRotation: "true",
      },
      sslCertificates: [{ keyVaultSecretId: "https://kv.vault.azure.net/secrets/cert" }],
      password: "",
      clientSecret: "$dex.clientSecret",
    };
    expect(check(rule, TYPES.helmRelease, inputs, true, "synth")).toEqual([]);
    expect(check(rule, "pulumi:providers:kubernetes", { kubeconfig: "/home/runner/.kube/config" }, true, "synth")).toEqual([]);
  });

  it("isSensitiveKey / findPlaintextSecrets", () => {
    expect(["password", "adminPassword", "client_secret", "bearerToken", "privateKey", "kubeconfig", "connectionString", "apiKey"].every(isSensitiveKey)).toBe(true);
    expect(["secretName", "keyVaultSecretId", "tokenReviewer", "existingSecret", "createSecret", "automountServiceAccountToken", "passwordSecretRef"].some(isSensitiveKey)).toBe(false);
    expect(findPlaintextSecrets([{ a: [{ token: "t" }] }])).toEqual(["[0].a[0].token"]);
  });
});
