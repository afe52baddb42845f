/**
 * Certificates: cert-manager (with Gateway API support) and the `ClusterIssuer`s. A `selfsigned`
 * issuer always exists (dev, and bootstrap of internal CAs); the configured one is added:
 * Let's Encrypt DNS-01 through Azure DNS with workload identity or through Route53 with EKS Pod
 * Identity (ambient credentials of a ClusterIssuer), an institutional ACME server
 * (optionally with External Account Binding), or an institutional CA key pair.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AgnosticsConfig } from "../../config/schema/agnostics";
import { namespace, pinnedRelease, WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "./common";
import { WORKLOAD_IDENTITIES } from "./identities";
import { type NamespacePolicy, namespacePolicies, type PortSpec } from "./network-policy";
import { hostOf, type PlatformInputs, POD_IDENTITY_AGENT } from "./platform";

const CM = WORKLOAD_IDENTITIES.certManager;
type CertConfig = AgnosticsConfig["certificates"];

export const LETSENCRYPT = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;
export const DEFAULT_DNS01_NAMESERVERS = ["1.1.1.1:53", "8.8.8.8:53"] as const;

/** Names of the ClusterIssuers (K8TRE manifests reference `selfsigned` and `letsencrypt-ca`). */
export const ISSUER_NAMES = { selfsigned: "selfsigned", letsencrypt: "letsencrypt-ca", acme: "acme", ca: "institutional-ca" } as const;

export function issuerName(c: CertConfig): string {
  return ISSUER_NAMES[c.issuer];
}

/** The ACME directory the configured issuer talks to, if any. */
export function acmeServer(c: CertConfig): string | undefined {
  if (c.issuer === "letsencrypt") return c.letsencryptStaging ? LETSENCRYPT.staging : LETSENCRYPT.production;
  if (c.issuer === "acme") return c.acmeServer;
  return undefined;
}

/** DNS-01 is used when the public zone is known (Azure DNS or Route53); its self-check needs public resolvers. */
function usesPublicDns01(c: CertConfig, platform: PlatformInputs): boolean {
  const publicZone = (platform.kind === "azure" && platform.publicDnsZone !== undefined) || (platform.kind === "aws" && platform.publicZoneId !== undefined);
  return (c.issuer === "letsencrypt" || c.issuer === "acme") && publicZone;
}

/** Leaf paths of {@link certManagerValues}; each must be a key of the pinned chart (its schema is strict). */
export const CERT_MANAGER_VALUE_PATHS = [
  "crds.enabled",
  "config.gatewayAPI.enabled",
  "serviceAccount.name",
  "serviceAccount.annotations",
  "podLabels",
  "dns01RecursiveNameservers",
  "dns01RecursiveNameserversOnly",
] as const;

export function certManagerValues(platform: PlatformInputs, c: CertConfig): Record<string, unknown> {
  const values: Record<string, unknown> = {
    crds: { enabled: true },
    config: { gatewayAPI: { enabled: true } },
    serviceAccount: { name: CM.serviceAccount } as Record<string, unknown>,
  };
  if (platform.kind === "azure") {
    values.serviceAccount = { name: CM.serviceAccount, annotations: { [WI_CLIENT_ID_ANNOTATION]: platform.identities.certManager.clientId } };
    values.podLabels = { [WI_USE_LABEL]: "true" };
  }
  if (usesPublicDns01(c, platform)) {
    // Inside the cluster the environment domain resolves from the private zone, which cannot
    // see the public TXT record: check propagation against public resolvers only.
    values.dns01RecursiveNameservers = (c.dns01Nameservers ?? DEFAULT_DNS01_NAMESERVERS).join(",");
    values.dns01RecursiveNameserversOnly = true;
  }
  return values;
}

function publicDnsSolver(platform: PlatformInputs): Record<string, unknown> | undefined {
  if (platform.kind === "aws" && platform.publicZoneId) {
    // https://cert-manager.io/docs/configuration/acme/dns01/route53/ — no credentials in the
    // issuer: a ClusterIssuer may use the controller's ambient (Pod Identity) credentials.
    return { dns01: { route53: { region: platform.region, hostedZoneID: platform.publicZoneId } } };
  }
  if (platform.kind !== "azure" || !platform.publicDnsZone) return undefined;
  const z = platform.publicDnsZone;
  return {
    dns01: {
      azureDNS: {
        subscriptionID: z.subscriptionId,
        resourceGroupName: z.resourceGroup,
        hostedZoneName: z.name,
        environment: "AzurePublicCloud",
        managedIdentity: { clientID: platform.identities.certManager.clientId },
      },
    },
  };
}

