/**
 * The small per-platform input of the agnostics layer. Everything that differs between
 * platforms (secret store backend, DNS provider, storage backends, load-balancer annotations)
 * is derived from this union by small pure functions keyed on `kind`, so a new platform (AWS)
 * adds one union member and one case per function; the components themselves do not change.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface AzureDnsZoneRef {
  readonly name: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
}

export interface AzurePlatform {
  readonly kind: "azure";
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** The environment Key Vault, e.g. https://kv-k8tre-dev-uks-ab12.vault.azure.net/ */
  readonly keyVaultUri: pulumi.Input<string>;
  /** The environment's private DNS zone (ExternalDNS writes here). */
  readonly dnsZoneName: pulumi.Input<string>;
  readonly dnsZoneResourceGroup: pulumi.Input<string>;
  readonly dnsZoneSubscriptionId: pulumi.Input<string>;
  /** Public zone for Let's Encrypt / ACME DNS-01 (cert-manager writes TXT records here). */
  readonly publicDnsZone?: AzureDnsZoneRef;
  /** Client IDs of the user-assigned identities the environment stack federated to our service accounts. */
  readonly identities: {
    readonly externalDns: { readonly clientId: pulumi.Input<string> };
    readonly externalSecrets: { readonly clientId: pulumi.Input<string> };
    readonly certManager: { readonly clientId: pulumi.Input<string> };
  };
  /** The environment's Premium FileStorage account behind rwx-default (Azure Files). */
  readonly storageAccountName: pulumi.Input<string>;
  readonly storageResourceGroup: pulumi.Input<string>;
  /**
   * The cluster's node subnet, for the NFS class: the Azure Files CSI driver checks that this one
   * subnet has the `Microsoft.Storage` service endpoint (the network stack declares it) instead of
   * listing, and writing to, every subnet of the VNet.
   */
  readonly nodeSubnet?: { readonly vnetResourceGroup: pulumi.Input<string>; readonly vnetName: pulumi.Input<string>; readonly subnetName: pulumi.Input<string> };
  /** Subnet (name, in the cluster's VNet) the internal load balancers take their IPs from. */
  readonly ingressSubnetName: pulumi.Input<string>;
  readonly location: string;
  /** Protocol of the rwx-default Azure Files class (k8tre:storage.fileShareProtocol). */
  readonly fileShareProtocol?: "NFS" | "SMB";
}

export interface K3sPlatform {
  readonly kind: "k3s";
  /** MetalLB L2 pool: `a.b.c.d-a.b.c.e` or a CIDR. */
  readonly metallbAddressPool: string;
  /** Fixed LoadBalancer IP of kare-dns (inside the pool), for host split-DNS. */
  readonly kareDnsIp?: string;
  /** Fixed ClusterIP of kare-dns (inside the service CIDR); the cluster CoreDNS forwards to it. */
  readonly kareDnsClusterIp: string;
  readonly storageBackend: "longhorn" | "nfs";
  readonly nfs?: { readonly server: string; readonly path: string };
  /** Longhorn replica count of rwo-default / rwx-default. */
  readonly longhornReplicas?: number;
}

export interface AwsPlatform {
  readonly kind: "aws";
  readonly region: string;
  /** The EKS cluster name (AWS Load Balancer Controller, ExternalDNS ownership). */
  readonly clusterName: string;
  /** The VPC the load balancer controller works in (explicit: pods cannot reach IMDS with hop limit 1). */
  readonly vpcId: pulumi.Input<string>;
  /** Networks the internal load balancer admits (the VPC CIDR and the institution's networks). */
  readonly loadBalancerSourceRanges: pulumi.Input<string[]>;
  /** Where ESO reads the environment's secrets (Pod Identity, scoped to the environment's prefix). */
  readonly secretBackend: "SecretsManager" | "ParameterStore";
  /** The environment's private Route53 zone (ExternalDNS writes here, zone-id filter). */
  readonly privateZoneId: pulumi.Input<string>;
  /** Public Route53 zone for ACME DNS-01 (cert-manager writes `_acme-challenge` TXT records). */
  readonly publicZoneId?: string;
  /** The environment's KMS key (EBS volumes of rwo-default). */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** The environment's EFS file system (rwx-default access points). */
  readonly fileSystemId: pulumi.Input<string>;
}

export type PlatformInputs = AzurePlatform | AwsPlatform | K3sPlatform;

/** The link-local address of the EKS Pod Identity agent (every AWS-calling pod needs it). https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: "80" } as const;

/** Parses an Azure DNS zone resource ID (`k8tre:dns.publicZoneId`) into its parts. */
export function dnsZoneFromId(id: string): AzureDnsZoneRef {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/(?:dnsZones|privateDnsZones)\/([^/]+)$/i.exec(id);
  if (!m) throw new Error(`not an Azure DNS zone ID: ${id}`);
  return { subscriptionId: m[1], resourceGroup: m[2], name: m[3] };
}

/** Host name part of a URL (`https://kv.vault.azure.net/` → `kv.vault.azure.net`). */
export function hostOf(url: string): string {
  return new URL(url).hostname;
}
