/**
 * The shipped k3s stack, synthesized offline: the whole agnostics layer, its ordering (every
 * chart after Cilium — here the cluster's own — and every custom resource after the release
 * that installs its CRD), and the k3s wiring (store, classes, MetalLB, kare-dns, CoreDNS).
 */
import { loadStackConfig } from "../../config/load";
import { readProject } from "../../config/project";
import { buildStack } from "../../stacks";
import { synthStack, type SynthResult } from "../../tools/synth/engine";
import { byUrn, ofType, one, PROJECT_DIR } from "../helpers/synth";

/**
 * The shipped Pulumi.k3s.yaml, synthesized on its own, without its registration in the
 * management ArgoCD (the only part that reads stack outputs; test/management/k3s.test.ts covers it).
 */
async function synthK3s(opts: { preview?: boolean; overrides?: Record<string, unknown> } = {}): Promise<SynthResult> {
  const files = readProject(PROJECT_DIR);
  const file = files.stacks.find((f) => f.stack === "k3s")!;
  const raw = { ...file.raw, "k8tre:registration": { enabled: false }, ...opts.overrides };
  const loaded = loadStackConfig(raw, { stack: "k3s" });
  return synthStack(() => buildStack(loaded), { project: files.project, stack: "k3s", config: raw, secretKeys: file.secretKeys, preview: opts.preview ?? false });
}

let r: SynthResult;
beforeAll(async () => {
  r = await synthK3s();
}, 180_000);

const release = (name: string) => ofType(r, "kubernetes:helm.sh/v3:Release").find((x) => x.inputs.name === name)!;
const cr = (type: string) => one(r, type);

test("installs the whole layer on the kubeconfig provider", () => {
  const names = ofType(r, "kubernetes:helm.sh/v3:Release").map((x) => `${x.inputs.name}@${x.inputs.version}`).sort();
  expect(names).toEqual(["cert-manager@v1.21.1", "external-dns@1.21.1", "external-secrets@2.9.0", "kare-dns@1.46.2", "longhorn@1.11.3", "metallb@0.16.1"]);
  const provider = one(r, "pulumi:providers:kubernetes");
  expect(provider.inputs.kubeconfig).toBe("[secret]");
  for (const res of r.resources.filter((x) => x.type.startsWith("kubernetes:"))) expect(res.provider).toContain(provider.urn);
  expect(r.outputs).toMatchObject({ dnsZoneName: "lab.example.org", gatewayHost: "gw.lab.example.org", kareDnsIp: "192.168.50.250", kareDnsClusterIp: "10.43.0.53" });
});

test("custom resources depend on the release that installs their CRDs", () => {
  const expectations: Array<[string, string]> = [
    ["kubernetes:external-secrets.io/v1:ClusterSecretStore", "external-secrets"],
    ["kubernetes:cert-manager.io/v1:ClusterIssuer", "cert-manager"],
    ["kubernetes:cert-manager.io/v1:Certificate", "cert-manager"],
    ["kubernetes:metallb.io/v1beta1:IPAddressPool", "metallb"],
    ["kubernetes:metallb.io/v1beta1:L2Advertisement", "metallb"],
  ];
  for (const [type, chart] of expectations) {
    for (const res of ofType(r, type)) expect(res.dependsOn).toContain(release(chart).urn);
  }
  const gateway = cr("kubernetes:gateway.networking.k8s.io/v1:Gateway");
  for (const route of ofType(r, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")) expect(route.dependsOn).toContain(gateway.urn);
  // The Certificate uses the issuer the config chose.
  const issuer = cr("kubernetes:cert-manager.io/v1:ClusterIssuer");
  expect(cr("kubernetes:cert-manager.io/v1:Certificate").dependsOn).toContain(issuer.urn);
});

test("charts start under their network policy; kare-dns waits for its LB pool and etcd", () => {
  for (const rel of ofType(r, "kubernetes:helm.sh/v3:Release").filter((x) => x.inputs.namespace !== "kube-system")) {
    const deps = rel.dependsOn.map((u) => byUrn(r, u)).filter(Boolean);
    const policies = deps.filter((d) => d!.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" || d!.type === "kubernetes:cilium.io/v2:CiliumNetworkPolicy");
    expect(policies.map((p) => p!.inputs.metadata)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "default-deny", namespace: rel.inputs.namespace }), expect.objectContaining({ name: "k8tre-allow", namespace: rel.inputs.namespace })]),
    );
  }
  const kare = release("kare-dns");
  expect(kare.dependsOn).toEqual(expect.arrayContaining([cr("kubernetes:metallb.io/v1beta1:IPAddressPool").urn, cr("kubernetes:apps/v1:StatefulSet").urn]));
});

