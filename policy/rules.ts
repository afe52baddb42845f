/**
 * The K8TRE TRE baseline: pure policy rules, the one source of truth for both the CrossGuard
 * pack (`policy/index.ts`, run by `pulumi preview --policy-pack policy`) and the offline synth
 * (`tools/synth/policy.ts`, run by `npm run synth` over every stack's plan).
 *
 * A rule sees one resource as the engine sees it: its type token, logical name, URN, inputs and
 * whether it is protected. It returns the violation messages (empty = compliant). Rules never
 * import a Pulumi SDK, so they load in milliseconds and are tested without mocks.
 *
 * Where a rule needs a value the engine cannot show it (a secret's content in the synth plan), it
 * calls `ctx.notEvaluable(reason)`; an adapter reports that instead of a pass or a violation.
 */

import { awsRules } from "./aws";

export type EnforcementLevel = "mandatory" | "advisory";
export type Engine = "crossguard" | "synth";

/** A resource as a policy sees it. */
export interface PolicyResource {
  type: string;
  name: string;
  urn?: string;
  inputs: Record<string, any>;
  protect?: boolean;
}

export interface RuleContext {
  engine: Engine;
  /**
   * Every resource of the stack, for rules that relate resources (`scope: "stack"`): a vault and
   * the diagnostic setting that targets it. Engines always pass it to stack-scoped rules.
   */
  stack?: readonly PolicyResource[];
  /** Stops the rule: the value it needs is not visible to this engine (e.g. a masked secret). */
  notEvaluable(reason: string): never;
}

export interface ResourceRule {
  /** Unique policy name (kebab-case), shown in CrossGuard and synth reports. */
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** The control(s) the rule implements: CIS AKS / Azure Security Benchmark / SATRE. */
  baseline: string;
  /** Canonical type tokens (see `canonicalType`); "*" means every resource. */
  resourceTypes: readonly string[];
  /** Engines the rule runs on; default both. */
  engines?: readonly Engine[];
  /**
   * "stack": the rule reads other resources of the stack (`ctx.stack`); CrossGuard runs it as a
   * stack validation policy over each resource of its types. Default "resource".
   */
  scope?: "resource" | "stack";
  /**
   * The stack config key(s) that fix a violation, when config controls it (printed with every
   * violation, so an operator knows what to edit). Keys are checked against the config schema
   * by test/config/policy-keys.test.ts.
   */
  fix?: string;
  check(resource: PolicyResource, ctx: RuleContext): string[];
}

export const PACK_NAME = "k8tre-tre-baseline";

/** A violation message with the config key that fixes it (both engines print this). */
export function withFix(rule: Pick<ResourceRule, "fix">, message: string): string {
  return rule.fix ? `${message} — fix: ${rule.fix}` : message;
}

/** WAF policy tag documenting an accepted Detection-mode exception (config/schema/network.ts writes it). */
export const WAF_DETECTION_REASON_TAG = "k8tre-waf-detection-reason";

/**
 * The resource-log categories each audited resource type sends to Log Analytics (shared by the
 * components that create the diagnostic settings and the rule that checks them). Category names:
 * https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-vaults-logs
 * (AuditEvent: every data-plane and management operation on the vault) and
 * https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-network-applicationgateways-logs
 * (access and WAF logs; the performance log exists only for the v1 SKU, AGWPerformanceLogs).
 */
export const DIAGNOSTIC_LOG_CATEGORIES = {
  keyVault: ["AuditEvent"],
  applicationGateway: ["ApplicationGatewayAccessLog", "ApplicationGatewayFirewallLog"],
} as const satisfies Record<string, readonly string[]>;
export type DiagnosedResourceKind = keyof typeof DIAGNOSTIC_LOG_CATEGORIES;

/** How the offline synth shows secret and unknown input values (tools/synth/values.ts). */
export const SYNTH_SECRET = "[secret]";
export const SYNTH_UNKNOWN = "[unknown]";

