/**
 * `k8tre:kubernetes:Bootstrap` — what every BYO-CNI cluster needs before anything else: the
 * pinned Gateway API CRDs, then Cilium. Nodes stay NotReady until Cilium runs, so every later
 * chart must `dependsOn` {@link Bootstrap.cilium} (or {@link Bootstrap.ready}).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VERSIONS } from "../versions";
import { type CiliumIpam, ciliumValues } from "./cilium";
import { type CrdContentSource, type CrdSource, DEFAULT_VENDOR_DIR, GATEWAY_API_CRD_FILES, getDefaultCrdSource, loadGatewayApiCrds, vendoredName } from "./gateway-api-crds";

export * from "./cilium";
export * from "./gateway-api-crds";

export interface BootstrapArgs {
  /** Cilium `cluster.name` (e.g. the environment name). */
  readonly clusterName: string;
  /** The API server's bare host name (AKS private FQDN, EKS private endpoint host). */
  readonly apiServerHost: pulumi.Input<string>;
  /** Cluster-pool IPAM range (AKS); or give {@link ipam}. */
  readonly podCidr?: string;
  /** IPAM profile (EKS: `{ mode: "eni", … }`); default cluster-pool on podCidr. */
  readonly ipam?: pulumi.Input<CiliumIpam>;
  /** True when kube-proxy is disabled on the cluster (Cilium owns services and runs Gateway API). */
  readonly kubeProxyReplacement: boolean;
  readonly hubbleUi: boolean;
  readonly operatorReplicas: number;
  /** Where the vendored Gateway API CRDs live; default: vendor/gateway-api/<version>. */
  readonly crdDir?: string;
  /**
   * Where verified CRD content comes from when nothing is vendored; default: fetch each pinned
   * URL over HTTPS and check its SHA-256 ({@link getDefaultCrdSource}).
   */
  readonly crdContent?: CrdContentSource;
}

export interface BootstrapOptions extends pulumi.ComponentResourceOptions {
  /**
   * Install Cilium without waiting for its pods (EKS: the node groups join only after Cilium is
   * installed, so nothing can be Ready yet; the CoreDNS add-on, which needs Cilium-assigned pod
   * addresses, is what proves the CNI works).
   */
  readonly skipAwait?: boolean;
  /** The cluster's Kubernetes provider (required: never the ambient kubeconfig). */
  readonly provider: k8s.Provider;
}

export class Bootstrap extends pulumi.ComponentResource {
  /** Gateway API CRD resources (installed before Cilium). */
  readonly crds: pulumi.Resource[];
  readonly crdSource: CrdSource["mode"];
  /** The Cilium Helm release: every later chart depends on it. */
  readonly cilium: k8s.helm.v3.Release;
  /** Resources that must exist before anything else in the cluster. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: BootstrapArgs, opts: BootstrapOptions) {
    // No args to super: a component's inputs hold back every child until they resolve.
    super("k8tre:kubernetes:Bootstrap", name, {}, opts);
    const child = { parent: this, provider: opts.provider };

    const source = loadGatewayApiCrds(args.crdDir ?? DEFAULT_VENDOR_DIR);
    this.crdSource = source.mode;
    // Both modes declare the same CRD resources from checksum-verified content: read from the
    // vendor directory, or fetched from the pinned URLs by the program itself (so tampered
    // content fails the deployment and a preview shows the CRDs). Same names either way, so
    // vendoring later changes nothing in the cluster.
    let contents: ReadonlyArray<{ file: (typeof GATEWAY_API_CRD_FILES)[number]; object: pulumi.Input<Record<string, any>> }>;
    if (source.mode === "vendored") {
      contents = source.crds;
    } else {
      void pulumi.log.warn(source.warning, this);
      const content = args.crdContent ?? getDefaultCrdSource();
      contents = GATEWAY_API_CRD_FILES.map((file) => ({ file, object: pulumi.output(content(file)) }));
    }
    this.crds = contents.map(({ file, object }) => {
      const o = pulumi.output(object);
      return new k8s.apiextensions.v1.CustomResourceDefinition(
        `${name}-crd-${vendoredName(file).replace(/\.yaml$/, "")}`,
        { metadata: o.apply((x) => x.metadata), spec: o.apply((x) => x.spec) },
        // CRDs hold every Gateway/Route in the cluster: never delete them with the stack.
        { ...child, retainOnDelete: true },
      );
    });

    const values = pulumi.all([args.apiServerHost, pulumi.output(args.ipam)]).apply(([host, ipam]) =>
      ciliumValues({
        clusterName: args.clusterName,
        apiServerHost: host,
        podCidr: args.podCidr,
        ipam: ipam as CiliumIpam | undefined,
        kubeProxyReplacement: args.kubeProxyReplacement,
        hubbleUi: args.hubbleUi,
        operatorReplicas: args.operatorReplicas,
      }),
    );
    this.cilium = new k8s.helm.v3.Release(
      `${name}-cilium`,
      {
        name: "cilium",
        chart: VERSIONS.cilium.chart,
        version: VERSIONS.cilium.version,
        repositoryOpts: { repo: VERSIONS.cilium.repo },
        namespace: "kube-system",
        values,
        // Nothing is Ready on a BYO-CNI cluster until Cilium is: give the first install time.
        timeout: 900,
        maxHistory: 10,
        ...(opts.skipAwait ? { skipAwait: true } : {}),
        cleanupOnFail: true,
      },
      // The operator checks for Gateway API CRDs once at start-up: they must exist first.
      { ...child, dependsOn: this.crds },
    );
    this.ready = [this.cilium];

    this.registerOutputs({ cilium: this.cilium.status, crdSource: this.crdSource });
  }
}
