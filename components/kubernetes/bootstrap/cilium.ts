/**
 * Cilium Helm values as a pure function, in two profiles: AKS BYO CNI (cluster-pool IPAM,
 * VXLAN tunnel) and EKS ENI (Cilium is the whole CNI: ENI IPAM, native routing, no AWS VPC CNI
 * and no chaining — Gateway API replies break in aws-cni chaining mode, cilium/cilium#33685).
 * Every value path set here was checked against the Cilium 1.19.6 chart (values.yaml, schema,
 * templates/cilium-configmap.yaml); {@link CILIUM_VERIFIED_PATHS} lists them and a test fails if
 * the builder sets anything else.
 */

/**
 * How pods get addresses. `cluster-pool`: Cilium's own range (AKS BYO CNI). `eni`: VPC addresses
 * on ENIs the Cilium operator attaches (EKS); optionally /28 prefixes instead of single
 * addresses (Nitro instances, more pods per node).
 */
export type CiliumIpam =
  | { readonly mode: "cluster-pool"; readonly podCidr: string }
  | {
      readonly mode: "eni";
      readonly prefixDelegation: boolean;
      readonly eniTags: Readonly<Record<string, string>>;
      /** Subnets pod ENIs are created in (the operator picks the one in the node's AZ); default: the node's subnet. */
      readonly subnetIds?: readonly string[];
    };

export interface CiliumInput {
  /** `cluster.name`: ≤32 lower-case letters, digits and dashes (e.g. the environment name). */
  readonly clusterName: string;
  /** The API server's host name, bare (no scheme, no port): the AKS private FQDN. */
  readonly apiServerHost: string;
  /** Cilium cluster-pool IPAM range (k8tre:cluster.podCidr); shorthand for `ipam: { mode: "cluster-pool", podCidr }`. */
  readonly podCidr?: string;
  /** IPAM profile; default cluster-pool on {@link podCidr} (AKS). */
  readonly ipam?: CiliumIpam;
  /**
   * Cilium owns services (kube-proxy disabled on the cluster). When false, kube-proxy stays and
   * Gateway API support must be off: Cilium's Gateway API requires kube-proxy replacement.
   */
  readonly kubeProxyReplacement: boolean;
  readonly hubbleUi: boolean;
  readonly operatorReplicas: number;
}

/** Leaf value paths this module may set, each verified in the 1.19.6 chart. */
export const CILIUM_VERIFIED_PATHS = [
  "aksbyocni.enabled",
  "nodeinit.enabled",
  "kubeProxyReplacement",
  "k8sServiceHost",
  "k8sServicePort",
  "routingMode",
  "tunnelProtocol",
  "ipam.mode",
  "ipam.operator.clusterPoolIPv4PodCIDRList",
  "ipam.operator.clusterPoolIPv4MaskSize",
  "gatewayAPI.enabled",
  "l7Proxy",
  "hubble.enabled",
  "hubble.relay.enabled",
  "hubble.ui.enabled",
  "operator.replicas",
  "cluster.name",
  "enableIPv4Masquerade",
  "policyEnforcementMode",
  // EKS ENI profile (values.yaml `eni:`; ENI mode implies native routing, and since 1.18 no
  // IPv4 masquerading by default — set explicitly).
  "eni.enabled",
  "eni.awsEnablePrefixDelegation",
  "eni.awsReleaseExcessIPs",
  "eni.eniTags",
  "eni.nodeSpec.subnetIDs",
] as const;

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export function ciliumValues(i: CiliumInput): Record<string, unknown> {
  if (!i.apiServerHost || /[/:]/.test(i.apiServerHost)) {
    throw new Error(`Cilium k8sServiceHost must be a bare host name (no scheme or port), got "${i.apiServerHost}"`);
  }
  if (!CLUSTER_NAME.test(i.clusterName)) {
    throw new Error(`Cilium cluster.name must be 1-32 lower-case letters, digits or dashes, got "${i.clusterName}"`);
  }
  const ipam: CiliumIpam = i.ipam ?? { mode: "cluster-pool", podCidr: requirePodCidr(i.podCidr) };
  const common = {
    kubeProxyReplacement: i.kubeProxyReplacement ? "true" : "false",
    k8sServiceHost: i.apiServerHost,
    k8sServicePort: 443,
    gatewayAPI: { enabled: i.kubeProxyReplacement },
    l7Proxy: true,
    hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: i.hubbleUi } },
    operator: { replicas: i.operatorReplicas },
    cluster: { name: i.clusterName },
    policyEnforcementMode: "default",
  };
  if (ipam.mode === "eni") {
    return {
      // EKS: Cilium is the only CNI (the cluster is created without the VPC CNI and kube-proxy
      // add-ons). The operator attaches ENIs and assigns VPC addresses to pods; the nodes'
      // security groups apply to pod ENIs; routing is native VPC routing.
      eni: {
        enabled: true,
        awsEnablePrefixDelegation: ipam.prefixDelegation,
        awsReleaseExcessIPs: true,
        eniTags: { ...ipam.eniTags },
        // Pod ENIs in the pod subnets (CiliumNode spec.eni.subnet-ids, agent flag eni-subnet-ids).
        // Not subnetIDsFilter: that one also requires the node's primary ENI to match.
        ...(ipam.subnetIds?.length ? { nodeSpec: { subnetIDs: [...ipam.subnetIds] } } : {}),
      },
      ipam: { mode: "eni" },
      routingMode: "native",
      // Pods carry VPC addresses: traffic inside the VPC keeps the pod's source address (flow
      // logs and security groups see the pod), and the NAT gateways translate internet egress.
      enableIPv4Masquerade: false,
      ...common,
    };
  }
  return {
    // AKS BYO CNI: tunnel routing and cluster-pool IPAM are what the chart allows with it.
    aksbyocni: { enabled: true },
    nodeinit: { enabled: true },
    kubeProxyReplacement: common.kubeProxyReplacement,
    k8sServiceHost: i.apiServerHost,
    k8sServicePort: 443,
    routingMode: "tunnel",
    tunnelProtocol: "vxlan",
    ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [ipam.podCidr], clusterPoolIPv4MaskSize: 24 } },
    gatewayAPI: common.gatewayAPI,
    l7Proxy: true,
    hubble: common.hubble,
    operator: common.operator,
    cluster: common.cluster,
    enableIPv4Masquerade: true,
    policyEnforcementMode: "default",
  };
}

function requirePodCidr(podCidr: string | undefined): string {
  if (!podCidr) throw new Error("Cilium cluster-pool IPAM needs podCidr");
  return podCidr;
}

/** Values whose keys are data (tag names), not chart keys: leaves for {@link leafPaths}. */
const DATA_MAPS = new Set(["eni.eniTags"]);

/** Dotted leaf paths of a values object (arrays and data maps are leaves). */
export function leafPaths(values: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(values).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return v && typeof v === "object" && !Array.isArray(v) && !DATA_MAPS.has(p) ? leafPaths(v as Record<string, unknown>, p) : [p];
  });
}
