/**
 * The public entry point: Application Gateway WAF_v2 with a WAF policy (Microsoft Default Rule
 * Set 2.1 + bot protection), autoscaling across zones, TLS 1.2+ only, HTTP->HTTPS redirects,
 * and per environment an HTTPS listener for `<env>.<domain>` and `*.<env>.<domain>` (or the apex)
 * forwarding to that environment's internal Cilium gateway `gw.<env domain>` over HTTPS.
 *
 * Everything the gateway's inputs contain is computed by {@link gatewayPlan}, a pure function:
 * sub-resource references are ID strings built from the gateway's own (known) ID, so the plan is
 * the same in a preview as in a deployment, and unit tests read it without Pulumi.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { sendResourceLogs } from "../monitoring/diagnostics";
import { assignRole } from "../roleAssignment";
import { WAF_DETECTION_REASON_TAG } from "../../../config/schema/network";

export interface ListenerInput {
  readonly environment: string;
  readonly certificateSecretName: string;
  /** Serve `<domain>` and `*.<domain>` instead of `<env>.<domain>`. */
  readonly apex: boolean;
}

export interface RoutePlan {
  readonly environment: string;
  /** The environment's DNS domain: `<env>.<domain>`, or `<domain>` for the apex. */
  readonly envDomain: string;
  readonly hostNames: readonly string[];
  /** The environment's internal gateway, resolved through its private zone. */
  readonly backendFqdn: string;
  readonly httpsPriority: number;
  readonly redirectPriority: number;
}

/** Names of the gateway's fixed sub-resources. */
export const FIXED = {
  gatewayIpConfig: "gwip",
  frontendIp: "fip-public",
  httpPort: "port-80",
  httpsPort: "port-443",
} as const;

/** Rule priorities: HTTPS rules from 100, redirect rules from 1000, 10 apart. */
export const PRIORITY = { https: 100, redirect: 1000, step: 10 } as const;

/**
 * Listener order = rule priority order. Application Gateway v2 evaluates listeners by their
 * rules' priority, and `*.<domain>` also matches `x.dev.<domain>`: the apex listener goes last
 * so its wildcard never takes another environment's traffic. Other environments keep config order
 * (their host sets are disjoint).
 */
export function routePlan(listeners: readonly ListenerInput[], domain: string): RoutePlan[] {
  const ordered = [...listeners.filter((l) => !l.apex), ...listeners.filter((l) => l.apex)];
  return ordered.map((l, i) => {
    const envDomain = l.apex ? domain : `${l.environment}.${domain}`;
    return {
      environment: l.environment,
      envDomain,
      hostNames: [envDomain, `*.${envDomain}`],
      backendFqdn: `gw.${envDomain}`,
      httpsPriority: PRIORITY.https + i * PRIORITY.step,
      redirectPriority: PRIORITY.redirect + i * PRIORITY.step,
    };
  });
}

export interface GatewayPlanInput {
  /** The gateway's own ARM ID (sub-resource references are built from it). */
  readonly gatewayId: string;
  readonly domain: string;
  readonly listeners: readonly ListenerInput[];
  /** Versionless Key Vault secret ID of a certificate, by secret name. */
  readonly certificateSecretId: (secretName: string) => pulumi.Input<string>;
}

const ref = (gatewayId: string, collection: string, name: string) => ({ id: `${gatewayId}/${collection}/${name}` });

