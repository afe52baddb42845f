/** `k8tre:k3s` — an existing K3s cluster reached through a kubeconfig (secret `k8tre:kubeconfig`). */
import { z } from "zod";
import { cidr, int } from "./fields";

export const k3s = z.strictObject({
  apiServerHost: z.string().min(1, "the API server host name or IP (no scheme, no port)")
    .regex(/^[A-Za-z0-9.-]+$/, "a bare host name or IP for the API server (no https://, no port)"),
  apiServerPort: int("the API server port", 1, 65535).default(6443),
  podCidr: cidr("the Cilium pod CIDR").default("10.42.0.0/16"),
  serviceCidr: cidr("the cluster service CIDR").default("10.43.0.0/16"),
  context: z.string().optional().describe("kubeconfig context to use (default: current-context)."),
  installCilium: z.boolean().default(true).describe("Install Gateway API CRDs and Cilium (set false if the cluster already runs them)."),
});

export type K3sConfig = z.infer<typeof k3s>;
