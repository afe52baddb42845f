/**
 * The shipped Azure dev stack with the agnostics layer wired in: ordering after Cilium, and the
 * identity join — the client IDs the charts and issuers use are the environment stack's UAMI
 * client IDs, and each UAMI's federated subject is the service account its chart runs as.
 */
import { WORKLOAD_IDENTITIES, type WorkloadIdentityName } from "../../components/agnostics/identities";
import type { SynthResult } from "../../tools/synth/engine";
import { ofType, one, synthShipped } from "../helpers/synth";

let r: SynthResult;
beforeAll(async () => {
  r = await synthShipped("dev");
}, 180_000);

const releases = () => ofType(r, "kubernetes:helm.sh/v3:Release");
const release = (name: string) => releases().find((x) => x.inputs.name === name)!;

test("every agnostics chart depends on the Cilium release; custom resources on their chart", () => {
  const cilium = releases().find((x) => x.inputs.name === "cilium")!;
  const agnostic = releases().filter((x) => x.inputs.name !== "cilium");
  expect(agnostic.map((x) => x.inputs.name).sort()).toEqual(["cert-manager", "external-dns", "external-secrets"]);
  for (const rel of agnostic) expect(rel.dependsOn).toContain(cilium.urn);
  for (const type of ["kubernetes:cilium.io/v2:CiliumNetworkPolicy", "kubernetes:gateway.networking.k8s.io/v1:Gateway"]) {
    for (const res of ofType(r, type)) expect(res.dependsOn).toContain(cilium.urn);
  }
  expect(one(r, "kubernetes:external-secrets.io/v1:ClusterSecretStore").dependsOn).toContain(release("external-secrets").urn);
  for (const issuer of ofType(r, "kubernetes:cert-manager.io/v1:ClusterIssuer")) expect(issuer.dependsOn).toContain(release("cert-manager").urn);
});

test("azure wiring: Key Vault store, Azure Private DNS, internal LB in the ingress subnet, Let's Encrypt DNS-01", () => {
  const store = one(r, "kubernetes:external-secrets.io/v1:ClusterSecretStore").inputs.spec as any;
  expect(store.provider.azurekv).toMatchObject({ authType: "WorkloadIdentity", vaultUrl: r.outputs.keyVaultUri });
  const edns = release("external-dns").inputs.values as any;
  expect(edns).toMatchObject({ provider: { name: "azure-private-dns" }, domainFilters: [r.outputs.dnsZoneName], txtOwnerId: r.outputs.clusterName });
  const gw = one(r, "kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs.spec as any;
  expect(gw.infrastructure.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"]).toBe("true");
  expect(gw.infrastructure.annotations["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"]).toMatch(/\S/);
  const le = ofType(r, "kubernetes:cert-manager.io/v1:ClusterIssuer").find((i) => (i.inputs.metadata as any).name === "letsencrypt-ca")!;
  expect((le.inputs.spec as any).acme.solvers[0].dns01.azureDNS.hostedZoneName).toBe("dev.example.org");
  const classes = ofType(r, "kubernetes:storage.k8s.io/v1:StorageClass").map((c) => [(c.inputs.metadata as any).name, c.inputs.provisioner, c.inputs.reclaimPolicy]);
  expect(classes).toEqual([
    ["rwo-default", "disk.csi.azure.com", "Delete"],
    ["rwx-default", "file.csi.azure.com", "Retain"],
  ]);
  expect(ofType(r, "kubernetes:storage.k8s.io/v1:StorageClass")[1].inputs.parameters).toMatchObject({ storageAccount: (r.outputs.storageAccounts as any).files });
});

describe("identity join: environment identities ↔ agnostics service accounts", () => {
  const chartOf: Record<WorkloadIdentityName, string> = { externalDns: "external-dns", externalSecrets: "external-secrets", certManager: "cert-manager" };
  test.each(Object.keys(WORKLOAD_IDENTITIES) as WorkloadIdentityName[])("%s", (id) => {
    const clientId = (r.outputs.identities as any)[id].clientId as string;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    const rel = release(chartOf[id]);
    const values = rel.inputs.values as any;
    expect(values.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(clientId);
    // The federated credential of that identity names exactly the chart's service account.
    const fics = ofType(r, "azure-native:managedidentity:FederatedIdentityCredential").map((f) => f.inputs.subject);
    expect(fics).toContain(`system:serviceaccount:${rel.inputs.namespace}:${values.serviceAccount.name}`);
    const fic = ofType(r, "azure-native:managedidentity:FederatedIdentityCredential").find((f) => f.inputs.subject === `system:serviceaccount:${rel.inputs.namespace}:${values.serviceAccount.name}`)!;
    const uami = ofType(r, "azure-native:managedidentity:UserAssignedIdentity").find((u) => u.inputs.resourceName === fic.inputs.resourceName)!;
    expect(uami).toBeDefined();
  });
  test("cert-manager's DNS-01 solver uses the cert-manager identity", () => {
    const le = ofType(r, "kubernetes:cert-manager.io/v1:ClusterIssuer").find((i) => (i.inputs.metadata as any).name === "letsencrypt-ca")!;
    expect((le.inputs.spec as any).acme.solvers[0].dns01.azureDNS.managedIdentity.clientID).toBe((r.outputs.identities as any).certManager.clientId);
  });
});
