/**
 * Fakes for in-cluster resources: a Helm release reports what `helm status` would (deployed,
 * revision 1, the pinned chart); a Service gets a ClusterIP unless it asked for a fixed one.
 */
import { registerResourceFake } from "../fakes";

registerResourceFake("kubernetes:helm.sh/v3:Release", (args) => {
  const name = String(args.inputs.name ?? args.name);
  const namespace = String(args.inputs.namespace ?? "default");
  return {
    id: `${namespace}/${name}`,
    state: {
      status: { name, namespace, chart: args.inputs.chart, version: args.inputs.version, status: "deployed", revision: 1 },
    },
  };
});

registerResourceFake("kubernetes:core/v1:Service", (args) => {
  const spec = (args.inputs.spec ?? {}) as Record<string, unknown>;
  const meta = (args.inputs.metadata ?? {}) as Record<string, unknown>;
  // A stable address in 10.43.128.0/17 (the dynamic band of K3s's default service CIDR).
  let h = 0;
  for (const ch of `${meta.namespace}/${meta.name}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const clusterIP = (spec.clusterIP as string | undefined) ?? `10.43.${128 + ((h >> 8) % 128)}.${(h % 253) + 1}`;
  return { id: `${meta.namespace}/${meta.name}`, state: { spec: { ...spec, clusterIP } } };
});
