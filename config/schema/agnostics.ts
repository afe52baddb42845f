/** `k8tre:agnostics` — the in-cluster agnostics layer (all platforms). */
import { z } from "zod";
import { bool, ipv4 } from "./fields";

const ipRange = z
  .string({ error: "an address range such as 192.168.1.240-192.168.1.250 or a CIDR" })
  .regex(/^(\d{1,3}(\.\d{1,3}){3}-\d{1,3}(\.\d{1,3}){3}|\d{1,3}(\.\d{1,3}){3}\/\d{1,2})$/, "an address range such as 192.168.1.240-192.168.1.250 or a CIDR");

export const agnostics = z.strictObject({
  enabled: bool("whether to install the agnostics layer").default(true),
  secretStore: z.enum(["azure-keyvault", "kubernetes"]).optional()
    .describe("Backend of the ClusterSecretStore `secret-store` (default: azure-keyvault on Azure, kubernetes on k3s)."),
  certificates: z
    .strictObject({
      issuer: z.enum(["selfsigned", "letsencrypt", "acme", "ca"]).default("selfsigned")
        .describe("ClusterIssuer used by the internal gateway certificate."),
      email: z.email({ error: "a contact e-mail address for the ACME account" }).optional(),
      acmeServer: z.url({ error: "an ACME directory URL" }).optional().describe("Institutional ACME server (issuer acme)."),
      letsencryptStaging: bool("use the Let's Encrypt staging endpoint").default(false),
      caSecretName: z.string().optional().describe("Secret (in cert-manager namespace) with the institutional CA key pair (issuer ca)."),
    })
    .default({ issuer: "selfsigned", letsencryptStaging: false }),
  storage: z
    .strictObject({
      backend: z.enum(["longhorn", "nfs"]).default("longhorn").describe("k3s only: storage backend."),
      nfsServer: z.string().optional(),
      nfsPath: z.string().optional(),
    })
    .default({ backend: "longhorn" }),
  ingressController: bool("the optional classic Ingress controller").default(false),
  metallbAddressPool: ipRange.optional().describe("k3s only: MetalLB L2 pool for LoadBalancer services."),
  kareDnsIp: ipv4("the kare-dns LoadBalancer IP").optional().describe("k3s only: fixed IP for kare-dns inside the MetalLB pool."),
  networkPolicies: bool("default-deny network policies for the agnostics namespaces").default(true),
});

export type AgnosticsConfig = z.infer<typeof agnostics>;
