/**
 * Ingress: the internal Cilium `Gateway` `internal-gateway` (HTTP and HTTPS listeners for
 * `*.<domain>`, TLS from the cert-manager certificate `gw-tls`, an HTTP→HTTPS redirect, and the
 * `gw.<domain>` health route the public gateway's backend pool probes). The load-balancer
 * annotations reach the Service Cilium creates (`cilium-gateway-internal-gateway`) through the
 * Gateway's `spec.infrastructure.annotations` (Cilium propagates them, cilium/cilium#29122) —
 * no post-sync patch job. On k3s, MetalLB provides the load balancer. On AWS, the AWS Load
 * Balancer Controller (installed here, Pod Identity) makes the gateway's Service an internal
 * NLB that forwards TCP to the nodes' NodePort (instance targets: the Cilium gateway Service has
 * no real pod endpoints, Cilium steers it to Envoy), so TLS still terminates at the gateway with
 * cert-manager's certificate and the `gw.<domain>` contract is the same as on Azure. An optional classic
 * Ingress controller (F5 NGINX Ingress Controller; the community ingress-nginx was retired in
 * March 2026) sits behind a config flag.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VERSIONS } from "../kubernetes/versions";
import { namespace, pinnedRelease } from "./common";
import { type NamespacePolicy, namespacePolicies, TCP } from "./network-policy";
import { type PlatformInputs, POD_IDENTITY_AGENT } from "./platform";

export const GATEWAY_NAME = "internal-gateway";
export const GATEWAY_NAMESPACE = "gateway";
export const GATEWAY_SERVICE = `cilium-gateway-${GATEWAY_NAME}`;
export const GATEWAY_TLS_SECRET = "gw-tls";
export const METALLB_NAMESPACE = "metallb-system";
export const METALLB_POOL = "k8tre-pool";
export const INGRESS_NAMESPACE = "ingress-nginx";
/**
 * The AWS Load Balancer Controller, under exactly the names K8TRE's `loadbalancer` ApplicationSet
 * uses (release `aws-loadbalancer`, namespace `loadbalancer`, service account
 * `aws-load-balancer-controller`), so a later ArgoCD sync adopts this controller instead of
 * starting a second one (docs/aws.md).
 */
export const AWS_LBC = { namespace: "loadbalancer", release: "aws-loadbalancer", serviceAccount: "aws-load-balancer-controller" } as const;
const ECHO_PORT = 5678;

export const gatewayHost = (domain: string) => `gw.${domain}`;

/** Annotations that make a LoadBalancer Service internal (Azure) or take its IP from the pool (k3s). */
export function loadBalancerAnnotations(platform: PlatformInputs, opts: { fixedIp?: string } = {}): Record<string, pulumi.Input<string>> {
  switch (platform.kind) {
    case "azure":
      return {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": platform.ingressSubnetName,
      };
    case "aws":
      // https://kubernetes-sigs.github.io/aws-load-balancer-controller/v3.5/guide/service/annotations/
      return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "instance",
        "service.beta.kubernetes.io/load-balancer-source-ranges": pulumi.output(platform.loadBalancerSourceRanges).apply((r) => r.join(",")),
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
      };
    case "k3s":
      return opts.fixedIp ? { "metallb.io/loadBalancerIPs": opts.fixedIp } : { "metallb.io/address-pool": METALLB_POOL };
  }
}

/** Leaf paths of {@link awsLoadBalancerControllerValues}; each is a key of the pinned chart's values.yaml (v3.5.0). */
export const AWS_LBC_VALUE_PATHS = [
  "clusterName", "region", "vpcId", "serviceAccount.create", "serviceAccount.name", "enableShield", "enableWaf", "enableWafv2",
  "defaultLoadBalancerScheme", "defaultTargetType", "createIngressClassResource", "replicaCount", "enableServiceMutatorWebhook",
] as const;