/** The ClusterIssuer specs to declare, by name (`selfsigned` always, plus the configured one). */
export function issuerSpecs(platform: PlatformInputs, c: CertConfig, gateway: { name: string; namespace: string }): Record<string, Record<string, unknown>> {
  const specs: Record<string, Record<string, unknown>> = { [ISSUER_NAMES.selfsigned]: { selfSigned: {} } };
  switch (c.issuer) {
    case "selfsigned":
      break;
    case "letsencrypt": {
      const solver = publicDnsSolver(platform);
      if (!solver) throw new Error("the letsencrypt issuer needs a public DNS zone (k8tre:dns.publicZoneId on Azure, k8tre:dns.route53PublicZoneId on AWS)");
      specs[ISSUER_NAMES.letsencrypt] = {
        acme: { server: acmeServer(c), email: c.email, privateKeySecretRef: { name: ISSUER_NAMES.letsencrypt }, solvers: [solver] },
      };
      break;
    }
    case "acme": {
      // DNS-01 where a public Azure zone exists (needed for the wildcard gateway certificate);
      // otherwise HTTP-01 through the internal gateway, which suits servers that pre-validate
      // the domain through External Account Binding.
      const solver = publicDnsSolver(platform) ?? {
        http01: { gatewayHTTPRoute: { parentRefs: [{ name: gateway.name, namespace: gateway.namespace, kind: "Gateway", sectionName: "http" }] } },
      };
      specs[ISSUER_NAMES.acme] = {
        acme: {
          server: c.acmeServer,
          email: c.email,
          privateKeySecretRef: { name: ISSUER_NAMES.acme },
          ...(c.eabKeyId ? { externalAccountBinding: { keyID: c.eabKeyId, keySecretRef: { name: c.eabSecretName, key: "secret" } } } : {}),
          solvers: [solver],
        },
      };
      break;
    }
    case "ca":
      specs[ISSUER_NAMES.ca] = { ca: { secretName: c.caSecretName } };
      break;
  }
  return specs;
}

/** cert-manager egress: API server; on Azure Entra ID and ARM (DNS-01); the ACME server; public resolvers. */
export function certManagerPolicy(platform: PlatformInputs, c: CertConfig): NamespacePolicy {
  const fqdns: string[] = [];
  if (platform.kind === "azure") fqdns.push("login.microsoftonline.com", "management.azure.com");
  if (platform.kind === "aws" && platform.publicZoneId) fqdns.push("route53.amazonaws.com");
  const server = acmeServer(c);
  if (server) fqdns.push(hostOf(server));
  const dnsPorts: PortSpec[] = [
    { port: "53", protocol: "UDP" },
    { port: "53", protocol: "TCP" },
  ];
  const resolvers = usesPublicDns01(c, platform) ? (c.dns01Nameservers ?? DEFAULT_DNS01_NAMESERVERS).map((r) => r.split(":")[0]) : [];
  return {
    namespace: CM.namespace,
    kubeApiserver: true,
    webhookIngress: true,
    fqdns,
    cidrEgress: [
      ...resolvers.map((ip) => ({ cidr: `${ip}/32`, ports: dnsPorts })),
      ...(platform.kind === "aws" && platform.publicZoneId ? [{ cidr: POD_IDENTITY_AGENT.cidr, ports: [{ port: POD_IDENTITY_AGENT.port, protocol: "TCP" as const }] }] : []),
    ],
  };
}

export interface CertificatesArgs {
  readonly platform: PlatformInputs;
  readonly config: CertConfig;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly networkPolicies: boolean;
  /** The gateway an HTTP-01 solver attaches to. */
  readonly gateway: { name: string; namespace: string };
}

export class Certificates extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly issuers: Record<string, k8s.apiextensions.CustomResource> = {};
  /** The ClusterIssuer the gateway certificate uses. */
  readonly issuerName: string;

  constructor(name: string, args: CertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:agnostics:Certificates", name, {}, opts);
    const ns = namespace(CM.namespace, this);
    const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, ns];
    if (args.networkPolicies) {
      before.push(...namespacePolicies(`${name}-cm`, CM.namespace, certManagerPolicy(args.platform, args.config), { parent: this, dependsOn: [...args.dependsOn, ns] }));
    }
    this.release = pinnedRelease(`${name}-cert-manager`, "certManager", {
      name: "cert-manager",
      namespace: CM.namespace,
      values: certManagerValues(args.platform, args.config),
      dependsOn: before,
      parent: this,
    });
    for (const [issuer, spec] of Object.entries(issuerSpecs(args.platform, args.config, args.gateway))) {
      this.issuers[issuer] = new k8s.apiextensions.CustomResource(
        `${name}-issuer-${issuer}`,
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: issuer }, spec },
        { parent: this, dependsOn: [this.release] },
      );
    }
    this.issuerName = issuerName(args.config);
    this.registerOutputs({ issuerName: this.issuerName });
  }
}
