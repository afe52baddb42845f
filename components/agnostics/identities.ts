/**
 * The Kubernetes service accounts the agnostics layer runs its cloud-facing controllers as.
 * The environment stack creates one Azure workload identity per entry, with a federated
 * credential whose subject is exactly `system:serviceaccount:<namespace>:<serviceAccount>`;
 * the agnostics components install the controllers under these names. One table, so the two
 * can never drift (a test joins both).
 */
export const WORKLOAD_IDENTITIES = {
  externalDns: { namespace: "externaldns", serviceAccount: "externaldns" },
  externalSecrets: { namespace: "external-secrets", serviceAccount: "external-secrets" },
  certManager: { namespace: "cert-manager", serviceAccount: "cert-manager" },
} as const;

export type WorkloadIdentityName = keyof typeof WORKLOAD_IDENTITIES;

export function federatedSubject(name: WorkloadIdentityName): string {
  const w = WORKLOAD_IDENTITIES[name];
  return `system:serviceaccount:${w.namespace}:${w.serviceAccount}`;
}
