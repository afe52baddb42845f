/**
 * Which Kubernetes minors each managed service supports, and until when (the AKS release
 * calendar with its source URLs). Defined in config/ so the config loader can check
 * `k8tre:cluster.kubernetesVersion` against it (config imports nothing above it, ADR 0004);
 * re-exported here, next to the chart pins that must be compatible with it (Cilium 1.19 is
 * e2e-tested on Kubernetes 1.32-1.35: https://docs.cilium.io/en/v1.19/network/kubernetes/compatibility/).
 */
export { AKS_KUBERNETES_VERSIONS, type KubernetesMinorSupport, minorOf, SUPPORT_WARNING_DAYS, supportedMinors, versionSupport } from "../../config/kubernetes-versions";

/**
 * Every Helm chart and CRD bundle version the program installs, in one place. Versions and value
 * keys were checked against each chart's values.yaml / values.schema.json / templates at these
 * tags; the verified key lists live in test/agnostics/values.test.ts.
 * Add an entry here rather than pinning a version next to the code that uses it.
 */
export const VERSIONS = {
  /** Cilium 1.19.x implements Gateway API v1.4 (needs v1.4.1 CRDs + experimental TLSRoute). */
  cilium: { repo: "https://helm.cilium.io/", chart: "cilium", version: "1.19.6" },
  /** Vendored CRDs (vendor/gateway-api/<version>/), installed before Cilium. */
  gatewayApi: { version: "v1.4.1" },
  // Agnostics layer (components/agnostics/).
  externalSecrets: { repo: "https://charts.external-secrets.io", chart: "external-secrets", version: "2.9.0" },
  certManager: { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.1" },
  externalDns: { repo: "https://kubernetes-sigs.github.io/external-dns/", chart: "external-dns", version: "1.21.1" },
  /** kare-dns (k3s): a second CoreDNS, authoritative for the environment domain. */
  coredns: { repo: "https://coredns.github.io/helm", chart: "coredns", version: "1.46.2" },
  longhorn: { repo: "https://charts.longhorn.io", chart: "longhorn", version: "1.11.3" },
  csiDriverNfs: { repo: "https://kubernetes-csi.github.io/csi-driver-nfs", chart: "csi-driver-nfs", version: "4.13.4" },
  metallb: { repo: "https://metallb.github.io/metallb", chart: "metallb", version: "0.16.1" },
  /**
   * AWS Load Balancer Controller (AWS): chart and app v3.5.0 (helm/aws-load-balancer-controller/Chart.yaml
   * at tag v3.5.0); its IAM policy is components/aws/eks/iam.ts, from docs/install/iam_policy.json at the same tag.
   */
  awsLoadBalancerController: { repo: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "3.5.0" },
  /** F5 NGINX Ingress Controller (OCI; ingress-nginx was retired in March 2026). */
  nginxIngress: { repo: "", chart: "oci://ghcr.io/nginx/charts/nginx-ingress", version: "2.6.4" },
  // Container images the agnostics layer runs outside a chart.
  etcdImage: { image: "quay.io/coreos/etcd:v3.6.8" },
  httpEchoImage: { image: "hashicorp/http-echo:1.0.0" },
} as const;