export function awsLoadBalancerControllerValues(platform: Extract<PlatformInputs, { kind: "aws" }>): Record<string, unknown> {
  return {
    clusterName: platform.clusterName,
    region: platform.region,
    // Explicit: pods cannot reach IMDS (hop limit 1), and K8TRE's `vpcTags: {Name: <cluster>}` cannot match a shared VPC.
    vpcId: platform.vpcId,
    serviceAccount: { create: true, name: AWS_LBC.serviceAccount },
    // NLB only: no ALB add-ons, whose calls the IAM policy does not grant.
    enableShield: false,
    enableWaf: false,
    enableWafv2: false,
    defaultLoadBalancerScheme: "internal",
    defaultTargetType: "instance",
    createIngressClassResource: false,
    replicaCount: 2,
    // The Service mutating webhook fails closed: while the controller is down no Service could be
    // created anywhere in the cluster. The gateway names the controller by annotation instead.
    enableServiceMutatorWebhook: false,
  };
}

/** The load balancer controller calls ELB, EC2 and (for the service-linked role) IAM, through the Pod Identity agent. */
export function awsLoadBalancerControllerPolicy(region: string): NamespacePolicy {
  return {
    namespace: AWS_LBC.namespace,
    kubeApiserver: true,
    webhookIngress: true,
    fqdns: [`elasticloadbalancing.${region}.amazonaws.com`, `ec2.${region}.amazonaws.com`, "iam.amazonaws.com"],
    cidrEgress: [{ cidr: POD_IDENTITY_AGENT.cidr, ports: [{ port: POD_IDENTITY_AGENT.port, protocol: "TCP" }] }],
  };
}

/**
 * Everything on the gateway's Service: the LB annotations, the health probe path (Azure), and
 * the names ExternalDNS publishes for it — `gw.<domain>` (the public gateway's backend) and, on
 * Azure, the wildcard. kare-dns (etcd) cannot serve wildcard records, so on k3s each app's name
 * comes from its HTTPRoute instead.
 */
export function gatewayInfrastructureAnnotations(platform: PlatformInputs, domain: string): Record<string, pulumi.Input<string>> {
  // Azure private DNS and Route53 serve wildcard records; kare-dns (etcd) cannot.
  const hostnames = platform.kind === "k3s" ? [gatewayHost(domain)] : [gatewayHost(domain), `*.${domain}`];
  return {
    ...loadBalancerAnnotations(platform),
    ...(platform.kind === "azure" ? { "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/healthz" } : {}),
    "external-dns.alpha.kubernetes.io/hostname": hostnames.join(","),
  };
}

export function gatewaySpec(platform: PlatformInputs, domain: string): Record<string, unknown> {
  const allowedRoutes = { namespaces: { from: "All" } };
  return {
    gatewayClassName: "cilium",
    infrastructure: { annotations: gatewayInfrastructureAnnotations(platform, domain) },
    listeners: [
      { name: "http", hostname: `*.${domain}`, port: 80, protocol: "HTTP", allowedRoutes },
      {
        name: "https",
        hostname: `*.${domain}`,
        port: 443,
        protocol: "HTTPS",
        allowedRoutes,
        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", group: "", name: GATEWAY_TLS_SECRET }] },
      },
    ],
  };
}

export function gatewayCertificateSpec(domain: string, issuer: string): Record<string, unknown> {
  return {
    secretName: GATEWAY_TLS_SECRET,
    commonName: `*.${domain}`,
    dnsNames: [`*.${domain}`, domain],
    privateKey: { rotationPolicy: "Always" },
    usages: ["digital signature", "key encipherment", "server auth"],
    issuerRef: { kind: "ClusterIssuer", group: "cert-manager.io", name: issuer },
  };
}

export function redirectRouteSpec(): Record<string, unknown> {
  return {
    parentRefs: [{ name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, sectionName: "http" }],
    rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
  };
}

export function healthRouteSpec(domain: string): Record<string, unknown> {
  return {
    // Both listeners, as K8TRE: a specific host name wins over the catch-all redirect on http.
    parentRefs: [{ name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE }],
    hostnames: [gatewayHost(domain)],
    rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "gw-echo", port: 80 }] }],
  };
}

/** Leaf paths of {@link metallbValues}; each must be a key of the pinned chart. */
export const METALLB_VALUE_PATHS = ["crds.enabled", "frrk8s.enabled", "speaker.frr.enabled"] as const;

/** L2 mode only: no FRR/BGP components (fewer privileged pods). */
export function metallbValues(): Record<string, unknown> {
  return { crds: { enabled: true }, frrk8s: { enabled: false }, speaker: { frr: { enabled: false } } };
}

