/** Pure parts of the bootstrap: Cilium values and the Gateway API CRD loader (both modes). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { synthStack } from "../../tools/synth/engine";
import {
  CILIUM_VERIFIED_PATHS,
  ciliumValues,
  Bootstrap,
  DEFAULT_VENDOR_DIR,
  fetchVerifiedCrd,
  GATEWAY_API_CRD_FILES,
  httpsFetch,
  leafPaths,
  loadGatewayApiCrds,
  sha256,
  vendoredName,
} from "../../components/kubernetes/bootstrap";

const base = { clusterName: "dev", apiServerHost: "k8tre-dev-1a2b3c4d.privatelink.uksouth.azmk8s.io", podCidr: "100.65.0.0/16", kubeProxyReplacement: true, hubbleUi: true, operatorReplicas: 2 };

describe("ciliumValues", () => {
  it("sets only verified value paths", () => {
    for (const kpr of [true, false]) {
      for (const p of leafPaths(ciliumValues({ ...base, kubeProxyReplacement: kpr }))) expect(CILIUM_VERIFIED_PATHS).toContain(p);
    }
  });

  it("uses the bare API host and port 443, and refuses URLs or host:port", () => {
    const v = ciliumValues(base);
    expect(v.k8sServiceHost).toBe(base.apiServerHost);
    expect(v.k8sServicePort).toBe(443);
    expect(() => ciliumValues({ ...base, apiServerHost: `https://${base.apiServerHost}:443` })).toThrow(/bare host name/);
    expect(() => ciliumValues({ ...base, apiServerHost: `${base.apiServerHost}:443` })).toThrow(/bare host name/);
    expect(() => ciliumValues({ ...base, apiServerHost: "" })).toThrow(/bare host name/);
  });

  it("puts the configured pod CIDR in the cluster pool (not the chart's 10.0.0.0/8 default)", () => {
    expect(ciliumValues(base).ipam).toEqual({ mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["100.65.0.0/16"], clusterPoolIPv4MaskSize: 24 } });
  });

  it("turns Gateway API off with kube-proxy replacement (Cilium's Gateway API requires KPR)", () => {
    const v = ciliumValues({ ...base, kubeProxyReplacement: false }) as any;
    expect(v.kubeProxyReplacement).toBe("false");
    expect(v.gatewayAPI.enabled).toBe(false);
    const on = ciliumValues(base) as any;
    expect(on.kubeProxyReplacement).toBe("true");
    expect(on.gatewayAPI.enabled).toBe(true);
    expect(on.l7Proxy).toBe(true);
    expect(on.routingMode).toBe("tunnel"); // the chart fails aksbyocni without tunnel
  });

  it("rejects an invalid cluster.name", () => {
    expect(() => ciliumValues({ ...base, clusterName: "Dev_Cluster" })).toThrow(/cluster.name/);
    expect(() => ciliumValues({ ...base, clusterName: "a".repeat(33) })).toThrow(/cluster.name/);
  });
});

describe("Gateway API CRDs", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwapi-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("pins v1.4.1 standard plus the experimental TLSRoute", () => {
    expect(GATEWAY_API_CRD_FILES).toHaveLength(7);
    expect(GATEWAY_API_CRD_FILES.map((f) => f.path)).toContain("config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml");
    expect(DEFAULT_VENDOR_DIR).toMatch(/vendor\/gateway-api\/v1\.4\.1$/);
  });

  it("the SHA256SUMS file in the repository matches the pinned constants", () => {
    const sums = fs.readFileSync(path.join(DEFAULT_VENDOR_DIR, "SHA256SUMS"), "utf8").trim().split("\n").map((l) => l.split(/\s+/));
    expect(sums.map(([sum, name]) => `${sum} ${name}`).sort()).toEqual(GATEWAY_API_CRD_FILES.map((f) => `${f.sha256} ${vendoredName(f)}`).sort());
  });

  it("falls back to the pinned upstream URLs with a warning when nothing is vendored", () => {
    const s = loadGatewayApiCrds(dir);
    expect(s.mode).toBe("url");
    if (s.mode !== "url") return;
    expect(s.urls).toContain("https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.4.1/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml");
    expect(s.warning).toMatch(/fetches them from .* at deploy time and applies them only if each matches its pinned SHA-256/);
    expect(s.warning).toMatch(/npm run vendor:gateway-api/);
  });

  describe("fetched at deploy time", () => {
    const CRD = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gateways.gateway.networking.k8s.io\nspec:\n  group: gateway.networking.k8s.io\n";
    const pinned = { path: "config/crd/standard/gateway.networking.k8s.io_gateways.yaml", sha256: sha256(CRD), bytes: CRD.length };

    it("fetches the pinned URL and applies the content only when its SHA-256 is the pinned one", async () => {
      const urls: string[] = [];
      const source = fetchVerifiedCrd(async (url) => (urls.push(url), Buffer.from(CRD)));
      await expect(source(pinned)).resolves.toMatchObject({ kind: "CustomResourceDefinition", metadata: { name: "gateways.gateway.networking.k8s.io" } });
      expect(urls).toEqual(["https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.4.1/config/crd/standard/gateway.networking.k8s.io_gateways.yaml"]);
    });

    it("refuses tampered content, naming the URL, the actual and the expected checksum", async () => {
      const tampered = CRD.replace("gateways.", "evil.");
      const source = fetchVerifiedCrd(async () => Buffer.from(tampered));
      await expect(source(pinned)).rejects.toThrow(new RegExp(`gateway\\.networking\\.k8s\\.io_gateways\\.yaml fails its checksum: SHA-256 ${sha256(tampered)}, expected ${pinned.sha256}`));
      // The real pins refuse anything but the upstream bytes.
      await expect(fetchVerifiedCrd(async () => Buffer.from(CRD))(GATEWAY_API_CRD_FILES[2])).rejects.toThrow(/fails its checksum/);
    });

    it("refuses plain HTTP", async () => {
      await expect(httpsFetch("http://example.org/x.yaml")).rejects.toThrow(/non-HTTPS/);
    });

    it("shows the CRDs in a preview of a brand-new cluster, before Cilium", async () => {
      const r = await synthStack(
        () => {
          const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
          new Bootstrap("bootstrap", { ...base, crdDir: dir, crdContent: async (f) => ({ metadata: { name: `${vendoredName(f)}-crd` }, spec: { group: "g" } }) }, { provider });
          return {};
        },
        { project: "k8tre", stack: "unit", config: {}, preview: true },
      );
      const crds = r.resources.filter((x) => x.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
      expect(crds).toHaveLength(7);
      expect(crds.map((c) => (c.inputs.metadata as any).name)).toContain("gateway.networking.k8s.io_tlsroutes.yaml-crd");
      const cilium = r.resources.find((x) => x.name === "bootstrap-cilium")!;
      expect(cilium.dependsOn).toEqual(expect.arrayContaining(crds.map((c) => c.urn)));
    });
  });

  it("refuses a vendored file whose checksum differs, naming file, expected and actual", () => {
    for (const f of GATEWAY_API_CRD_FILES) fs.writeFileSync(path.join(dir, vendoredName(f)), "kind: CustomResourceDefinition\n");
    const actual = sha256("kind: CustomResourceDefinition\n");
    expect(() => loadGatewayApiCrds(dir)).toThrow(new RegExp(`backendtlspolicies\\.yaml fails its checksum: SHA-256 ${actual}, expected ${GATEWAY_API_CRD_FILES[0].sha256}`));
  });

  it("refuses an incomplete vendor directory", () => {
    fs.writeFileSync(path.join(dir, vendoredName(GATEWAY_API_CRD_FILES[0])), "x");
    expect(() => loadGatewayApiCrds(dir)).toThrow(/incomplete: missing .*tlsroutes\.yaml/);
  });
});
