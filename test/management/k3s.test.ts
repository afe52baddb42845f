/**
 * The k3s stack's registration in the management ArgoCD without a stored token: the cluster
 * Secret (exec plugin reading ArgoCD's projected token), the RBAC on the K3s cluster, the
 * management ArgoCD's token volume, and the K3s server settings the stack outputs.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  ARGOCD_CLUSTER_TOKEN,
  ARGOCD_CLUSTER_TOKEN_PATH,
  assertNoStoredCredential,
  authenticationConfigApiVersion,
  authenticationConfiguration,
  EXEC_CREDENTIAL_SCRIPT,
  projectedTokenAuth,
} from "../../components/argocd/auth";
import { clusterConfig } from "../../components/argocd/registration";
import { argocdValues } from "../../components/argocd/values";
import { evaluatePlan } from "../../tools/synth/policy";
import type { SynthResult } from "../../tools/synth/engine";
import { one, ofType, synthShipped } from "../helpers/synth";

let k3s: SynthResult;
let mgmt: SynthResult;
beforeAll(async () => {
  mgmt = await synthShipped("mgmt");
  k3s = await synthShipped("k3s");
}, 180_000);

const SUBJECTS = ["system:serviceaccount:argocd:argocd-application-controller", "system:serviceaccount:argocd:argocd-server"];

describe("the k3s cluster Secret in the management cluster", () => {
  it("is labelled for K8TRE's ApplicationSets and written through the management provider", () => {
    const secret = one(k3s, "kubernetes:core/v1:Secret");
    const meta = secret.inputs.metadata as any;
    expect(meta).toMatchObject({ name: "cluster-k8tre-lab", namespace: "argocd" });
    expect(meta.labels).toMatchObject({
      "argocd.argoproj.io/secret-type": "cluster", environment: "lab", vendor: "k3s", "secret-store": "kubernetes",
      "external-dns": "k3s", "external-domain": "lab.example.org", region: "on-prem", "cluster-name": "k8tre-lab",
      "metallb-ip-range": "192.168.50.240-192.168.50.250",
    });
    expect(k3s.resources.find((r) => r.urn === secret.provider)?.name).toBe("management-k8s");
  });

  it("holds no bearer token: an exec plugin reads ArgoCD's projected token, TLS is verified", () => {
    // The SDK marks a Secret's stringData secret; the stack outputs what it holds for review.
    expect(one(k3s, "kubernetes:core/v1:Secret").inputs.stringData).toBe("[secret]");
    const data = k3s.outputs.argocdClusterSecret as any;
    expect(data.name).toBe("cluster-k8tre-lab");
    expect(data.server).toBe("https://k3s-lab.example.org:6443");
    const config = JSON.parse(data.config);
    expect(Object.keys(config).sort()).toEqual(["execProviderConfig", "tlsClientConfig"]);
    expect(config.execProviderConfig).toEqual({
      command: "/bin/sh",
      args: ["-c", EXEC_CREDENTIAL_SCRIPT],
      env: { K8TRE_TOKEN_FILE: "/var/run/secrets/k8tre/cluster-token/token" },
      apiVersion: "client.authentication.k8s.io/v1beta1",
      installHint: expect.stringContaining("components/argocd/values.ts"),
    });
    // the synth cannot decrypt k8tre:kubeconfig; a deploy puts the kubeconfig's CA here
    expect(config.tlsClientConfig).toEqual({ insecure: false, caData: "[secret]" });
  });

  it("passes the policy pack's no-bearer-token rule when the rule can see the Secret's data", () => {
    const secret = one(k3s, "kubernetes:core/v1:Secret");
    const visible = { ...secret, inputs: { ...secret.inputs, stringData: { config: (k3s.outputs.argocdClusterSecret as any).config } } };
    const report = evaluatePlan({ resources: [visible] });
    expect(report.policies.find((p) => p.name === "argocd-cluster-no-bearer-token")).toMatchObject({ status: "passed", checked: 1 });
    const withToken = { ...visible, inputs: { ...visible.inputs, stringData: { config: JSON.stringify({ bearerToken: "eyJ" }) } } };
    expect(evaluatePlan({ resources: [withToken] }).mandatoryViolations).toBe(1);
  });

  it("refuses any strategy that would store a credential", () => {
    expect(() => clusterConfig({ strategy: "x", config: { bearerToken: "eyJ" }, subjects: [] }, "Q0E=")).toThrow(/must not hold bearerToken/);
    expect(() => assertNoStoredCredential({ tlsClientConfig: { keyData: "a" } })).toThrow(/tlsClientConfig\.keyData/);
    expect(() => assertNoStoredCredential({ password: "p" })).toThrow(/password/);
  });
});

describe("RBAC on the K3s cluster", () => {
  it("binds the deployer role to the two prefixed ArgoCD users only, through the k3s provider, before registering", () => {
    const binding = one(k3s, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
    expect((binding.inputs as any).subjects).toEqual(SUBJECTS.map((s) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: `k8tre-mgmt:${s}` })));
    expect((binding.inputs as any).roleRef).toMatchObject({ kind: "ClusterRole", name: "k8tre-argocd-deployer" });
    expect(k3s.resources.find((r) => r.urn === binding.provider)?.name).toBe("k3s");
    expect(k3s.resources.find((r) => r.type === "k8tre:argocd:ClusterRegistration")!.dependsOn).toContain(binding.urn);
    expect(ofType(k3s, "kubernetes:core/v1:ServiceAccount")).toHaveLength(0);
  });
});

describe("the K3s server settings the stack outputs", () => {
  it("trust the management cluster's issuer for ArgoCD's audience and subjects only", () => {
    const doc = parse(k3s.outputs.k3sAuthenticationConfig as string);
    expect(doc).toEqual({
      apiVersion: "apiserver.config.k8s.io/v1beta1",
      kind: "AuthenticationConfiguration",
      jwt: [
        {
          issuer: { url: mgmt.outputs.oidcIssuerUrl, audiences: ["k8tre-argocd-cluster-access"] },
          claimValidationRules: [{ expression: `claims.sub in [${SUBJECTS.map((s) => `"${s}"`).join(", ")}]`, message: expect.any(String) }],
          claimMappings: { username: { claim: "sub", prefix: "k8tre-mgmt:" } },
        },
      ],
    });
    expect(k3s.outputs.k3sServerFlag).toBe("--kube-apiserver-arg=authentication-config=/etc/rancher/k3s/authentication-config.yaml");
    expect(parse(k3s.outputs.k3sServerConfigYaml as string)).toEqual({ "kube-apiserver-arg": ["authentication-config=/etc/rancher/k3s/authentication-config.yaml"] });
  });

  it("pick the AuthenticationConfiguration apiVersion from k8tre:k3s.kubernetesVersion", () => {
    expect(authenticationConfigApiVersion("1.30")).toBe("apiserver.config.k8s.io/v1beta1");
    expect(authenticationConfigApiVersion("1.33")).toBe("apiserver.config.k8s.io/v1beta1");
    expect(authenticationConfigApiVersion("1.34")).toBe("apiserver.config.k8s.io/v1");
    expect(() => authenticationConfigApiVersion("1.29")).toThrow(/1\.30 or later/);
    expect(authenticationConfiguration({ issuerUrl: "https://i/", audience: "a", kubernetesVersion: "1.35" }).apiVersion).toBe("apiserver.config.k8s.io/v1");
  });
});

describe("the management ArgoCD side", () => {
  it("projects the audience-bound cluster token into the controller and server, without listing clusters", () => {
    const values = argocdValues({ host: "argocd.mgmt.example.org", tenantId: "t", ssoClientId: "s", controllerClientId: "c", adminGroupObjectIds: ["g"] }) as any;
    for (const component of ["controller", "server"]) {
      expect(values[component].volumes).toEqual([
        { name: "k8tre-cluster-token", projected: { sources: [{ serviceAccountToken: { audience: "k8tre-argocd-cluster-access", expirationSeconds: 3600, path: "token" } }] } },
      ]);
      expect(values[component].volumeMounts).toEqual([{ name: "k8tre-cluster-token", mountPath: "/var/run/secrets/k8tre/cluster-token", readOnly: true }]);
    }
    expect(`${ARGOCD_CLUSTER_TOKEN.mountPath}/${ARGOCD_CLUSTER_TOKEN.file}`).toBe(ARGOCD_CLUSTER_TOKEN_PATH);
    expect(mgmt.outputs.argocdClusterToken).toEqual({
      issuerUrl: mgmt.outputs.oidcIssuerUrl, audience: "k8tre-argocd-cluster-access", users: SUBJECTS.map((s) => `k8tre-mgmt:${s}`),
    });
  });

  it("the exec plugin prints a v1beta1 ExecCredential with the token file's content and a near expiry", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-token-"));
    const file = path.join(dir, "token");
    fs.writeFileSync(file, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
    const exec = projectedTokenAuth().config.execProviderConfig as { command: string; args: string[] };
    const out = JSON.parse(execFileSync(exec.command, exec.args, { env: { PATH: process.env.PATH, K8TRE_TOKEN_FILE: file }, encoding: "utf8" }));
    expect(out).toMatchObject({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" } });
    const minutes = (Date.parse(out.status.expirationTimestamp) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(3);
    expect(minutes).toBeLessThanOrEqual(5);
  });
});
