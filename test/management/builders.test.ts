/** Pure builders of the management ArgoCD: values, plugin, root app, route, labels, exec config. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { entraWorkloadIdentityAuth } from "../../components/argocd/auth";
import { ARGOCD_CHART, CMP_PLUGIN, serviceAccountSubject } from "../../components/argocd/chart";
import { ssoApplicationSettings } from "../../components/argocd/identity";
import { argocdHttpRoute, rootApplication } from "../../components/argocd/manifests";
import { cmpPluginSpec, cmpSidecar, cmpVolumes, generateScript, pluginReference } from "../../components/argocd/plugin";
import { argocdDeployerRules, clusterConfig, clusterLabels, REQUIRED_CLUSTER_LABELS } from "../../components/argocd/registration";
import { argocdValues, oidcConfig, rbacPolicyCsv } from "../../components/argocd/values";
import { COMPUTED_REGISTRATION_LABELS } from "../../config/schema/argocd";

const TENANT = "11111111-1111-1111-1111-111111111111";
const SSO = "22222222-2222-2222-2222-222222222222";
const CTRL = "33333333-3333-3333-3333-333333333333";
const ADMINS = ["44444444-4444-4444-4444-444444444444", "55555555-5555-5555-5555-555555555555"];

type Values = Record<string, any>;
const values = (): Values => argocdValues({ host: "argocd.mgmt.example.org", tenantId: TENANT, ssoClientId: SSO, controllerClientId: CTRL, adminGroupObjectIds: ADMINS });

describe("argocd values", () => {
  it("pins the chart chosen in charts.md", () => {
    expect(ARGOCD_CHART).toMatchObject({ chart: "argo-cd", version: "10.1.1", appVersion: "v3.4.4" });
  });

  it("disables the local admin and Dex, and denies everyone but the admin groups", () => {
    const v = values();
    expect(v.configs.cm["admin.enabled"]).toBe(false);
    expect(v.dex.enabled).toBe(false);
    expect(v.configs.rbac["policy.default"]).toBe("");
    expect(v.configs.rbac.scopes).toBe("[groups]");
    const lines = String(v.configs.rbac["policy.csv"]).trim().split("\n");
    expect(lines).toEqual(ADMINS.map((g) => `g, ${g}, role:admin`));
    // no `p,` line grants anything to anyone else
    expect(lines.some((l) => l.startsWith("p,"))).toBe(false);
  });

  it("refuses an empty admin list (nobody could administer ArgoCD)", () => {
    expect(() => argocdValues({ host: "h.example.org", tenantId: TENANT, ssoClientId: SSO, controllerClientId: CTRL, adminGroupObjectIds: [] })).toThrow(/admin group/);
    expect(rbacPolicyCsv(["x"])).toBe("g, x, role:admin\n");
  });

  it("signs users in with Entra ID through workload identity, without a client secret", () => {
    const v = values();
    const oidc = parse(v.configs.cm["oidc.config"]);
    expect(oidc).toMatchObject({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      clientID: SSO,
      azure: { useWorkloadIdentity: true },
      requestedScopes: ["openid", "profile", "email"],
    });
    expect(Object.keys(oidc)).not.toContain("clientSecret");
    expect(JSON.stringify(v)).not.toMatch(/clientSecret|client_secret/i);
    expect(v.server.podLabels).toEqual({ "azure.workload.identity/use": "true" });
    expect(v.server.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(SSO);
    expect(v.controller.podLabels).toEqual({ "azure.workload.identity/use": "true" });
    expect(v.controller.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(CTRL);
    expect(v.configs.cm.url).toBe("https://argocd.mgmt.example.org");
    expect(v.configs.cm["kustomize.buildOptions"]).toBe("--enable-helm --load-restrictor LoadRestrictionsNone");
    expect(oidcConfig(TENANT, SSO)).toContain("useWorkloadIdentity: true");
  });

  it("keeps the chart's ingress NetworkPolicies on explicitly", () => {
    expect(values().global.networkPolicy.create).toBe(true);
  });
});

describe("kustomize-with-envsubst plugin", () => {
  it("is a ConfigManagementPlugin spec object named like K8TRE's ApplicationSets expect", () => {
    const v = values();
    const spec = v.configs.cmp.plugins[CMP_PLUGIN.name];
    expect(v.configs.cmp.create).toBe(true);
    expect(spec).toEqual(cmpPluginSpec());
    expect(typeof spec).toBe("object");
    expect(pluginReference()).toBe("kustomize-with-envsubst-v1.0");
    // what the chart renders into argocd-cmp-cm parses as a valid plugin manifest
    const rendered = parse(`apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata:\n  name: ${CMP_PLUGIN.name}\nspec:\n${JSON.stringify(spec)}`.replace("spec:\n", "spec: "));
    expect(rendered.spec.version).toBe("v1.0");
    expect(rendered.spec.generate.command).toEqual(["sh", "-c"]);
  });

  it("mounts the ConfigMap the chart creates, with its own tmp, as a locked-down sidecar", () => {
    const sidecar = cmpSidecar() as any;
    expect(sidecar.image).toBe(`quay.io/argoproj/argocd:${ARGOCD_CHART.appVersion}`);
    expect(sidecar.command).toEqual(["/var/run/argocd/argocd-cmp-server"]);
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    const mount = sidecar.volumeMounts.find((m: any) => m.mountPath === "/home/argocd/cmp-server/config/plugin.yaml");
    expect(mount).toEqual({ mountPath: "/home/argocd/cmp-server/config/plugin.yaml", subPath: "kustomize-with-envsubst.yaml", name: "argocd-cmp-cm" });
    const volumes = cmpVolumes() as any[];
    expect(volumes.find((x) => x.name === mount.name).configMap.name).toBe("argocd-cmp-cm");
    const tmp = sidecar.volumeMounts.find((m: any) => m.mountPath === "/tmp");
    expect(tmp.name).not.toBe("tmp"); // not the repo-server's own tmp volume
    expect(volumes.map((x) => x.name)).toContain(tmp.name);
    // extraContainers are rendered through `tpl`: no template delimiters may appear
    const strings: string[] = [];
    JSON.stringify(values().repoServer, (_k, v) => (typeof v === "string" && strings.push(v), v));
    expect(strings.length).toBeGreaterThan(5);
    expect(strings.filter((x) => /\{\{|\}\}/.test(x))).toEqual([]);
  });

  describe("generate script (run with sh + awk and a stand-in kustomize)", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "cmp-"));
      fs.writeFileSync(path.join(dir, "kustomize"), '#!/bin/sh\n[ "$*" = "build --enable-helm --load-restrictor LoadRestrictionsNone ." ] || { echo "bad args: $*" >&2; exit 3; }\n[ -n "${FAIL:-}" ] && { echo boom >&2; exit 4; }\ncat "$INPUT"\n', { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = (input: string, env: Record<string, string>): { out: string; code: number; err: string } => {
      const file = path.join(dir, "in.yaml");
      fs.writeFileSync(file, input);
      try {
        const out = execFileSync("sh", ["-c", generateScript()], { cwd: dir, env: { PATH: `${dir}:${process.env.PATH}`, INPUT: file, ...env }, stdio: ["ignore", "pipe", "pipe"] }).toString();
        return { out, code: 0, err: "" };
      } catch (e: any) {
        return { out: String(e.stdout ?? ""), code: e.status ?? -1, err: String(e.stderr ?? "") };
      }
    };
    const ENV = { ARGOCD_ENV_ENVIRONMENT: "dev", ARGOCD_ENV_DOMAIN: "dev.example.org", ARGOCD_ENV_REGION: "uksouth", ARGOCD_ENV_CLUSTER_NAME: "aks-k8tre-dev-uks", ARGOCD_ENV_METALLB_IP_RANGE: "10.0.0.240-10.0.0.250" };

    it("substitutes the five K8TRE variables literally and leaves everything else alone", () => {
      const r = run(
        "host: keycloak.${ENVIRONMENT}.${DOMAIN}\nr: ${REGION}/${CLUSTER_NAME} ${METALLB_IP_RANGE}\nnginx: https://portal.$ENVIRONMENT.$DOMAIN$request_uri ${HOME} ${ unclosed\n",
        ENV,
      );
      expect(r.code).toBe(0);
      expect(r.out).toBe("host: keycloak.dev.dev.example.org\nr: uksouth/aks-k8tre-dev-uks 10.0.0.240-10.0.0.250\nnginx: https://portal.$ENVIRONMENT.$DOMAIN$request_uri ${HOME} ${ unclosed\n");
    });

    it("treats values as data: sed metacharacters and nested ${...} are not re-expanded", () => {
      const r = run("d: ${DOMAIN}\n", { ...ENV, ARGOCD_ENV_DOMAIN: "a/b&c\\d${ENVIRONMENT}" });
      expect(r.out).toBe("d: a/b&c\\d${ENVIRONMENT}\n");
    });

    it("fails instead of rendering an empty DOMAIN", () => {
      const r = run("host: x.${DOMAIN}\n", { ...ENV, ARGOCD_ENV_DOMAIN: "" });
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/DOMAIN is referenced but ARGOCD_ENV_DOMAIN is empty/);
    });

    it("fails when kustomize fails (never an empty manifest list that prune would act on)", () => {
      const r = run("a: b\n", { ...ENV, FAIL: "1" });
      expect(r.code).not.toBe(0);
      expect(r.out).toBe("");
    });
  });
});

describe("root app-of-apps and route", () => {
  it("deploys the configured fork and revision, patching every ApplicationSet to it", () => {
    const app = rootApplication({ repoUrl: "https://github.com/acme/k8tre.git", revision: "v1.2.3", path: "appsets" }) as any;
    expect(app).toMatchObject({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "root-app-of-apps", namespace: "argocd" } });
    expect(app.spec.source).toMatchObject({ repoURL: "https://github.com/acme/k8tre.git", targetRevision: "v1.2.3", path: "appsets" });
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    const [p] = app.spec.source.kustomize.patches;
    expect(p.target).toEqual({ kind: "ApplicationSet" });
    const ops = parse(p.patch);
    expect(ops).toHaveLength(4);
    expect(ops.filter((o: any) => o.path.endsWith("repoURL")).map((o: any) => o.value)).toEqual(["https://github.com/acme/k8tre.git", "https://github.com/acme/k8tre.git"]);
    expect(ops.filter((o: any) => /revision|targetRevision/i.test(o.path)).map((o: any) => o.value)).toEqual(["v1.2.3", "v1.2.3"]);
  });

  it("attaches the HTTPRoute to the internal gateway only", () => {
    const r = argocdHttpRoute({ host: "argocd.mgmt.example.org", gateway: { name: "internal-gateway", namespace: "gateway" } }) as any;
    expect(r.spec.hostnames).toEqual(["argocd.mgmt.example.org"]);
    expect(r.spec.parentRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "internal-gateway", namespace: "gateway" }]);
    expect(r.spec.rules[0].backendRefs).toEqual([{ name: "argocd-server", port: 80 }]);
  });
});

describe("Entra application settings", () => {
  it("claims security groups only and redirects to the configured host", () => {
    const s = ssoApplicationSettings("argocd.mgmt.example.org");
    expect(s.groupMembershipClaims).toEqual(["SecurityGroup"]);
    expect(s.web.redirectUris).toEqual(["https://argocd.mgmt.example.org/auth/callback"]);
    expect(s.web.implicitGrant).toEqual({ idTokenIssuanceEnabled: false, accessTokenIssuanceEnabled: false });
    expect(s.signInAudience).toBe("AzureADMyOrg");
    expect(serviceAccountSubject("server")).toBe("system:serviceaccount:argocd:argocd-server");
    expect(serviceAccountSubject("controller")).toBe("system:serviceaccount:argocd:argocd-application-controller");
  });
});

describe("cluster registration builders", () => {
  const base = {
    environment: "dev", vendor: "azure", secretStore: "azure-keyvault", externalDns: "azure", externalDomain: "dev.example.org",
    region: "uksouth", clusterName: "aks-k8tre-dev-uks",
  };

  it("carries every label K8TRE's ApplicationSets read, plus skip opt-outs and extras", () => {
    const l = clusterLabels({ ...base, skip: ["nginx", "cert-manager", "nginx"], extra: { team: "tre" } });
    for (const k of REQUIRED_CLUSTER_LABELS) expect(l[k]).toBeTruthy();
    expect(l["argocd.argoproj.io/secret-type"]).toBe("cluster");
    expect(l["skip-nginx"]).toBe("true");
    expect(l["skip-cert-manager"]).toBe("true");
    expect(l.team).toBe("tre");
    expect(l["external-domain"]).toBe("dev.example.org");
  });

  it("agrees with the config schema on which labels are computed", () => {
    expect([...COMPUTED_REGISTRATION_LABELS].sort()).toEqual(["argocd.argoproj.io/secret-type", ...REQUIRED_CLUSTER_LABELS].sort());
  });

  it("rejects extras that redefine a computed label and invalid label values", () => {
    expect(() => clusterLabels({ ...base, extra: { environment: "prd" } })).toThrow(/redefine/);
    expect(() => clusterLabels({ ...base, externalDomain: "bad domain" })).toThrow(/not a valid Kubernetes label value/);
    // a CIDR is not a label value: the MetalLB range label is only set for a-b ranges
    expect(clusterLabels({ ...base, metallbIpRange: "10.0.0.0/28" })["metallb-ip-range"]).toBeUndefined();
    expect(clusterLabels({ ...base, metallbIpRange: "10.0.0.1-10.0.0.9" })["metallb-ip-range"]).toBe("10.0.0.1-10.0.0.9");
  });

  it("authenticates with argocd-k8s-auth and workload identity, never a bearer token, and verifies TLS", () => {
    const c = JSON.parse(clusterConfig(entraWorkloadIdentityAuth({ tenantId: TENANT, clientId: CTRL, principalId: "p" }), "Q0E="));
    expect(c.bearerToken).toBeUndefined();
    expect(c.execProviderConfig).toMatchObject({ command: "argocd-k8s-auth", args: ["azure"], apiVersion: "client.authentication.k8s.io/v1beta1" });
    expect(c.execProviderConfig.env).toMatchObject({ AAD_LOGIN_METHOD: "workloadidentity", AZURE_CLIENT_ID: CTRL, AZURE_TENANT_ID: TENANT });
    expect(Object.keys(c.execProviderConfig.env).some((k) => /SECRET|PASSWORD/.test(k))).toBe(false);
    expect(c.tlsClientConfig).toEqual({ insecure: false, caData: "Q0E=" });
  });

  it("grants the deployer role only resource rules (no non-resource URLs)", () => {
    const rules = argocdDeployerRules();
    expect(rules.every((r) => !("nonResourceURLs" in r))).toBe(true);
  });
});
