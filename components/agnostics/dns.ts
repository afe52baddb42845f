/**
 * DNS: ExternalDNS watching Services, HTTPRoutes and GRPCRoutes. Azure: the environment's
 * private DNS zone through workload identity (domain filter = the zone, TXT owner = the
 * cluster). AWS: the environment's private Route53 zone through EKS Pod Identity (zone-id
 * filter: the IAM role can write that zone only anyway). k3s: kare-dns — a dedicated CoreDNS, authoritative for the environment domain,
 * serving the records ExternalDNS's CoreDNS provider writes into a small etcd — plus the
 * `coredns-custom` ConfigMap K3s's CoreDNS imports (`*.server`), forwarding the domain to
 * kare-dns's fixed ClusterIP. All declarative: no Jobs rewriting Corefiles.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Address4 } from "ip-address";
import { nthAddress, parseCidr } from "../../config/cidr";
import { rangeBounds } from "../../config/schema/agnostics";
import { VERSIONS } from "../kubernetes/versions";
import { namespace, pinnedRelease, WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "./common";
import { WORKLOAD_IDENTITIES } from "./identities";
import { loadBalancerAnnotations } from "./ingress";
import { DNS_PORTS, type NamespacePolicy, namespacePolicies, TCP } from "./network-policy";
import { type PlatformInputs, POD_IDENTITY_AGENT } from "./platform";
import { RWO_CLASS } from "./storage";

const EDNS = WORKLOAD_IDENTITIES.externalDns;
export const KARE_DNS_NAMESPACE = "kare-dns";
export const KARE_DNS_RELEASE = "kare-dns";
export const ETCD_SERVICE = "etcd";
export const ETCD_URL = `http://${ETCD_SERVICE}.${KARE_DNS_NAMESPACE}.svc.cluster.local:2379`;
export const AZURE_CONFIG_NAME = "external-dns-azure";
/** Sources ExternalDNS watches (the chart adds the Gateway API RBAC for the route sources). */
export const EXTERNAL_DNS_SOURCES = ["service", "gateway-httproute", "gateway-grpcroute"] as const;

/** Leaf paths of {@link externalDnsValues}; each must be a key of the pinned chart. */
export const EXTERNAL_DNS_VALUE_PATHS = [
  "fullnameOverride",
  "provider.name",
  "sources",
  "domainFilters",
  "policy",
  "txtOwnerId",
  "extraArgs",
  "serviceAccount.name",
  "serviceAccount.annotations",
  "podLabels",
  "env",
  "extraVolumes",
  "extraVolumeMounts",
] as const;

/**
 * The default fixed ClusterIP of kare-dns: the 53rd address of the service CIDR, or the last of
 * the low band Kubernetes reserves for static allocation (KEP-3070: min(max(16, size/16), 256)
 * addresses) when the CIDR is too small — so the dynamic allocator never hands it out first.
 */
export function defaultKareDnsClusterIp(serviceCidr: string): string {
  const c = parseCidr(serviceCidr);
  if (typeof c === "string") throw new Error(`service CIDR ${serviceCidr}: expected ${c}`);
  const size = Number(c.last - c.first + 1n);
  const band = Math.min(Math.max(16, Math.floor(size / 16)), 256);
  return nthAddress(c, band > 53 ? 53 : band - 2);
}

/**
 * The default kare-dns LoadBalancer IP: the last address of the MetalLB pool. MetalLB hands out
 * free addresses from the start of the pool, so the gateway never takes it first.
 */
export function defaultKareDnsIp(pool: string): string {
  const b = rangeBounds(pool);
  if (typeof b === "string") throw new Error(`MetalLB pool ${pool}: expected ${b}`);
  const isCidr = pool.includes("/");
  // A CIDR's last address is its broadcast address on an L2 segment: use the one before it.
  return Address4.fromBigInt(isCidr ? b.last - 1n : b.last).address;
}

/** The `azure.json` ExternalDNS reads (IDs only, no credentials: workload identity supplies the token). */
export function azureDnsConfig(platform: Extract<PlatformInputs, { kind: "azure" }>): Record<string, unknown> {
  return {
    tenantId: platform.tenantId,
    subscriptionId: platform.dnsZoneSubscriptionId,
    resourceGroup: platform.dnsZoneResourceGroup,
    useWorkloadIdentityExtension: true,
  };
}