/** The gateway's listener/routing inputs (everything but the subnet, public IP, SKU and policy). */
export function gatewayPlan(input: GatewayPlanInput) {
  const { gatewayId: g } = input;
  const routes = routePlan(input.listeners, input.domain);
  const byEnv = new Map(input.listeners.map((l) => [l.environment, l]));
  const n = (kind: string, env: string) => `${kind}-${env}`;
  return {
    routes,
    frontendPorts: [
      { name: FIXED.httpPort, port: 80 },
      { name: FIXED.httpsPort, port: 443 },
    ],
    sslCertificates: routes.map((r) => ({
      name: n("cert", r.environment),
      keyVaultSecretId: input.certificateSecretId(byEnv.get(r.environment)!.certificateSecretName),
    })),
    httpListeners: routes.flatMap((r) => [
      {
        name: n("https", r.environment),
        frontendIPConfiguration: ref(g, "frontendIPConfigurations", FIXED.frontendIp),
        frontendPort: ref(g, "frontendPorts", FIXED.httpsPort),
        protocol: "Https",
        hostNames: [...r.hostNames],
        requireServerNameIndication: true,
        sslCertificate: ref(g, "sslCertificates", n("cert", r.environment)),
      },
      {
        name: n("http", r.environment),
        frontendIPConfiguration: ref(g, "frontendIPConfigurations", FIXED.frontendIp),
        frontendPort: ref(g, "frontendPorts", FIXED.httpPort),
        protocol: "Http",
        hostNames: [...r.hostNames],
      },
    ]),
    backendAddressPools: routes.map((r) => ({ name: n("pool", r.environment), backendAddresses: [{ fqdn: r.backendFqdn }] })),
    probes: routes.map((r) => ({
      name: n("probe", r.environment),
      protocol: "Https",
      host: r.backendFqdn,
      path: "/",
      interval: 30,
      timeout: 30,
      unhealthyThreshold: 3,
      pickHostNameFromBackendHttpSettings: false,
      // The probe checks that the environment's gateway answers; it has no route for its own
      // host name, so Envoy's 404 counts as healthy (a dead gateway gives no answer or a 5xx).
      match: { statusCodes: ["200-399", "404"] },
    })),
    backendHttpSettingsCollection: routes.map((r) => ({
      name: n("https-settings", r.environment),
      port: 443,
      protocol: "Https",
      cookieBasedAffinity: "Disabled",
      requestTimeout: 60,
      // The original Host header reaches the internal gateway, which routes on it.
      pickHostNameFromBackendAddress: false,
      probe: ref(g, "probes", n("probe", r.environment)),
    })),
    redirectConfigurations: routes.map((r) => ({
      name: n("redirect", r.environment),
      redirectType: "Permanent",
      targetListener: ref(g, "httpListeners", n("https", r.environment)),
      includePath: true,
      includeQueryString: true,
    })),
    requestRoutingRules: routes.flatMap((r) => [
      {
        name: n("rule-https", r.environment),
        ruleType: "Basic",
        priority: r.httpsPriority,
        httpListener: ref(g, "httpListeners", n("https", r.environment)),
        backendAddressPool: ref(g, "backendAddressPools", n("pool", r.environment)),
        backendHttpSettings: ref(g, "backendHttpSettingsCollection", n("https-settings", r.environment)),
      },
      {
        name: n("rule-redirect", r.environment),
        ruleType: "Basic",
        priority: r.redirectPriority,
        httpListener: ref(g, "httpListeners", n("http", r.environment)),
        redirectConfiguration: ref(g, "redirectConfigurations", n("redirect", r.environment)),
      },
    ]),
  };
}

