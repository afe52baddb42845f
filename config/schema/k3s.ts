/** `k8tre:k3s` — an existing K3s cluster reached through a kubeconfig (secret `k8tre:kubeconfig`). */
import { z } from "zod";
import { containsIp, isIpv4, parseCidr } from "../cidr";
import { cidr, int, ipv4 } from "./fields";

export const k3s = z
  .strictObject({
    apiServerHost: z.string().min(1, "the API server host name or IP (no scheme, no port)")
      .regex(/^[A-Za-z0-9.-]+$/, "a bare host name or IP for the API server (no https://, no port)")
      .describe("K3s API server host as the management ArgoCD reaches it (the cluster Secret's server)."),
    apiServerPort: int("the API server port", 1, 65535).default(6443),
    podCidr: cidr("the Cilium pod CIDR").default("10.42.0.0/16"),
    serviceCidr: cidr("the cluster service CIDR").default("10.43.0.0/16"),
    context: z.string().optional().describe("kubeconfig context to use (default: current-context)."),
    kubernetesVersion: z
      .string({ error: 'the K3s Kubernetes minor version such as "1.33"' })
      .regex(/^1\.(3[0-9]|[4-9][0-9])$/, 'the K3s Kubernetes minor version, 1.30 or later, such as "1.33" (structured authentication configuration needs 1.30)')
      .default("1.33")
      .describe("Kubernetes minor version of the K3s server (`k3s --version`). Picks the AuthenticationConfiguration apiVersion of the ArgoCD trust settings (v1beta1 before 1.34, v1 from 1.34)."),
    installCilium: z.boolean().default(false)
      .describe("Install Gateway API CRDs and Cilium from this stack. Not yet supported on K3s (the bootstrap component is AKS-specific): prepare the cluster as docs/agnostics.md describes and leave this false."),
    kareDnsClusterIp: ipv4("the kare-dns ClusterIP").optional()
      .describe("Fixed ClusterIP of the kare-dns Service, inside serviceCidr (default: the 53rd address, in the range Kubernetes keeps for static allocation). The cluster CoreDNS forwards the environment domain to it."),
  })
  .superRefine((k, ctx) => {
    if (k.installCilium) {
      ctx.addIssue({ code: "custom", path: ["installCilium"], message: "false: this program does not install Cilium on K3s yet; install the Gateway API v1.4.1 CRDs and Cilium 1.19 first (docs/agnostics.md)", input: k.installCilium });
    }
    const svc = parseCidr(k.serviceCidr);
    if (k.kareDnsClusterIp && isIpv4(k.kareDnsClusterIp) && typeof svc !== "string" && !containsIp(svc, k.kareDnsClusterIp)) {
      ctx.addIssue({ code: "custom", path: ["kareDnsClusterIp"], message: `an address inside k8tre:k3s.serviceCidr (${k.serviceCidr})`, input: k.kareDnsClusterIp });
    }
  });

export type K3sConfig = z.infer<typeof k3s>;
