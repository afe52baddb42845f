/**
 * A k3s environment stack: an existing on-prem cluster reached by the kubeconfig in
 * `k8tre:kubeconfig` (a secret); no cloud resources. It installs the agnostics layer with the
 * k3s platform inputs (Kubernetes secret store, Longhorn or NFS, MetalLB, kare-dns), and registers
 * the cluster in the management ArgoCD without a stored token: ArgoCD presents a projected,
 * audience-bound service-account token of the management cluster, which the K3s API server
 * trusts through the AuthenticationConfiguration this stack outputs (docs/management.md).
 *
 * The cluster must already run the Gateway API v1.4.1 CRDs and Cilium 1.19 with Gateway API and
 * kube-proxy replacement (docs/agnostics.md); `k8tre:k3s.installCilium` is rejected until the
 * bootstrap component supports K3s.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { Agnostics, type PlatformInputs } from "../../components/agnostics";
import { defaultKareDnsClusterIp, defaultKareDnsIp } from "../../components/agnostics/dns";
import { authenticationConfiguration, projectedTokenAuth } from "../../components/argocd/auth";
import { kubeconfigCaData } from "../../components/argocd/registration";
import { SECRET_PLACEHOLDER } from "../../config/load";
import type { StackConfig } from "../../config/schema";
import type { StackContext, StackOutputs } from "../context";
import { environmentDomain } from "../domain";
import { type ClusterAuthStrategy, registerWithManagement } from "../registration";

/** Where the operator puts the AuthenticationConfiguration on each K3s server node. */
export const K3S_AUTH_CONFIG_PATH = "/etc/rancher/k3s/authentication-config.yaml";

/** The k3s platform inputs of the agnostics layer, from the stack config. */
export function k3sPlatform(c: StackConfig): PlatformInputs {
  const k3s = c.k3s!;
  const a = c.agnostics!;
  const pool = a.metallbAddressPool!;
  return {
    kind: "k3s",
    metallbAddressPool: pool,
    kareDnsIp: a.kareDnsIp ?? defaultKareDnsIp(pool),
    kareDnsClusterIp: k3s.kareDnsClusterIp ?? defaultKareDnsClusterIp(k3s.serviceCidr),
    storageBackend: a.storage.backend,
    ...(a.storage.backend === "nfs" ? { nfs: { server: a.storage.nfsServer!, path: a.storage.nfsPath! } } : {}),
    longhornReplicas: a.storage.longhornReplicas,
  };
}

/** K3s: the management ArgoCD's projected cluster token; the cluster binds the prefixed user names. */
export const k3sClusterAuth: ClusterAuthStrategy = () => projectedTokenAuth();

/**
 * The K3s server settings that make the API server trust the management ArgoCD (pure): the
 * AuthenticationConfiguration file and the server flag that loads it. `--authentication-config`
 * cannot be combined with `--oidc-*` flags (the API server exits).
 */
export function k3sServerTrust(input: { issuerUrl: string; audience: string; kubernetesVersion: string }): { authenticationConfig: string; serverFlag: string; configYaml: string } {
  const authenticationConfig = stringify(authenticationConfiguration(input));
  const arg = `authentication-config=${K3S_AUTH_CONFIG_PATH}`;
  return {
    authenticationConfig,
    serverFlag: `--kube-apiserver-arg=${arg}`,
    configYaml: stringify({ "kube-apiserver-arg": [arg] }),
  };
}

/**
 * The API server's CA from the kubeconfig. The offline synth cannot decrypt `k8tre:kubeconfig`
 * and hands the program a placeholder; the plan then shows the placeholder instead of a CA.
 */
export function k3sCaData(kubeconfig: string): string {
  return kubeconfig === SECRET_PLACEHOLDER ? SECRET_PLACEHOLDER : kubeconfigCaData(kubeconfig);
}

export function buildK3sStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const k3s = c.k3s!;
  const provider = new k8s.Provider("k3s", {
    kubeconfig: pulumi.secret(c.kubeconfig!),
    context: k3s.context,
    // Never fall back to the operator's ambient kubeconfig or namespace.
    namespace: "default",
  });
  const domain = environmentDomain(c);
  const clusterName = `${c.prefix}-${c.environment}`;
  const server = `https://${k3s.apiServerHost}:${k3s.apiServerPort}`;
  let outputs: StackOutputs = { apiServer: server, dnsZoneName: domain };

  let ready: pulumi.Resource[] = [];
  if (c.agnostics?.enabled) {
    const platform = k3sPlatform(c);
    const agnostics = new Agnostics("agnostics", { platform, domain, clusterName, dependsOn: [], config: c.agnostics }, { provider });
    ready = [agnostics];
    outputs = {
      ...outputs,
      gatewayHost: agnostics.gatewayHost,
      kareDnsIp: platform.kind === "k3s" ? platform.kareDnsIp : undefined,
      kareDnsClusterIp: platform.kind === "k3s" ? platform.kareDnsClusterIp : undefined,
      secretStore: agnostics.secretStoreName,
    };
  }

  const registration = registerWithManagement(
    ctx,
    {
      clusterName,
      server,
      // The CA is public: unsecreted so the plan and the policy pack can read the Secret's config.
      caData: pulumi.unsecret(pulumi.secret(c.kubeconfig!).apply(k3sCaData)),
      provider,
    },
    k3sClusterAuth,
    { dependsOn: ready },
  );
  if (!registration) return outputs;

  const token = ctx.stackRef("management").requireOutput("argocdClusterToken") as pulumi.Output<{ issuerUrl: string; audience: string }>;
  const trust = token.apply((t) => k3sServerTrust({ issuerUrl: t.issuerUrl, audience: t.audience, kubernetesVersion: k3s.kubernetesVersion }));
  return {
    ...outputs,
    // What the cluster Secret holds (no credential), for review: the Secret's own data is masked in plans.
    argocdClusterSecret: { name: registration.registration.secretName, server, config: registration.registration.stringData.apply((d) => d.config) },
    // Apply on every K3s server node (docs/howto/add-k3s-cluster.md): write the file, add the flag, restart k3s.
    k3sAuthenticationConfig: trust.apply((t) => t.authenticationConfig),
    k3sAuthenticationConfigPath: K3S_AUTH_CONFIG_PATH,
    k3sServerFlag: trust.apply((t) => t.serverFlag),
    k3sServerConfigYaml: trust.apply((t) => t.configYaml),
  };
}
