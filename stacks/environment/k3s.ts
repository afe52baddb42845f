/**
 * A k3s environment stack: an existing on-prem cluster reached by the kubeconfig in
 * `k8tre:kubeconfig` (a secret); no cloud resources. It installs the agnostics layer with the
 * k3s platform inputs (Kubernetes secret store, Longhorn or NFS, MetalLB, kare-dns).
 *
 * The cluster must already run the Gateway API v1.4.1 CRDs and Cilium 1.19 with Gateway API and
 * kube-proxy replacement (docs/agnostics.md); `k8tre:k3s.installCilium` is rejected until the
 * bootstrap component supports K3s.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Agnostics, type PlatformInputs } from "../../components/agnostics";
import { defaultKareDnsClusterIp, defaultKareDnsIp } from "../../components/agnostics/dns";
import type { StackConfig } from "../../config/schema";
import type { StackContext } from "../context";
import { environmentDomain } from "../domain";
import type { StackOutputs } from "../context";

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
  const outputs: StackOutputs = {
    apiServer: `https://${k3s.apiServerHost}:${k3s.apiServerPort}`,
    dnsZoneName: domain,
  };
  if (!c.agnostics?.enabled) return outputs;

  const platform = k3sPlatform(c);
  const agnostics = new Agnostics(
    "agnostics",
    { platform, domain, clusterName: `${c.prefix}-${c.environment}`, dependsOn: [], config: c.agnostics },
    { provider },
  );
  return {
    ...outputs,
    gatewayHost: agnostics.gatewayHost,
    kareDnsIp: platform.kind === "k3s" ? platform.kareDnsIp : undefined,
    kareDnsClusterIp: platform.kind === "k3s" ? platform.kareDnsClusterIp : undefined,
    secretStore: agnostics.secretStoreName,
  };
}