/** Leaf paths of {@link nginxIngressValues}; each must be a key of the pinned chart. */
export const NGINX_INGRESS_VALUE_PATHS = [
  "controller.ingressClass.name",
  "controller.ingressClass.create",
  "controller.ingressClass.setAsDefaultIngress",
  "controller.service.annotations",
  "controller.reportIngressStatus.enable",
  "controller.enableSnippets",
] as const;

export function nginxIngressValues(platform: PlatformInputs): Record<string, unknown> {
  return {
    controller: {
      ingressClass: { name: "nginx", create: true, setAsDefaultIngress: false },
      service: { annotations: loadBalancerAnnotations(platform) },
      reportIngressStatus: { enable: true },
      enableSnippets: false,
    },
  };
}

/** The gateway namespace holds only gw-echo: reachable from Cilium's Envoy (`ingress` identity). */
export function gatewayPolicy(): NamespacePolicy {
  return { namespace: GATEWAY_NAMESPACE, entityIngress: [{ entities: ["ingress"], ports: [TCP(ECHO_PORT)] }] };
}

export function metallbPolicy(): NamespacePolicy {
  // The speakers use the host network (not subject to pod policy); the controller needs the API.
  return { namespace: METALLB_NAMESPACE, kubeApiserver: true, webhookIngress: true, intraNamespace: true };
}

export function nginxIngressPolicy(): NamespacePolicy {
  return {
    namespace: INGRESS_NAMESPACE,
    kubeApiserver: true,
    webhookIngress: true,
    entityIngress: [{ entities: ["world", "cluster"], ports: [TCP(80), TCP(443)] }],
    entityEgress: [{ entities: ["cluster"] }],
  };
}

export interface IngressArgs {
  readonly platform: PlatformInputs;
  readonly domain: string;
  /** The ClusterIssuer of gw-tls, and the release that installs cert-manager's CRDs. */
  readonly issuer: { readonly name: string; readonly resources: pulumi.Input<pulumi.Resource>[] };
  readonly ingressController: boolean;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  readonly networkPolicies: boolean;
}

export class Ingress extends pulumi.ComponentResource {
  readonly gateway: k8s.apiextensions.CustomResource;
  readonly certificate: k8s.apiextensions.CustomResource;
  readonly gatewayHost: string;
  /** k3s: the MetalLB pool and advertisement other LoadBalancer Services rely on. */
  readonly loadBalancer: pulumi.Resource[] = [];
  readonly metallb?: k8s.helm.v3.Release;
  /** AWS: the load balancer controller (the gateway's NLB). */
  readonly loadBalancerController?: k8s.helm.v3.Release;
  readonly ingressController?: k8s.helm.v3.Release;

  constructor(name: string, args: IngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8tre:agnostics:Ingress", name, {}, opts);
    const { platform, domain } = args;
    this.gatewayHost = gatewayHost(domain);

    if (platform.kind === "k3s") {
      const ns = namespace(METALLB_NAMESPACE, this, true);
      const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, ns];
      if (args.networkPolicies) before.push(...namespacePolicies(`${name}-metallb`, METALLB_NAMESPACE, metallbPolicy(), { parent: this, dependsOn: before.slice() }));
      this.metallb = pinnedRelease(`${name}-metallb`, "metallb", { name: "metallb", namespace: METALLB_NAMESPACE, values: metallbValues(), dependsOn: before, parent: this });
      const pool = new k8s.apiextensions.CustomResource(
        `${name}-pool`,
        { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: { name: METALLB_POOL, namespace: METALLB_NAMESPACE }, spec: { addresses: [platform.metallbAddressPool] } },
        { parent: this, dependsOn: [this.metallb] },
      );
      const l2 = new k8s.apiextensions.CustomResource(
        `${name}-l2`,
        { apiVersion: "metallb.io/v1beta1", kind: "L2Advertisement", metadata: { name: METALLB_POOL, namespace: METALLB_NAMESPACE }, spec: { ipAddressPools: [METALLB_POOL] } },
        { parent: this, dependsOn: [this.metallb] },
      );
      this.loadBalancer.push(pool, l2);
    }

