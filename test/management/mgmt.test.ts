/** The shipped `mgmt` stack under the offline engine: what an auditor asks about ArgoCD. */
import { parse } from "yaml";
import { ofType, one, synthShipped } from "../helpers/synth";
import type { SynthResult } from "../../tools/synth/engine";

let mgmt: SynthResult;
beforeAll(async () => {
  mgmt = await synthShipped("mgmt");
}, 180_000);

const values = (): Record<string, any> => one(mgmt, "kubernetes:helm.sh/v3:Release", "argocd-release").inputs.values as Record<string, any>;

describe("mgmt stack", () => {
  it("installs the pinned argo-cd chart into argocd, after Cilium runs on the management cluster", () => {
    const rel = one(mgmt, "kubernetes:helm.sh/v3:Release", "argocd-release");
    expect(rel.inputs).toMatchObject({ chart: "argo-cd", version: "10.1.1", namespace: "argocd", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" } });
    const cilium = one(mgmt, "kubernetes:helm.sh/v3:Release", "bootstrap-cilium");
    expect(rel.dependsOn).toContain(cilium.urn);
    // The management cluster gets the same agnostics layer (internal gateway, DNS, TLS) as environments.
    expect(ofType(mgmt, "kubernetes:gateway.networking.k8s.io/v1:Gateway")).toHaveLength(1);
  });

  it("disables the local admin and Dex, and denies everyone outside the admin group", () => {
    const v = values();
    expect(v.configs.cm["admin.enabled"]).toBe(false);
    expect(v.dex.enabled).toBe(false);
    expect(v.configs.rbac["policy.default"]).toBe("");
    expect(v.configs.rbac["policy.csv"]).toBe("g, 00000000-0000-0000-0000-00000000a001, role:admin\n");
  });

  it("signs in through the Entra application with workload identity: federated credential, no secret", () => {
    const app = one(mgmt, "azuread:index/application:Application");
    expect(app.inputs.groupMembershipClaims).toEqual(["SecurityGroup"]);
    expect((app.inputs.web as any).redirectUris).toEqual(["https://argocd.mgmt.example.org/auth/callback"]);
    expect(app.inputs.password).toBeUndefined();
    expect(ofType(mgmt, "azuread:index/applicationPassword:ApplicationPassword")).toHaveLength(0);
    expect(mgmt.resources.filter((r) => /password|certificate/i.test(r.type) && r.type.startsWith("azuread"))).toEqual([]);

    const sp = one(mgmt, "azuread:index/servicePrincipal:ServicePrincipal");
    expect(sp.inputs.appRoleAssignmentRequired).toBe(true);
    const assignments = ofType(mgmt, "azuread:index/appRoleAssignment:AppRoleAssignment");
    expect(assignments.map((a) => a.inputs.principalObjectId)).toEqual(["00000000-0000-0000-0000-00000000a001"]);

    const fic = one(mgmt, "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential");
    const aks = mgmt.outputs as Record<string, any>;
    expect(fic.inputs).toMatchObject({ subject: "system:serviceaccount:argocd:argocd-server", audiences: ["api://AzureADTokenExchange"], issuer: aks.oidcIssuerUrl });
    expect(fic.inputs.applicationId).toMatch(/^\/applications\/[0-9a-f-]{36}$/);

    const oidc = parse(values().configs.cm["oidc.config"]);
    expect(oidc.azure).toEqual({ useWorkloadIdentity: true });
    expect(oidc.clientID).toBe((mgmt.outputs as Record<string, any>).argocdSsoClientId);
    expect(oidc.clientID).toMatch(/^[0-9a-f-]{36}$/);
    expect(oidc.clientSecret).toBeUndefined();
    expect(values().server.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(oidc.clientID);
  });

  it("federates the controller identity with exactly the controller and server service accounts", () => {
    const fics = ofType(mgmt, "azure-native:managedidentity:FederatedIdentityCredential").filter((f) => f.name.startsWith("argocd-controller"));
    expect(fics.map((f) => f.inputs.subject).sort()).toEqual([
      "system:serviceaccount:argocd:argocd-application-controller",
      "system:serviceaccount:argocd:argocd-server",
    ]);
    const out = mgmt.outputs as Record<string, any>;
    expect(values().controller.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(out.argocdControllerIdentity.clientId);
    expect(out.argocdControllerIdentity.principalId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("publishes ArgoCD only on the internal gateway, at argocd.<mgmt domain>", () => {
    const routes = ofType(mgmt, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").filter((r) => JSON.stringify(r.inputs).includes("argocd."));
    expect(routes).toHaveLength(1);
    const route = routes[0];
    expect((route.inputs.spec as any).hostnames).toEqual(["argocd.mgmt.example.org"]);
    expect((route.inputs.spec as any).parentRefs).toEqual([expect.objectContaining({ name: "internal-gateway", namespace: "gateway", kind: "Gateway", sectionName: "https" })]);
    expect(ofType(mgmt, "kubernetes:networking.k8s.io/v1:Ingress")).toHaveLength(0);
    expect(values().server.service?.type ?? "ClusterIP").toBe("ClusterIP");
  });

  it("bootstraps the fork's root app-of-apps from config, after the release", async () => {
    const app = one(mgmt, "kubernetes:argoproj.io/v1alpha1:Application");
    expect((app.inputs.spec as any).source).toMatchObject({ repoURL: "https://github.com/example-org/k8tre.git", targetRevision: "main", path: "appsets" });
    expect(app.dependsOn).toContain(one(mgmt, "kubernetes:helm.sh/v3:Release", "argocd-release").urn);
    const tagged = await synthShipped("mgmt", { overrides: { "k8tre:argocd": { adminGroupObjectIds: ["00000000-0000-0000-0000-00000000a001"], repoUrl: "https://git.example.org/tre/k8tre.git", revision: "3f2c1e0" } } });
    const app2 = one(tagged, "kubernetes:argoproj.io/v1alpha1:Application");
    expect((app2.inputs.spec as any).source).toMatchObject({ repoURL: "https://git.example.org/tre/k8tre.git", targetRevision: "3f2c1e0" });
    expect(parse((app2.inputs.spec as any).source.kustomize.patches[0].patch).map((o: any) => o.value)).toEqual([
      "https://git.example.org/tre/k8tre.git", "https://git.example.org/tre/k8tre.git", "3f2c1e0", "3f2c1e0",
    ]);
  }, 180_000);

  it("exports what environment stacks consume, with the kubeconfig secret", () => {
    const out = mgmt.outputs as Record<string, any>;
    for (const k of ["clusterName", "resourceGroupName", "privateFqdn", "oidcIssuerUrl", "kubeconfig", "argocdNamespace", "argocdControllerIdentity", "argocdUrl", "tenantId"]) {
      expect(out[k]).toBeDefined();
    }
    expect(out.argocdNamespace).toBe("argocd");
    expect(out.argocdUrl).toBe("https://argocd.mgmt.example.org");
  });
});