export const TYPES = {
  managedCluster: "azure-native:containerservice:ManagedCluster",
  agentPool: "azure-native:containerservice:AgentPool",
  vault: "azure-native:keyvault:Vault",
  storageAccount: "azure-native:storage:StorageAccount",
  applicationGateway: "azure-native:network:ApplicationGateway",
  wafPolicy: "azure-native:network:WebApplicationFirewallPolicy",
  privateZone: "azure-native:privatedns:PrivateZone",
  genericResource: "azure-native:resources:Resource",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  virtualNetwork: "azure-native:network:VirtualNetwork",
  flowLog: "azure-native:network:FlowLog",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  helmChartV4: "kubernetes:helm.sh/v4:Chart",
  secret: "kubernetes:core/v1:Secret",
} as const;

/**
 * Canonical form of a type token: explicit-version tokens (`azure-native:keyvault/v20241101:Vault`)
 * and locally generated azure-native SDKs (`azure-native_containerservice_v20260502preview:…`,
 * used for the kube-proxy preview API) map to the default token. The v3 alias
 * `azure-native:network:PrivateZone` maps to `azure-native:privatedns:PrivateZone`.
 */
export function canonicalType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3 || !parts[0].startsWith("azure-native")) return type;
  const module = parts[1].replace(/\/v\d{8}(preview)?$/, "");
  const t = `azure-native:${module}:${parts[2]}`;
  return t === "azure-native:network:PrivateZone" ? TYPES.privateZone : t;
}

/** ARM resource types a generic `azure-native:resources:Resource` may stand in for. */
const GENERIC_TYPES: Record<string, string> = {
  "microsoft.containerservice/managedclusters": TYPES.managedCluster,
};

/**
 * Maps a resource to the form the rules check: canonical type, and a generic ARM resource
 * (`resources:Resource` with `resourceProviderNamespace`/`resourceType`/`properties`, the escape
 * hatch for preview API properties) to the typed resource it declares.
 */
export function normalizeResource(r: PolicyResource): PolicyResource {
  const type = canonicalType(r.type);
  if (type === TYPES.genericResource) {
    const ns = r.inputs.resourceProviderNamespace;
    const rt = r.inputs.resourceType;
    const mapped = typeof ns === "string" && typeof rt === "string" ? GENERIC_TYPES[`${ns}/${rt}`.toLowerCase()] : undefined;
    if (mapped) return { ...r, type: mapped, inputs: (r.inputs.properties ?? {}) as Record<string, any> };
  }
  return type === r.type ? r : { ...r, type };
}

export function appliesTo(rule: ResourceRule, type: string): boolean {
  return rule.resourceTypes.includes("*") || rule.resourceTypes.includes(type);
}

export function runsOn(rule: ResourceRule, engine: Engine): boolean {
  return !rule.engines || rule.engines.includes(engine);
}

// ---------------------------------------------------------------------------------------------
// helpers

const show = (v: unknown): string => (v === undefined ? "unset" : JSON.stringify(v));

function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

function obj(v: unknown): Record<string, any> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

/** Exact Helm chart versions: SemVer 2 with an optional `v` (cert-manager uses `v1.21.1`). */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export function isExactVersion(v: unknown): boolean {
  return typeof v === "string" && EXACT_VERSION.test(v);
}

/** Input keys that name credentials (matched on the key's ending, case- and separator-insensitive). */
const SENSITIVE_KEY = /(password|passwd|passphrase|secret|token|privatekey|clientsecret|kubeconfig|connectionstring|accesskey|apikey|sastoken|certificatepassword)$/;

/** Key prefixes that reference a secret rather than hold one (Helm's `existingSecret`). */
const REFERENCE_KEY = /^(existing|use|create|enable|auto|mount|automount)/;

export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SENSITIVE_KEY.test(k) && !REFERENCE_KEY.test(k);
}