    if (platform.kind === "aws") {
      const lns = namespace(AWS_LBC.namespace, this);
      const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, lns];
      if (args.networkPolicies) before.push(...namespacePolicies(`${name}-lbc`, AWS_LBC.namespace, awsLoadBalancerControllerPolicy(platform.region), { parent: this, dependsOn: before.slice() }));
      this.loadBalancerController = pinnedRelease(`${name}-lbc`, "awsLoadBalancerController", {
        name: AWS_LBC.release,
        namespace: AWS_LBC.namespace,
        values: awsLoadBalancerControllerValues(platform),
        dependsOn: before,
        parent: this,
      });
      this.loadBalancer.push(this.loadBalancerController);
    }

    const ns = namespace(GATEWAY_NAMESPACE, this);
    if (args.networkPolicies) namespacePolicies(`${name}-gateway`, GATEWAY_NAMESPACE, gatewayPolicy(), { parent: this, dependsOn: [...args.dependsOn, ns] });

    this.certificate = new k8s.apiextensions.CustomResource(
      `${name}-gw-tls`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: GATEWAY_TLS_SECRET, namespace: GATEWAY_NAMESPACE },
        spec: gatewayCertificateSpec(domain, args.issuer.name),
      },
      { parent: this, dependsOn: [ns, ...args.issuer.resources] },
    );
    // Gateway API CRDs come with the cluster bootstrap, before Cilium: the Gateway follows Cilium.
    this.gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, labels: { "app.kubernetes.io/name": "cluster-ingress", "app.kubernetes.io/component": "gateway" } },
        spec: gatewaySpec(platform, domain),
      },
      { parent: this, dependsOn: [...args.dependsOn, ns, ...this.loadBalancer] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-redirect`,
      { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "http-to-https-redirect", namespace: GATEWAY_NAMESPACE }, spec: redirectRouteSpec() },
      { parent: this, dependsOn: [this.gateway] },
    );

    const echoLabels = { "app.kubernetes.io/name": "gw-echo", "app.kubernetes.io/part-of": "k8tre-agnostics" };
    new k8s.apps.v1.Deployment(
      `${name}-gw-echo`,
      {
        metadata: { name: "gw-echo", namespace: GATEWAY_NAMESPACE, labels: echoLabels },
        spec: {
          replicas: 2,
          selector: { matchLabels: echoLabels },
          template: {
            metadata: { labels: echoLabels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "echo",
                  image: VERSIONS.httpEchoImage.image,
                  args: [`-listen=:${ECHO_PORT}`, "-text=K8TRE Internal Gateway Health Probe"],
                  ports: [{ containerPort: ECHO_PORT, name: "http" }],
                  readinessProbe: { httpGet: { path: "/", port: ECHO_PORT } },
                  resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      },
      { parent: this, dependsOn: [...args.dependsOn, ns] },
    );
    const echoSvc = new k8s.core.v1.Service(
      `${name}-gw-echo`,
      { metadata: { name: "gw-echo", namespace: GATEWAY_NAMESPACE }, spec: { selector: echoLabels, ports: [{ name: "http", port: 80, targetPort: ECHO_PORT }] } },
      { parent: this, dependsOn: [ns] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-health-route`,
      { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "gw-health-probe-route", namespace: GATEWAY_NAMESPACE }, spec: healthRouteSpec(domain) },
      { parent: this, dependsOn: [this.gateway, echoSvc] },
    );

    if (args.ingressController) {
      const ins = namespace(INGRESS_NAMESPACE, this);
      const before: pulumi.Input<pulumi.Resource>[] = [...args.dependsOn, ins, ...this.loadBalancer];
      if (args.networkPolicies) before.push(...namespacePolicies(`${name}-nginx`, INGRESS_NAMESPACE, nginxIngressPolicy(), { parent: this, dependsOn: [...args.dependsOn, ins] }));
      this.ingressController = pinnedRelease(`${name}-nginx`, "nginxIngress", { name: "nginx-ingress", namespace: INGRESS_NAMESPACE, values: nginxIngressValues(platform), dependsOn: before, parent: this });
    }
    this.registerOutputs({ gatewayHost: this.gatewayHost });
  }
}