export function externalDnsValues(platform: PlatformInputs, domain: string, clusterName: string): Record<string, unknown> {
  const common = {
    fullnameOverride: "external-dns",
    sources: [...EXTERNAL_DNS_SOURCES],
    policy: "sync",
    txtOwnerId: clusterName,
    // TXT ownership records cannot start with `a-*` in most providers: name them `a-wildcard`.
    extraArgs: { "txt-wildcard-replacement": "wildcard" },
  };
  switch (platform.kind) {
    case "azure":
      return {
        ...common,
        provider: { name: "azure-private-dns" },
        domainFilters: [platform.dnsZoneName],
        serviceAccount: { name: EDNS.serviceAccount, annotations: { [WI_CLIENT_ID_ANNOTATION]: platform.identities.externalDns.clientId } },
        podLabels: { [WI_USE_LABEL]: "true" },
        extraVolumes: [{ name: "azure-config-file", configMap: { name: AZURE_CONFIG_NAME } }],
        extraVolumeMounts: [{ name: "azure-config-file", mountPath: "/etc/kubernetes", readOnly: true }],
      };
    case "aws":
      // https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/ (private zone,
      // one zone by ID; region for the SDK, credentials from the Pod Identity agent).
      return {
        ...common,
        provider: { name: "aws" },
        domainFilters: [domain],
        extraArgs: { ...common.extraArgs, "aws-zone-type": "private", "zone-id-filter": platform.privateZoneId },
        serviceAccount: { name: EDNS.serviceAccount },
        env: [{ name: "AWS_DEFAULT_REGION", value: platform.region }],
      };
    case "k3s":
      return {
        ...common,
        provider: { name: "coredns" },
        domainFilters: [domain],
        serviceAccount: { name: EDNS.serviceAccount },
        env: [{ name: "ETCD_URLS", value: ETCD_URL }],
      };
  }
}

/** Leaf paths of {@link kareDnsValues}; each must be a key of the pinned chart. */
export const KARE_DNS_VALUE_PATHS = ["fullnameOverride", "isClusterService", "replicaCount", "serviceType", "service.clusterIP", "service.annotations", "servers"] as const;

/** The kare-dns server block: authoritative for the domain only (no recursion for the LAN). */
export function kareDnsServers(domain: string): Record<string, unknown>[] {
  const apex = domain.replace(/\./g, "\\.");
  return [
    {
      zones: [{ zone: domain, use_tcp: true }],
      port: 53,
      plugins: [
        { name: "errors" },
        { name: "health", configBlock: "lameduck 5s" },
        { name: "ready" },
        { name: "etcd", parameters: domain, configBlock: `stubzones\npath /skydns\nendpoint ${ETCD_URL}` },
        {
          name: "template",
          parameters: `IN SOA ${domain}.`,
          configBlock: `match ^${apex}\\.$\nanswer "{{ .Name }} 60 IN SOA ns1.${domain}. hostmaster.${domain}. 1 3600 1800 604800 60"\nfallthrough`,
        },
        { name: "template", parameters: `IN NS ${domain}.`, configBlock: `match ^${apex}\\.$\nanswer "{{ .Name }} 60 IN NS ns1.${domain}."\nfallthrough` },
        { name: "cache", parameters: "30" },
      ],
    },
  ];
}

export function kareDnsValues(platform: Extract<PlatformInputs, { kind: "k3s" }>, domain: string): Record<string, unknown> {
  return {
    fullnameOverride: KARE_DNS_RELEASE,
    // Not the cluster DNS: no CriticalAddonsOnly toleration, and ClusterFirst DNS so it can resolve etcd.
    isClusterService: false,
    replicaCount: 2,
    serviceType: "LoadBalancer",
    service: { clusterIP: platform.kareDnsClusterIp, annotations: loadBalancerAnnotations(platform, { fixedIp: platform.kareDnsIp }) },
    servers: kareDnsServers(domain),
  };
}

/** The `coredns-custom` entry K3s's CoreDNS imports: forward the domain to kare-dns. */
export function corednsCustomServer(domain: string, kareDnsClusterIp: string): Record<string, string> {
  return { [`${domain}.server`]: `${domain}:53 {\n    errors\n    cache 30\n    forward . ${kareDnsClusterIp}\n}\n` };
}

export function externalDnsPolicy(platform: PlatformInputs): NamespacePolicy {
  switch (platform.kind) {
    case "azure":
      return { namespace: EDNS.namespace, kubeApiserver: true, fqdns: ["login.microsoftonline.com", "management.azure.com"] };
    case "aws":
      // Route53's API is global (route53.amazonaws.com).
      return {
        namespace: EDNS.namespace,
        kubeApiserver: true,
        fqdns: ["route53.amazonaws.com"],
        cidrEgress: [{ cidr: POD_IDENTITY_AGENT.cidr, ports: [{ port: POD_IDENTITY_AGENT.port, protocol: "TCP" }] }],
      };
    case "k3s":
      return { namespace: EDNS.namespace, kubeApiserver: true, namespaceEgress: [{ namespace: KARE_DNS_NAMESPACE, ports: [TCP(2379)] }] };
  }
}

/** etcd has no auth: only ExternalDNS and kare-dns itself reach it; DNS is open to the LAN and the cluster. */
export function kareDnsPolicy(): NamespacePolicy {
  return {
    namespace: KARE_DNS_NAMESPACE,
    intraNamespace: true,
    namespaceIngress: [{ namespace: EDNS.namespace, ports: [TCP(2379)] }],
    entityIngress: [{ entities: ["world", "cluster"], ports: DNS_PORTS }],
  };
}

export interface DnsArgs {
  readonly platform: PlatformInputs;
  readonly domain: string;
  readonly clusterName: string;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  /** k3s: the MetalLB pool (kare-dns is a LoadBalancer) and the storage class etcd's volume uses. */
  readonly loadBalancer: pulumi.Input<pulumi.Resource>[];
  readonly storage: pulumi.Input<pulumi.Resource>[];
  readonly networkPolicies: boolean;
}