/** Values under a sensitive key that are references or placeholders, not credentials. */
function isReferenceValue(key: string, v: string): boolean {
  const s = v.trim();
  if (s === "" || s === SYNTH_SECRET || s === SYNTH_UNKNOWN) return true;
  if (/^(true|false)$/i.test(s)) return true;
  if (s.startsWith("$")) return true; // ArgoCD `$secret:key` / `$oidc.azure.clientSecret` references
  if (s.startsWith("/subscriptions/") || /^https:\/\/[^/@]+\.vault\.azure\.net\//i.test(s)) return true; // ARM IDs, Key Vault URIs
  // A kubeconfig *path* (env KUBECONFIG) is not a credential; kubeconfig *content* is.
  if (/kubeconfig$/i.test(key)) return !/[\n{]|apiVersion|clusters/.test(s);
  return false;
}

/** Plain-text credentials in (nested) inputs: paths of sensitive keys holding a literal string. */
export function findPlaintextSecrets(inputs: unknown, path = ""): string[] {
  const found: string[] = [];
  if (Array.isArray(inputs)) {
    inputs.forEach((v, i) => found.push(...findPlaintextSecrets(v, `${path}[${i}]`)));
  } else if (inputs && typeof inputs === "object") {
    for (const [k, v] of Object.entries(inputs)) {
      const p = path ? `${path}.${k}` : k;
      if (typeof v === "string") {
        if (isSensitiveKey(k) && !isReferenceValue(k, v)) found.push(p);
      } else {
        found.push(...findPlaintextSecrets(v, p));
      }
    }
  }
  return found;
}

function agentPoolsOf(cluster: Record<string, any>): Array<Record<string, any>> {
  return list(cluster.agentPoolProfiles).map(obj);
}

function isPublicGateway(gw: Record<string, any>): boolean {
  const fronts = list(gw.frontendIPConfigurations).map(obj);
  return fronts.length === 0 || fronts.some((f) => "publicIPAddress" in f);
}

const TLS_ORDER = ["TLSv1_0", "TLSv1_1", "TLSv1_2", "TLSv1_3"];
/** Predefined App Gateway SSL policies whose minimum protocol is TLS 1.2 (learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview). */
const TLS12_PREDEFINED = new Set(["AppGwSslPolicy20170401S", "AppGwSslPolicy20220101", "AppGwSslPolicy20220101S"]);

// ---------------------------------------------------------------------------------------------
// rules

export const rules: readonly ResourceRule[] = [
  {
    name: "aks-private-cluster",
    description: "AKS API servers are private (no public FQDN) and nodes have no public IPs.",
    enforcementLevel: "mandatory",
    baseline: "CIS AKS 5.4.2 (private endpoint enabled, public access disabled), 5.4.3 (private nodes); ASB NS-2; SATRE: secure network",
    resourceTypes: [TYPES.managedCluster],
    check: (r) => {
      const v: string[] = [];
      const api = obj(r.inputs.apiServerAccessProfile);
      if (api.enablePrivateCluster !== true) v.push(`apiServerAccessProfile.enablePrivateCluster must be true (found ${show(api.enablePrivateCluster)})`);
      if (api.enablePrivateClusterPublicFQDN === true) v.push("apiServerAccessProfile.enablePrivateClusterPublicFQDN must not be true: it publishes the private API server's address in public DNS");
      for (const p of agentPoolsOf(r.inputs)) {
        if (p.enableNodePublicIP === true) v.push(`agent pool ${show(p.name)} has enableNodePublicIP: true`);
      }
      return v;
    },
  },
  {
    name: "aks-node-pool-no-public-ip",
    description: "Separately declared AKS agent pools give nodes no public IPs.",
    enforcementLevel: "mandatory",
    baseline: "CIS AKS 5.4.3 (private nodes); SATRE: secure network",
    resourceTypes: [TYPES.agentPool],
    check: (r) => (r.inputs.enableNodePublicIP === true ? ["enableNodePublicIP must not be true"] : []),
  },
  {
    name: "aks-local-accounts-disabled",
    description: "AKS local (static) accounts are disabled so every API call is an Entra ID identity.",
    enforcementLevel: "mandatory",
    baseline: "CIS AKS 3.1.x/5.5.1 (manage users through Entra ID); ASB IM-1, PA-1; SATRE: identity and access",
    resourceTypes: [TYPES.managedCluster],
    check: (r) => (r.inputs.disableLocalAccounts === true ? [] : [`disableLocalAccounts must be true (found ${show(r.inputs.disableLocalAccounts)})`]),
  },
  {
    name: "aks-entra-id-rbac",
    description: "AKS uses managed Entra ID integration with Kubernetes RBAC, administered by Entra groups or Azure RBAC.",
    enforcementLevel: "mandatory",
    baseline: "CIS AKS 5.5.1 (manage users through Entra ID); ASB PA-7; SATRE: identity and access",
    resourceTypes: [TYPES.managedCluster],
    check: (r) => {
      const v: string[] = [];
      const aad = obj(r.inputs.aadProfile);
      if (r.inputs.enableRBAC === false) v.push("enableRBAC must not be false");
      if (aad.managed !== true) v.push(`aadProfile.managed must be true (found ${show(aad.managed)})`);
      if (aad.enableAzureRBAC !== true && list(aad.adminGroupObjectIDs).length === 0) {
        v.push("set aadProfile.enableAzureRBAC: true or at least one aadProfile.adminGroupObjectIDs entry, so cluster administration is granted to Entra identities");
      }
      return v;
    },
  },
  {
    name: "aks-encryption-at-host",
    description: "AKS node pools encrypt temp disks and caches at the host (needs the EncryptionAtHost subscription feature).",
    enforcementLevel: "advisory",
    baseline: "ASB DP-4 (encryption at rest); CIS Azure 7.x (VM disk encryption); SATRE: data protection",
    resourceTypes: [TYPES.managedCluster, TYPES.agentPool],
    fix: "k8tre:cluster.systemPool.hostEncryption / k8tre:cluster.userPools[].hostEncryption true (register the EncryptionAtHost feature first)",
    check: (r) => {
      const pools = r.type === TYPES.agentPool ? [{ ...r.inputs, name: r.inputs.agentPoolName ?? r.name }] : agentPoolsOf(r.inputs);
      return pools.filter((p) => p.enableEncryptionAtHost !== true).map((p) => `agent pool ${show(p.name)}: enableEncryptionAtHost is ${show(p.enableEncryptionAtHost)}, expected true`);
    },
  },
  {
    name: "keyvault-no-public-network-access",
    description: "Key Vaults are reachable only through private endpoints (public network access disabled, or a deny-by-default firewall with no IP rules).",
    enforcementLevel: "mandatory",
    baseline: "ASB NS-2 / Azure Policy 'Azure Key Vault should disable public network access'; CIS Azure 8.7 (private endpoints); SATRE: secure network",
    resourceTypes: [TYPES.vault],
    check: (r) => {
      const p = obj(r.inputs.properties);
      if (p.publicNetworkAccess === "Disabled") return [];
      const acls = obj(p.networkAcls);
      if (acls.defaultAction === "Deny" && list(acls.ipRules).length === 0) return [];
      return [`properties.publicNetworkAccess must be "Disabled" (found ${show(p.publicNetworkAccess)}) or properties.networkAcls must deny by default with no ipRules (found defaultAction ${show(acls.defaultAction)}, ${list(acls.ipRules).length} ipRules)`];
    },
  },
  {
    name: "keyvault-purge-protection",
    description: "Key Vaults have soft delete and purge protection, so deleted keys and secrets can be recovered.",
    enforcementLevel: "mandatory",
    baseline: "CIS Azure 8.5 (Key Vault is recoverable); ASB DP-8, BR-2; SATRE: data protection",
    resourceTypes: [TYPES.vault],
    check: (r) => {
      const p = obj(r.inputs.properties);
      const v: string[] = [];
      if (p.enablePurgeProtection !== true) v.push(`properties.enablePurgeProtection must be true (found ${show(p.enablePurgeProtection)})`);
      if (p.enableSoftDelete === false) v.push("properties.enableSoftDelete must not be false");
      return v;
    },
  },
  {
    name: "keyvault-rbac-authorization",
    description: "Key Vaults use Azure RBAC for data-plane access, not access policies.",
    enforcementLevel: "mandatory",
    baseline: "CIS Azure 8.6 (enable RBAC for Key Vault); ASB PA-7; SATRE: identity and access",
    resourceTypes: [TYPES.vault],
    check: (r) => {
      const p = obj(r.inputs.properties);
      const v: string[] = [];
      if (p.enableRbacAuthorization !== true) v.push(`properties.enableRbacAuthorization must be true (found ${show(p.enableRbacAuthorization)})`);
      if (list(p.accessPolicies).length > 0) v.push(`properties.accessPolicies must be empty with RBAC authorization (found ${list(p.accessPolicies).length})`);
      return v;
    },
  },
  {
    name: "storage-no-public-access",
    description: "Storage accounts are reachable only through private endpoints and never allow anonymous blob access.",
    enforcementLevel: "mandatory",
    baseline: "CIS Azure 3.7 (public network access disabled), 3.8 (default network access rule deny), 3.17 (no anonymous blob access); ASB NS-2; SATRE: secure network, data protection",
    resourceTypes: [TYPES.storageAccount],
    check: (r) => {
      const v: string[] = [];
      const rules = obj(r.inputs.networkRuleSet);
      const denied = rules.defaultAction === "Deny" && list(rules.ipRules).length === 0;
      if (r.inputs.publicNetworkAccess !== "Disabled" && !denied) {
        v.push(`publicNetworkAccess must be "Disabled" (found ${show(r.inputs.publicNetworkAccess)}) or networkRuleSet must deny by default with no ipRules`);
      }
      if (r.inputs.allowBlobPublicAccess !== false) v.push(`allowBlobPublicAccess must be false (found ${show(r.inputs.allowBlobPublicAccess)})`);
      return v;
    },
  },
  {
    name: "storage-secure-transport",
    description: "Storage accounts accept HTTPS only, with TLS 1.2 or later.",
    enforcementLevel: "mandatory",
    baseline: "CIS Azure 3.1 (secure transfer required), 3.15 (minimum TLS 1.2); ASB DP-3; SATRE: data protection",
    resourceTypes: [TYPES.storageAccount],
    check: (r) => {
      const v: string[] = [];
      if (r.inputs.minimumTlsVersion !== "TLS1_2" && r.inputs.minimumTlsVersion !== "TLS1_3") {
        v.push(`minimumTlsVersion must be "TLS1_2" or later (found ${show(r.inputs.minimumTlsVersion)}; the service default is TLS 1.0)`);
      }
      // The one documented exception: an NFS Azure Files account. "NFS file shares don't support an
      // encryption mechanism, so in order to use the NFS protocol to access an Azure file share, you
      // must disable require secure transfer" (https://learn.microsoft.com/en-us/azure/storage/files/storage-files-networking-overview#secure-transfer);
      // such an account is allowed only when it is premium FileStorage, private and key-less.
      const nfsFileAccount = r.inputs.kind === "FileStorage" && r.inputs.publicNetworkAccess === "Disabled" && r.inputs.allowSharedKeyAccess === false;
      if (r.inputs.enableHttpsTrafficOnly === false && !nfsFileAccount) {
        v.push("enableHttpsTrafficOnly must not be false (except on a private, key-less FileStorage account serving NFS shares)");
      }
      return v;
    },
  },
  {
    name: "storage-shared-key-disabled",
    description: "Storage accounts refuse shared-key (account key) authorization, so access is Entra ID only.",
    enforcementLevel: "advisory",
    baseline: "CIS Azure 3.3 (storage account key access disabled); ASB IM-1; SATRE: identity and access",
    resourceTypes: [TYPES.storageAccount],
    fix: 'k8tre:storage.fileShareProtocol "NFS" (SMB shares need account keys)',
    check: (r) => (r.inputs.allowSharedKeyAccess === false ? [] : [`allowSharedKeyAccess is ${show(r.inputs.allowSharedKeyAccess)}; set false unless a consumer (e.g. the Azure Files CSI driver over SMB) needs account keys`]),
  },
  {
    name: "appgw-waf-enabled",
    description: "Public Application Gateways run the WAF_v2 SKU with a WAF policy attached.",
    enforcementLevel: "mandatory",
    baseline: "ASB NS-6 (deploy a web application firewall); CIS Azure 6.x; SATRE: secure network (restricted public ingress)",
    resourceTypes: [TYPES.applicationGateway],
    check: (r) => {
      if (!isPublicGateway(r.inputs)) return [];
      const v: string[] = [];
      const sku = obj(r.inputs.sku);
      if (sku.tier !== "WAF_v2" || (sku.name !== undefined && sku.name !== "WAF_v2")) v.push(`sku must be WAF_v2 (found name ${show(sku.name)}, tier ${show(sku.tier)})`);
      // `in`, not a read: the policy's ID is unknown in a preview of a new stack, its presence is not.
      const fp = obj(r.inputs.firewallPolicy);
      if (!("id" in fp)) v.push("firewallPolicy.id must reference a WebApplicationFirewallPolicy");
      return v;
    },
  },
  {
    name: "appgw-tls-min-1-2",
    description: "Application Gateways set an explicit SSL policy whose minimum protocol is TLS 1.2.",
    enforcementLevel: "mandatory",
    baseline: "ASB DP-3 (encrypt data in transit); CIS Azure (TLS 1.2 minimum); SATRE: data protection",
    resourceTypes: [TYPES.applicationGateway],
    check: (r) => {
      const ssl = obj(r.inputs.sslPolicy);
      if (ssl.policyType === "Predefined") {
        return TLS12_PREDEFINED.has(ssl.policyName) ? [] : [`sslPolicy predefined policy ${show(ssl.policyName)} allows protocols older than TLS 1.2; use AppGwSslPolicy20220101S`];
      }
      if (ssl.policyType === "Custom" || ssl.policyType === "CustomV2") {
        const min = TLS_ORDER.indexOf(ssl.minProtocolVersion);
        return min >= TLS_ORDER.indexOf("TLSv1_2") ? [] : [`sslPolicy.minProtocolVersion must be TLSv1_2 or later (found ${show(ssl.minProtocolVersion)})`];
      }
      return [`sslPolicy must be set explicitly (policyType Predefined with AppGwSslPolicy20220101S, or CustomV2 with minProtocolVersion TLSv1_2); found ${show(r.inputs.sslPolicy)}`];
    },
  },
  {
    name: "waf-policy-prevention",
    description: "WAF policies are enabled, in Prevention mode (or Detection as a documented exception tagged k8tre-waf-detection-reason), with a managed rule set.",
    enforcementLevel: "mandatory",
    baseline: "ASB NS-6 (WAF in prevention mode); SATRE: secure network (restricted public ingress)",
    resourceTypes: [TYPES.wafPolicy],
    fix: 'k8tre:gateway.wafMode "Prevention" in the gateway stack (or, on an unprotected stack, k8tre:gateway.wafDetectionReason)',
    check: (r) => {
      const s = obj(r.inputs.policySettings);
      const v: string[] = [];
      // The config loader accepts Detection only with a reason on an unprotected stack and the
      // program tags it: config and policy accept exactly the same thing.
      const reason = obj(r.inputs.tags)[WAF_DETECTION_REASON_TAG];
      const documented = s.mode === "Detection" && typeof reason === "string" && reason.trim().length >= 10;
      if (s.mode !== "Prevention" && !documented) v.push(`policySettings.mode must be "Prevention" (found ${show(s.mode)}${s.mode === "Detection" ? ` without a ${WAF_DETECTION_REASON_TAG} tag` : ""})`);
      if (s.state !== "Enabled") v.push(`policySettings.state must be "Enabled" (found ${show(s.state)})`);
      if (list(obj(r.inputs.managedRules).managedRuleSets).length === 0) v.push("managedRules.managedRuleSets must include at least one managed rule set (e.g. OWASP 3.2 or Microsoft_DefaultRuleSet)");
      return v;
    },
  },
  {
    name: "diagnostics-to-log-analytics",
    description: "Key Vaults and Application Gateways send logs to Log Analytics (Key Vault audit events; gateway access and WAF logs).",
    enforcementLevel: "mandatory",
    baseline: "Azure built-in policy \"Resource logs in Key Vault should be enabled\"; CIS Azure 5.1.4 (Key Vault logging); ASB LT-3 (logging for security investigation), LT-5; SATRE: audit",
    resourceTypes: [TYPES.vault, TYPES.applicationGateway],
    scope: "stack",
    check: (r, ctx) => {
      const kind: DiagnosedResourceKind = r.type === TYPES.vault ? "keyVault" : "applicationGateway";
      const armName = kind === "keyVault" ? r.inputs.vaultName : r.inputs.applicationGatewayName;
      const armType = kind === "keyVault" ? "microsoft.keyvault/vaults" : "microsoft.network/applicationgateways";
      if (typeof armName !== "string") return ctx.notEvaluable(`the resource's name is not known yet (${kind === "keyVault" ? "vaultName" : "applicationGatewayName"})`);
      const settings = (ctx.stack ?? []).filter((d) => d.type === TYPES.diagnosticSetting);
      const suffix = `/providers/${armType}/${armName.toLowerCase()}`;
      const mine = settings.filter((d) => typeof d.inputs.resourceUri === "string" && d.inputs.resourceUri.toLowerCase().endsWith(suffix));
      const toWorkspace = mine.filter((d) => typeof d.inputs.workspaceId === "string" && d.inputs.workspaceId.length > 0);
      // A setting whose target is unknown (preview of a new stack: the resource ID comes with it) may be this one's.
      const unknownTarget = settings.some((d) => typeof d.inputs.resourceUri !== "string" || d.inputs.resourceUri === SYNTH_UNKNOWN);
      if (toWorkspace.length === 0 && unknownTarget) return ctx.notEvaluable("a diagnostic setting's resourceUri is not known until the resource it logs exists");
      if (toWorkspace.length === 0) return [`no diagnostic setting sends this resource's logs to a Log Analytics workspace (needs a monitor:DiagnosticSetting with resourceUri = this ${kind === "keyVault" ? "vault" : "gateway"} and workspaceId set)`];
      const enabled = new Set(toWorkspace.flatMap((d) => list(d.inputs.logs).filter((l) => l?.enabled === true)).flatMap((l) => [l.category, l.categoryGroup]).filter((c) => typeof c === "string"));
      if (enabled.has("allLogs")) return [];
      const missing = DIAGNOSTIC_LOG_CATEGORIES[kind].filter((c) => !enabled.has(c) && !(kind === "keyVault" && enabled.has("audit")));
      return missing.length ? [`the diagnostic setting to Log Analytics must enable the log categories ${missing.join(", ")} (found ${show([...enabled])})`] : [];
    },
  },
  {
    name: "vnet-flow-logs",
    description: "Every VNet has an enabled VNet flow log writing to a storage account in the VNet's region (NSG flow logs can no longer be created).",
    enforcementLevel: "mandatory",
    baseline: "Azure built-in policy \"Audit flow logs configuration for every virtual network\"; ASB LT-4 (network logging); SATRE: audit",
    resourceTypes: [TYPES.virtualNetwork],
    scope: "stack",
    check: (r, ctx) => {
      const name = r.inputs.virtualNetworkName;
      if (typeof name !== "string") return ctx.notEvaluable("the VNet's name is not known yet (virtualNetworkName)");
      const stack = ctx.stack ?? [];
      const logs = stack.filter((d) => d.type === TYPES.flowLog);
      const suffix = `/providers/microsoft.network/virtualnetworks/${name.toLowerCase()}`;
      const mine = logs.filter((d) => typeof d.inputs.targetResourceId === "string" && d.inputs.targetResourceId.toLowerCase().endsWith(suffix) && d.inputs.enabled !== false);
      if (mine.length === 0) {
        if (logs.some((d) => typeof d.inputs.targetResourceId !== "string" || d.inputs.targetResourceId === SYNTH_UNKNOWN)) return ctx.notEvaluable("a flow log's targetResourceId is not known until the VNet exists");
        return [`no enabled flow log targets this VNet (needs a network:FlowLog with targetResourceId = this VNet; NSG flow logs can no longer be created: https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview)`];
      }
      // The storage account must be in the VNet's region (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview).
      const accounts = stack.filter((d) => d.type === TYPES.storageAccount && typeof d.inputs.accountName === "string");
      const v: string[] = [];
      for (const log of mine) {
        const storageId = log.inputs.storageId;
        const account = typeof storageId === "string" ? accounts.find((a) => storageId.toLowerCase().endsWith(`/storageaccounts/${String(a.inputs.accountName).toLowerCase()}`)) : undefined;
        if (account && account.inputs.location !== r.inputs.location) v.push(`flow log ${log.name} writes to storage account ${String(account.inputs.accountName)} in ${show(account.inputs.location)}; it must be in the VNet's region ${show(r.inputs.location)}`);
      }
      return v;
    },
  },
  {
    name: "protect-stateful-resources",
    description: "Data-bearing resources (Key Vaults, storage accounts, private DNS zones) are protected from deletion.",
    enforcementLevel: "mandatory",
    baseline: "ASB BR-1/DP-8 (protect data from deletion); SATRE: data protection; K8TRE design: deleting data is an explicit operator act",
    resourceTypes: [TYPES.vault, TYPES.storageAccount, TYPES.privateZone],
    check: (r) => (r.protect === true ? [] : ["the resource must have the `protect: true` resource option"]),
  },
  {
    name: "k8s-no-cluster-admin-for-service-accounts",
    description: "No ClusterRoleBinding grants cluster-admin to a service account.",
    enforcementLevel: "mandatory",
    baseline: "CIS Kubernetes/AKS 4.1.1 (cluster-admin only where required), 4.1.8 (minimise bind/escalate); SATRE: identity and access (least privilege)",
    resourceTypes: [TYPES.clusterRoleBinding],
    check: (r) => {
      const ref = obj(r.inputs.roleRef);
      if (ref.name !== "cluster-admin" || (ref.kind !== undefined && ref.kind !== "ClusterRole")) return [];
      return list(r.inputs.subjects)
        .map(obj)
        .filter((s) => s.kind === "ServiceAccount" || (s.kind === "Group" && typeof s.name === "string" && s.name.startsWith("system:serviceaccounts")))
        .map((s) => `binds cluster-admin to ${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}; grant a narrower ClusterRole`);
    },
  },
  {
    name: "argocd-cluster-no-bearer-token",
    description: "ArgoCD cluster secrets authenticate with Entra workload identity (execProviderConfig), not long-lived bearer tokens.",
    enforcementLevel: "mandatory",
    baseline: "CIS Kubernetes/AKS 5.1.6 (no long-lived service account tokens); ASB IM-3 (managed identities); SATRE: identity and access",
    resourceTypes: [TYPES.secret],
    check: (r, ctx) => {
      const configs: string[] = [];
      for (const field of ["stringData", "data"] as const) {
        const d = r.inputs[field];
        if (d === SYNTH_SECRET && ctx.engine === "synth") ctx.notEvaluable(`${field} is a secret; its content is not in the offline plan`);
        const c = obj(d).config;
        if (typeof c === "string") configs.push(field === "data" ? Buffer.from(c, "base64").toString("utf8") : c);
      }
      const v: string[] = [];
      for (const c of configs) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(c);
        } catch {
          continue;
        }
        const token = obj(parsed).bearerToken;
        if (typeof token === "string" && token !== "") v.push("config.bearerToken is set; use execProviderConfig (kubelogin workload identity) instead of a static service account token");
      }
      return v;
    },
  },
  {
    name: "helm-chart-pinned",
    description: "Helm charts are pinned to an exact version and fetched over HTTPS or OCI.",
    enforcementLevel: "mandatory",
    baseline: "ASB DS-6/AM-5 (software supply chain, approved versions); SATRE: software and change management",
    resourceTypes: [TYPES.helmRelease, TYPES.helmChartV4],
    check: (r) => {
      const v: string[] = [];
      const chart = r.inputs.chart;
      const local = typeof chart === "string" && /^(\.{1,2}\/|\/)/.test(chart);
      if (r.inputs.version === undefined || r.inputs.version === "") {
        if (!local) v.push(`chart ${show(chart)} has no version: pin an exact version`);
      } else if (!isExactVersion(r.inputs.version)) {
        v.push(`chart ${show(chart)} version ${show(r.inputs.version)} is not an exact version (ranges, wildcards and "latest" are not allowed)`);
      }
      const repo = obj(r.inputs.repositoryOpts).repo;
      if (typeof repo === "string" && !/^(https|oci):\/\//.test(repo)) v.push(`repositoryOpts.repo ${show(repo)} must use https:// or oci://`);
      if (typeof chart === "string" && /^http:\/\//.test(chart)) v.push(`chart URL ${show(chart)} must use https://`);
      return v;
    },
  },
  {
    name: "no-plaintext-secrets",
    description: "Inputs named like credentials (password, secret, token, private key, kubeconfig, …) are Pulumi secrets, never plain text in state.",
    enforcementLevel: "mandatory",
    baseline: "ASB DP-6/IM-8 (secure credentials); CIS Kubernetes 5.4.1 (secrets not in plain config); SATRE: data protection",
    resourceTypes: ["*"],
    // CrossGuard hands validations fully unwrapped inputs (secretness is not visible), so this
    // rule runs in the offline synth, where secrets appear as "[secret]".
    engines: ["synth"],
    check: (r) => findPlaintextSecrets(r.inputs).map((p) => `input ${p} is plain text; wrap it with pulumi.secret()`),
  },
  // AWS (EKS platform): policy/aws.ts.
  ...awsRules,
];

export function ruleByName(name: string): ResourceRule {
  const r = rules.find((x) => x.name === name);
  if (!r) throw new Error(`no policy named ${name}`);
  return r;
}
