/**
 * The offline engine has no network, and the repository does not ship the Gateway API YAML (see
 * vendor/gateway-api/README.md). While the synth runs, the bootstrap's URL mode gets its CRDs
 * from this fixture source instead of the verified HTTPS fetch: one CustomResourceDefinition per
 * pinned file with the name, group, kind and served versions upstream uses, and no schema. The
 * checksum verification itself is exercised by test/environment/bootstrap.test.ts.
 */
import { type PinnedCrdFile, setDefaultCrdSource } from "../../../components/kubernetes/bootstrap/gateway-api-crds";

const GROUP = "gateway.networking.k8s.io";

/** plural → [kind, served versions] at Gateway API v1.4.1 (TLSRoute from the experimental channel). */
const KINDS: Record<string, [string, string[]]> = {
  backendtlspolicies: ["BackendTLSPolicy", ["v1"]],
  gatewayclasses: ["GatewayClass", ["v1"]],
  gateways: ["Gateway", ["v1"]],
  grpcroutes: ["GRPCRoute", ["v1"]],
  httproutes: ["HTTPRoute", ["v1"]],
  referencegrants: ["ReferenceGrant", ["v1beta1"]],
  tlsroutes: ["TLSRoute", ["v1alpha2"]],
};

export function fixtureCrd(file: PinnedCrdFile): Record<string, any> {
  const plural = /_([a-z]+)\.yaml$/.exec(file.path)![1];
  const [kind, versions] = KINDS[plural];
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${GROUP}`, annotations: { "k8tre.io/offline-fixture": `${file.path}@sha256:${file.sha256}` } },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: kind === "GatewayClass" ? "Cluster" : "Namespaced",
      versions: versions.map((name, i) => ({ name, served: true, storage: i === 0, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } })),
    },
  };
}

setDefaultCrdSource(async (file) => fixtureCrd(file));