/** TLS 1.2+ with only strong (ECDHE, GCM) cipher suites: Azure's AppGwSslPolicy20220101S. */
export const SSL_POLICY = { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" } as const;

/** Managed rule sets of the WAF policy. */
export const MANAGED_RULE_SETS = [
  { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" },
  { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.0" },
] as const;

/** WAF custom rule that blocks every source outside the allow-list (none when the list is empty). */
export function allowListRules(allowedSourceCidrs: readonly string[]) {
  if (!allowedSourceCidrs.length) return [];
  return [
    {
      name: "BlockOutsideAllowList",
      priority: 1,
      ruleType: "MatchRule",
      action: "Block",
      state: "Enabled",
      matchConditions: [{ matchVariables: [{ variableName: "RemoteAddr" }], operator: "IPMatch", negationConditon: true, matchValues: [...allowedSourceCidrs] }],
    },
  ];
}

export interface PublicGatewayArgs {
  /** Deploy the gateway itself (false on the first deploy, before certificates are imported). */
  readonly enabled: boolean;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  /** The resource group resource, when this program creates it (every child waits for it). */
  readonly resourceGroup?: pulumi.Resource;
  readonly location: string;
  readonly names: { readonly gateway: string; readonly publicIp: string; readonly dnsLabel: string; readonly wafPolicy: string; readonly identity: string };
  readonly subnetId: pulumi.Input<string>;
  readonly zones: readonly string[];
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly wafMode: "Prevention" | "Detection";
  /** Why Detection mode is an accepted exception; tagged on the WAF policy (policy waf-policy-prevention reads it). */
  readonly wafDetectionReason?: string;
  /** Sources allowed to reach the gateway (WAF rule); the network stack's allow-list, also on the subnet's NSG. */
  readonly allowedSourceCidrs: pulumi.Input<readonly string[]>;
  readonly domain: string;
  readonly listeners: readonly ListenerInput[];
  readonly certificateVault: {
    readonly id: pulumi.Input<string>;
    /** Provider of the vault's subscription (the role assignment lives there). */
    readonly provider: pulumi.ProviderResource;
  };
  /** Verified versionless secret IDs by secret name. */
  readonly certificateSecretIds: pulumi.Input<Record<string, string>>;
  /** Where the gateway's access and WAF logs go (a diagnostic setting). */
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
  readonly tags?: Record<string, string>;
}

/** The public WAF gateway, its public IP, policy, and the identity that reads certificates. */
export class PublicGateway extends pulumi.ComponentResource {
  readonly publicIp: pulumi.Output<string | undefined>;
  readonly fqdn: pulumi.Output<string | undefined>;
  readonly identityPrincipalId: pulumi.Output<string>;
  readonly gateway?: network.ApplicationGateway;
  readonly roleAssignment: authorization.RoleAssignment;

  /** `opts.provider`: the subscription of the gateway subnet (a gateway must live in its VNet's subscription). */
  constructor(name: string, args: PublicGatewayArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:gateway:PublicGateway", name, {}, opts);
    const provider = opts.provider;
    const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
    const inRg = args.resourceGroup ? [args.resourceGroup] : [];

    const identity = new managedidentity.UserAssignedIdentity(`${name}-identity`, { resourceName: args.names.identity, ...common }, { parent: this, provider, dependsOn: inRg });
    // Read-only access to secrets (certificates' private keys) in this one vault, nothing else.
    this.roleAssignment = assignRole(
      `${name}-kv-secrets-user`,
      { scope: args.certificateVault.id, role: "keyVaultSecretsUser", principalId: identity.principalId, description: "Application Gateway reads TLS certificates" },
      { parent: this, provider: args.certificateVault.provider },
    );

    const pip = new network.PublicIPAddress(
      `${name}-pip`,
      {
        publicIpAddressName: args.names.publicIp,
        ...common,
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv4",
        zones: [...args.zones],
        dnsSettings: { domainNameLabel: args.names.dnsLabel },
      },
      { parent: this, provider, dependsOn: inRg },
    );

    const policy = new network.WebApplicationFirewallPolicy(
      `${name}-waf`,
      {
        policyName: args.names.wafPolicy,
        ...common,
        ...(args.wafMode === "Detection" && args.wafDetectionReason ? { tags: { ...args.tags, [WAF_DETECTION_REASON_TAG]: args.wafDetectionReason } } : {}),
        policySettings: { state: "Enabled", mode: args.wafMode, requestBodyCheck: true, maxRequestBodySizeInKb: 128, fileUploadLimitInMb: 100 },
        managedRules: { managedRuleSets: MANAGED_RULE_SETS.map((s) => ({ ...s })) },
        customRules: pulumi.output(args.allowedSourceCidrs).apply((cidrs) => allowListRules(cidrs)),
      },
      { parent: this, provider, dependsOn: inRg },
    );

    if (args.enabled) {
      const gatewayId = `/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Network/applicationGateways/${args.names.gateway}`;
      const secretIds = pulumi.output(args.certificateSecretIds);
      const plan = gatewayPlan({
        gatewayId,
        domain: args.domain,
        listeners: args.listeners,
        certificateSecretId: (secretName) => secretIds.apply((ids) => ids[secretName]),
      });
      const { routes: _routes, ...inputs } = plan;
      this.gateway = new network.ApplicationGateway(
        `${name}-agw`,
        {
          applicationGatewayName: args.names.gateway,
          ...common,
          sku: { name: "WAF_v2", tier: "WAF_v2" },
          autoscaleConfiguration: { minCapacity: args.minCapacity, maxCapacity: args.maxCapacity },
          zones: [...args.zones],
          identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
          firewallPolicy: { id: policy.id },
          sslPolicy: { ...SSL_POLICY },
          gatewayIPConfigurations: [{ name: FIXED.gatewayIpConfig, subnet: { id: args.subnetId } }],
          frontendIPConfigurations: [{ name: FIXED.frontendIp, publicIPAddress: { id: pip.id } }],
          ...inputs,
        },
        // Key Vault access must exist before the gateway first fetches its certificates.
        { parent: this, provider, dependsOn: [this.roleAssignment] },
      );
      // Access and WAF logs (every request, every rule match) to Log Analytics.
      sendResourceLogs(`${name}-agw-logs`, { kind: "applicationGateway", resourceId: this.gateway.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this, provider });
    }

    this.publicIp = pip.ipAddress;
    this.fqdn = pip.dnsSettings.apply((d) => d?.fqdn);
    this.identityPrincipalId = identity.principalId;
    this.registerOutputs({ publicIp: this.publicIp, fqdn: this.fqdn, identityPrincipalId: this.identityPrincipalId });
  }
}
