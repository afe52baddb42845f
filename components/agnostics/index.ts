/**
 * The agnostics layer: the platform-neutral in-cluster services every K8TRE environment needs —
 * secrets (ESO + `ClusterSecretStore secret-store`), storage classes (`rwo-default`,
 * `rwx-default`), ingress (the internal Cilium Gateway), DNS (ExternalDNS; kare-dns on k3s) and
 * certificates (cert-manager + ClusterIssuers). One small per-platform input
 * ({@link PlatformInputs}) carries every difference; the components do not branch on anything else.
 *
 * Ordering: every chart depends on `dependsOn` (the Cilium release: on a BYO-CNI cluster no pod
 * starts before it); custom resources depend on the release that installs their CRDs; the
 * Gateway depends on Cilium (Gateway API CRDs come with the cluster bootstrap).
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AgnosticsConfig } from "../../config/schema/agnostics";
import { Certificates } from "./certificates";
import { Dns } from "./dns";
import { GATEWAY_NAME, GATEWAY_NAMESPACE, Ingress } from "./ingress";
import type { PlatformInputs } from "./platform";
import { Secrets } from "./secrets";
import { StorageClasses } from "./storage";

export type { PlatformInputs } from "./platform";
export { dnsZoneFromId } from "./platform";

export interface AgnosticsArgs {
  readonly platform: PlatformInputs;
  /** The environment zone, e.g. dev.example.org. */
  readonly domain: string;
  /** Cluster name (ExternalDNS TXT owner, so two clusters never fight over a record). */
  readonly clusterName: string;
  /** The Cilium release (and anything else every chart must follow). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly config: AgnosticsConfig;
}

export interface AgnosticsOptions extends pulumi.ComponentResourceOptions {
  readonly provider: k8s.Provider;
}

export class Agnostics extends pulumi.ComponentResource {
  readonly secrets: Secrets;
  readonly storage: StorageClasses;
  readonly certificates: Certificates;
  readonly ingress: Ingress;
  readonly dns: Dns;
  /** `gw.<domain>`: the host the public gateway's backend pool targets. */
  readonly gatewayHost: string;
  readonly secretStoreName: string;

  constructor(name: string, args: AgnosticsArgs, opts: AgnosticsOptions) {
    // The provider reaches every child through the parent chain.
    const { provider, ...rest } = opts;
    super("k8tre:agnostics:Agnostics", name, {}, { ...rest, providers: { kubernetes: provider } });
    const { platform, config, dependsOn } = args;
    const networkPolicies = config.networkPolicies;
    const child = { parent: this };

    this.secrets = new Secrets(`${name}-secrets`, { platform, dependsOn, networkPolicies }, child);
    this.storage = new StorageClasses(`${name}-storage`, { platform, azureDiskSku: config.storage.azureDiskSku, dependsOn, networkPolicies }, child);
    this.certificates = new Certificates(
      `${name}-certs`,
      { platform, config: config.certificates, dependsOn, networkPolicies, gateway: { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE } },
      child,
    );
    const issuer = this.certificates.issuers[this.certificates.issuerName];
    this.ingress = new Ingress(
      `${name}-ingress`,
      {
        platform,
        domain: args.domain,
        issuer: { name: this.certificates.issuerName, resources: [this.certificates.release, issuer] },
        ingressController: config.ingressController,
        dependsOn,
        networkPolicies,
      },
      child,
    );
    this.dns = new Dns(
      `${name}-dns`,
      {
        platform,
        domain: args.domain,
        clusterName: args.clusterName,
        dependsOn,
        loadBalancer: this.ingress.loadBalancer,
        storage: [...this.storage.classes, ...(this.storage.release ? [this.storage.release] : [])],
        networkPolicies,
      },
      child,
    );
    this.gatewayHost = this.ingress.gatewayHost;
    this.secretStoreName = this.secrets.storeName;
    this.registerOutputs({ gatewayHost: this.gatewayHost, secretStoreName: this.secretStoreName, kareDnsClusterIp: this.dns.kareDnsClusterIp });
  }
}