export class Dns extends pulumi.ComponentResource {
  readonly externalDns: k8s.helm.v3.Release;
  readonly kareDns?: k8s.helm.v3.Release;
  readonly kareDnsClusterIp?: string;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:agnostics:Dns", name, {}, opts);
    const { platform, domain } = args;
    const ns = namespace(EDNS.namespace, this);
    const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, ns];
    if (args.networkPolicies) before.push(...namespacePolicies(`${name}-edns`, EDNS.namespace, externalDnsPolicy(platform), { parent: this, dependsOn: [...args.dependsOn, ns] }));

    if (platform.kind === "azure") {
      before.push(
        new k8s.core.v1.ConfigMap(
          `${name}-azure-config`,
          {
            metadata: { name: AZURE_CONFIG_NAME, namespace: EDNS.namespace },
            data: { "azure.json": pulumi.output(azureDnsConfig(platform)).apply((cfg) => JSON.stringify(cfg, null, 2)) },
          },
          { parent: this, dependsOn: [ns] },
        ),
      );
    } else if (platform.kind === "k3s") {
      this.kareDnsClusterIp = platform.kareDnsClusterIp;
      const kns = namespace(KARE_DNS_NAMESPACE, this);
      const kbefore: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, kns];
      if (args.networkPolicies) kbefore.push(...namespacePolicies(`${name}-kare-dns`, KARE_DNS_NAMESPACE, kareDnsPolicy(), { parent: this, dependsOn: [...args.dependsOn, kns] }));
      const etcd = this.etcd(name, kbefore, args.storage);
      this.kareDns = pinnedRelease(`${name}-kare-dns`, "coredns", {
        name: KARE_DNS_RELEASE,
        namespace: KARE_DNS_NAMESPACE,
        values: kareDnsValues(platform, domain),
        dependsOn: [...kbefore, ...etcd, ...args.loadBalancer],
        parent: this,
      });
      new k8s.core.v1.ConfigMap(
        `${name}-coredns-custom`,
        {
          metadata: { name: "coredns-custom", namespace: "kube-system", labels: { "app.kubernetes.io/part-of": "k8tre-agnostics" } },
          data: corednsCustomServer(domain, platform.kareDnsClusterIp),
        },
        { parent: this, dependsOn: [this.kareDns] },
      );
      before.push(...etcd);
    }
    this.externalDns = pinnedRelease(`${name}-external-dns`, "externalDns", {
      name: "external-dns",
      namespace: EDNS.namespace,
      values: externalDnsValues(platform, domain, args.clusterName),
      dependsOn: before,
      parent: this,
    });
    this.registerOutputs({ kareDnsClusterIp: this.kareDnsClusterIp });
  }

  /** A single-member etcd for kare-dns's records (all derived: ExternalDNS rewrites them every interval). */
  private etcd(name: string, deps: pulumi.Input<pulumi.Resource>[], storage: pulumi.Input<pulumi.Resource>[]): pulumi.Resource[] {
    const labels = { "app.kubernetes.io/name": "etcd", "app.kubernetes.io/part-of": "k8tre-agnostics" };
    const svc = new k8s.core.v1.Service(
      `${name}-etcd`,
      { metadata: { name: ETCD_SERVICE, namespace: KARE_DNS_NAMESPACE, labels }, spec: { selector: labels, ports: [{ name: "client", port: 2379, targetPort: 2379 }] } },
      { parent: this, dependsOn: deps },
    );
    const sts = new k8s.apps.v1.StatefulSet(
      `${name}-etcd`,
      {
        metadata: { name: ETCD_SERVICE, namespace: KARE_DNS_NAMESPACE, labels },
        spec: {
          serviceName: ETCD_SERVICE,
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "etcd",
                  image: VERSIONS.etcdImage.image,
                  command: ["etcd"],
                  args: [
                    "--name=etcd-0",
                    "--data-dir=/var/lib/etcd/data",
                    "--listen-client-urls=http://0.0.0.0:2379",
                    `--advertise-client-urls=${ETCD_URL}`,
                    // One member: the peer port stays on loopback.
                    "--listen-peer-urls=http://127.0.0.1:2380",
                    "--initial-advertise-peer-urls=http://127.0.0.1:2380",
                    "--initial-cluster=etcd-0=http://127.0.0.1:2380",
                    "--initial-cluster-state=new",
                    "--auto-compaction-retention=1h",
                  ],
                  ports: [{ name: "client", containerPort: 2379 }],
                  readinessProbe: { tcpSocket: { port: 2379 } },
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                  volumeMounts: [{ name: "data", mountPath: "/var/lib/etcd" }],
                },
              ],
            },
          },
          volumeClaimTemplates: [
            { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: RWO_CLASS, resources: { requests: { storage: "1Gi" } } } },
          ],
        },
      },
      { parent: this, dependsOn: [...deps, ...storage] },
    );
    return [svc, sts];
  }
}
