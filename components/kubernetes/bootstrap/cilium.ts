/**
 * Cilium Helm values for AKS BYO CNI, as a pure function. Every value path set here was checked
 * against the Cilium 1.19.6 chart (values.yaml, schema, templates); {@link CILIUM_VERIFIED_PATHS}
 * lists them and a test fails if the builder sets anything else.
 */

export interface CiliumInput {
  /** `cluster.name`: ≤32 lower-case letters, digits and dashes (e.g. the environment name). */
  readonly clusterName: string;
  /** The API server's host name, bare (no scheme, no port): the AKS private FQDN. */
  readonly apiServerHost: string;
  /** Cilium cluster-pool IPAM range (k8tre:cluster.podCidr). */
  readonly podCidr: string;
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
] as const;

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export function ciliumValues(i: CiliumInput): Record<string, unknown> {
  if (!i.apiServerHost || /[/:]/.test(i.apiServerHost)) {
    throw new Error(`Cilium k8sServiceHost must be a bare host name (no scheme or port), got "${i.apiServerHost}"`);
  }
  if (!CLUSTER_NAME.test(i.clusterName)) {
    throw new Error(`Cilium cluster.name must be 1-32 lower-case letters, digits or dashes, got "${i.clusterName}"`);
  }
  return {
    // AKS BYO CNI: tunnel routing and cluster-pool IPAM are what the chart allows with it.
    aksbyocni: { enabled: true },
    nodeinit: { enabled: true },
    kubeProxyReplacement: i.kubeProxyReplacement ? "true" : "false",
    k8sServiceHost: i.apiServerHost,
    k8sServicePort: 443,
    routingMode: "tunnel",
    tunnelProtocol: "vxlan",
    ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [i.podCidr], clusterPoolIPv4MaskSize: 24 } },
    gatewayAPI: { enabled: i.kubeProxyReplacement },
    l7Proxy: true,
    hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: i.hubbleUi } },
    operator: { replicas: i.operatorReplicas },
    cluster: { name: i.clusterName },
    enableIPv4Masquerade: true,
    policyEnforcementMode: "default",
  };
}

/** Dotted leaf paths of a values object (arrays are leaves). */
export function leafPaths(values: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(values).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return v && typeof v === "object" && !Array.isArray(v) ? leafPaths(v as Record<string, unknown>, p) : [p];
  });
}