test("the Kubernetes secret store reads one namespace through a Role", () => {
  const store = cr("kubernetes:external-secrets.io/v1:ClusterSecretStore");
  expect(store.inputs.metadata).toMatchObject({ name: "secret-store" });
  expect((store.inputs.spec as any).provider.kubernetes.remoteNamespace).toBe("secret-store");
  expect(ofType(r, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")).toHaveLength(0);
  const role = cr("kubernetes:rbac.authorization.k8s.io/v1:Role");
  expect(role.inputs).toMatchObject({ metadata: { namespace: "secret-store" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }] });
});

test("storage classes: Longhorn rwo/rwx, RWX retained, neither the default", () => {
  const classes = ofType(r, "kubernetes:storage.k8s.io/v1:StorageClass");
  expect(classes.map((c) => [(c.inputs.metadata as any).name, c.inputs.provisioner, c.inputs.reclaimPolicy])).toEqual([
    ["rwo-default", "driver.longhorn.io", "Delete"],
    ["rwx-default", "driver.longhorn.io", "Retain"],
  ]);
  for (const c of classes) expect((c.inputs.metadata as any).annotations["storageclass.kubernetes.io/is-default-class"]).toBe("false");
});

test("kare-dns: the cluster CoreDNS forwards the domain to the fixed ClusterIP declared on kare-dns", () => {
  const cm = ofType(r, "kubernetes:core/v1:ConfigMap").find((c) => (c.inputs.metadata as any).name === "coredns-custom")!;
  expect((cm.inputs.metadata as any).namespace).toBe("kube-system");
  expect(cm.dependsOn).toContain(release("kare-dns").urn);
  const values = release("kare-dns").inputs.values as any;
  expect((cm.inputs.data as any)["lab.example.org.server"]).toContain(`forward . ${values.service.clusterIP}`);
  expect(ofType(r, "kubernetes:batch/v1:Job")).toHaveLength(0);
  const edns = release("external-dns").inputs.values as any;
  expect(edns.provider.name).toBe("coredns");
});

test("MetalLB pool from config; the gateway takes its address from it", () => {
  expect(cr("kubernetes:metallb.io/v1beta1:IPAddressPool").inputs.spec).toEqual({ addresses: ["192.168.50.240-192.168.50.250"] });
  const gw = cr("kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs.spec as any;
  expect(gw.infrastructure.annotations["metallb.io/address-pool"]).toBe("k8tre-pool");
});

test("preview of a brand-new stack evaluates", async () => {
  const p = await synthK3s({ preview: true });
  expect(ofType(p, "kubernetes:helm.sh/v3:Release")).toHaveLength(6);
});

test("optional ingress controller and NFS backend", async () => {
  const raw = {
    "k8tre:agnostics": {
      metallbAddressPool: "192.168.50.240-192.168.50.250",
      ingressController: true,
      storage: { backend: "nfs", nfsServer: "nas.lab.example.org", nfsPath: "/export/k8tre" },
    },
  };
  const p = await synthK3s({ overrides: raw });
  const names = ofType(p, "kubernetes:helm.sh/v3:Release").map((x) => x.inputs.name);
  expect(names).toEqual(expect.arrayContaining(["nginx-ingress", "csi-driver-nfs"]));
  expect(names).not.toContain("longhorn");
  const nginx = ofType(p, "kubernetes:helm.sh/v3:Release").find((x) => x.inputs.name === "nginx-ingress")!;
  expect(nginx.inputs.chart).toBe("oci://ghcr.io/nginx/charts/nginx-ingress");
  expect(ofType(p, "kubernetes:storage.k8s.io/v1:StorageClass").map((c) => c.inputs.provisioner)).toEqual(["nfs.csi.k8s.io", "nfs.csi.k8s.io"]);
  // Default kare-dns LB IP: the pool's last address.
  expect(p.outputs.kareDnsIp).toBe("192.168.50.250");
});

describe("bad input", () => {
  const base = {
    "k8tre:kind": "environment",
    "k8tre:platform": "k3s",
    "k8tre:prefix": "k8tre",
    "k8tre:environment": "lab",
    "k8tre:domain": "example.org",
    "k8tre:kubeconfig": "[secret]",
    "k8tre:registration": { enabled: false },
    "k8tre:k3s": { apiServerHost: "k3s.lab" },
    "k8tre:agnostics": { metallbAddressPool: "192.168.50.240-192.168.50.250" },
  };
  const load = (over: Record<string, unknown>) => () => loadStackConfig({ ...base, ...over }, { stack: "k3s" });
  test("kare-dns IP outside the pool", () => {
    expect(load({ "k8tre:agnostics": { metallbAddressPool: "192.168.50.240-192.168.50.250", kareDnsIp: "192.168.50.10" } })).toThrow(
      /k8tre:agnostics\.kareDnsIp.*192\.168\.50\.10.*inside k8tre:agnostics\.metallbAddressPool/s,
    );
  });
  test("reversed pool", () => {
    expect(load({ "k8tre:agnostics": { metallbAddressPool: "192.168.50.250-192.168.50.240" } })).toThrow(/metallbAddressPool.*first address is not after its last/s);
  });
  test("kare-dns ClusterIP outside the service CIDR", () => {
    expect(load({ "k8tre:k3s": { apiServerHost: "k3s.lab", kareDnsClusterIp: "10.96.0.53" } })).toThrow(/k8tre:k3s\.kareDnsClusterIp.*10\.96\.0\.53.*inside k8tre:k3s\.serviceCidr/s);
  });
  test("installCilium is not supported on k3s yet", () => {
    expect(load({ "k8tre:k3s": { apiServerHost: "k3s.lab", installCilium: true } })).toThrow(/k8tre:k3s\.installCilium.*does not install Cilium on K3s/s);
  });
  test("EAB needs both halves", () => {
    expect(load({ "k8tre:agnostics": { metallbAddressPool: "192.168.50.240-192.168.50.250", certificates: { issuer: "acme", acmeServer: "https://acme.example.org/dir", email: "a@example.org", eabKeyId: "k" } } })).toThrow(
      /certificates\.eabSecretName.*both eabKeyId and eabSecretName/s,
    );
  });
  test("a valid k3s config loads", () => {
    expect(load({})().config.agnostics?.metallbAddressPool).toBe("192.168.50.240-192.168.50.250");
  });
});
