/**
 * Network policy for the agnostics namespaces: a Kubernetes `NetworkPolicy` that denies all
 * ingress and egress of every pod in the namespace, plus one `CiliumNetworkPolicy` that allows
 * exactly what the namespace's controllers need — DNS to kube-dns (with the DNS L7 rule Cilium's
 * `toFQDNs` depends on), the API server, the cloud endpoints by name, and named in-cluster peers.
 * Both are created before the chart, so the controllers start under the posture they keep.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface PortSpec {
  readonly port: string;
  readonly protocol: "TCP" | "UDP" | "ANY";
}

export interface NamespacePolicy {
  readonly namespace: string;
  /** Egress to the Kubernetes API server. */
  readonly kubeApiserver?: boolean;
  /** Admission webhooks / API-server callbacks: ingress from the API server (and on managed clusters its tunnel). */
  readonly webhookIngress?: boolean;
  /** Egress on 443 to these host names (`*.` patterns allowed). */
  readonly fqdns?: readonly string[];
  /** Egress to fixed addresses (e.g. public resolvers for the DNS-01 self-check). */
  readonly cidrEgress?: readonly { readonly cidr: string; readonly ports: readonly PortSpec[] }[];
  /** Egress to pods in other namespaces (namespace → ports). */
  readonly namespaceEgress?: readonly { readonly namespace: string; readonly ports: readonly PortSpec[] }[];
  /** Ingress from pods in other namespaces. */
  readonly namespaceIngress?: readonly { readonly namespace: string; readonly ports: readonly PortSpec[] }[];
  /** Pods in the namespace may talk to each other. */
  readonly intraNamespace?: boolean;
  /** Ingress from Cilium's reserved identities (`world`, `cluster`, `ingress`, ...) on ports. */
  readonly entityIngress?: readonly { readonly entities: readonly string[]; readonly ports?: readonly PortSpec[] }[];
  /** Egress to Cilium entities (e.g. `cluster` for an ingress controller's backends). */
  readonly entityEgress?: readonly { readonly entities: readonly string[]; readonly ports?: readonly PortSpec[] }[];
}

const NS_LABEL = "k8s:io.kubernetes.pod.namespace";

export const KUBE_DNS_SELECTOR = { matchLabels: { [NS_LABEL]: "kube-system", "k8s:k8s-app": "kube-dns" } } as const;

/** The default-deny `NetworkPolicy` spec (all pods, ingress and egress, nothing allowed). */
export function defaultDenySpec(): { podSelector: Record<string, never>; policyTypes: string[] } {
  return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** The `CiliumNetworkPolicy` spec allowing what a namespace needs. */
export function allowSpec(p: NamespacePolicy): Record<string, unknown> {
  const fqdns = p.fqdns ?? [];
  const egress: Record<string, unknown>[] = [
    {
      toEndpoints: [KUBE_DNS_SELECTOR],
      toPorts: [
        {
          ports: [{ port: "53", protocol: "ANY" }],
          // The DNS proxy must see the answers for toFQDNs to learn the addresses.
          rules: { dns: [{ matchPattern: "*" }] },
        },
      ],
    },
  ];
  if (p.kubeApiserver) egress.push({ toEntities: ["kube-apiserver"] });
  if (fqdns.length) {
    egress.push({
      toFQDNs: fqdns.map((f) => (f.includes("*") ? { matchPattern: f } : { matchName: f })),
      toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }],
    });
  }
  for (const c of p.cidrEgress ?? []) egress.push({ toCIDR: [c.cidr], toPorts: [{ ports: c.ports }] });
  for (const n of p.namespaceEgress ?? []) {
    egress.push({ toEndpoints: [{ matchLabels: { [NS_LABEL]: n.namespace } }], toPorts: [{ ports: n.ports }] });
  }
  for (const e of p.entityEgress ?? []) egress.push({ toEntities: e.entities, ...(e.ports ? { toPorts: [{ ports: e.ports }] } : {}) });
  if (p.intraNamespace) egress.push({ toEndpoints: [{}] });

  const ingress: Record<string, unknown>[] = [];
  if (p.webhookIngress) {
    ingress.push({ fromEntities: ["kube-apiserver", "host", "remote-node"] });
    // Managed control planes reach webhooks through a tunnel agent in kube-system (AKS konnectivity).
    ingress.push({ fromEndpoints: [{ matchLabels: { [NS_LABEL]: "kube-system" } }] });
  }
  for (const n of p.namespaceIngress ?? []) {
    ingress.push({ fromEndpoints: [{ matchLabels: { [NS_LABEL]: n.namespace } }], toPorts: [{ ports: n.ports }] });
  }
  for (const e of p.entityIngress ?? []) ingress.push({ fromEntities: e.entities, ...(e.ports ? { toPorts: [{ ports: e.ports }] } : {}) });
  if (p.intraNamespace) ingress.push({ fromEndpoints: [{}] });

  return { endpointSelector: {}, egress, ...(ingress.length ? { ingress } : {}) };
}

/**
 * Declares the deny + allow pair for one namespace; returns both (charts depend on them). The
 * policy may be an Output when it names a host known only after deployment (the Key Vault).
 */
export function namespacePolicies(
  name: string,
  ns: string,
  policy: NamespacePolicy | pulumi.Output<NamespacePolicy>,
  opts: { parent: pulumi.Resource; dependsOn: pulumi.Input<pulumi.Resource>[] },
): pulumi.Resource[] {
  const deny = new k8s.networking.v1.NetworkPolicy(
    `${name}-default-deny`,
    { metadata: { name: "default-deny", namespace: ns }, spec: defaultDenySpec() },
    { parent: opts.parent, dependsOn: opts.dependsOn },
  );
  const spec = pulumi.Output.isInstance(policy) ? policy.apply(allowSpec) : allowSpec(policy);
  const allow = new k8s.apiextensions.CustomResource(
    `${name}-allow`,
    { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "k8tre-allow", namespace: ns }, spec },
    { parent: opts.parent, dependsOn: opts.dependsOn },
  );
  return [deny, allow];
}

export const TCP = (port: number): PortSpec => ({ port: String(port), protocol: "TCP" });
export const DNS_PORTS: readonly PortSpec[] = [
  { port: "53", protocol: "UDP" },
  { port: "53", protocol: "TCP" },
];
