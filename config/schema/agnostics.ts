/** `k8tre:agnostics` — the in-cluster agnostics layer (all platforms). */
import { z } from "zod";
import { Address4 } from "ip-address";
import { isIpv4, parseCidr } from "../cidr";
import { bool, int, ipv4 } from "./fields";

const ipRange = z
  .string({ error: "an address range such as 192.168.1.240-192.168.1.250 or a CIDR" })
  .regex(/^(\d{1,3}(\.\d{1,3}){3}-\d{1,3}(\.\d{1,3}){3}|\d{1,3}(\.\d{1,3}){3}\/\d{1,2})$/, "an address range such as 192.168.1.240-192.168.1.250 or a CIDR");

/** First and last address of a MetalLB range (`a-b` or a CIDR), or a reason string. */
export function rangeBounds(range: string): { first: bigint; last: bigint } | string {
  if (range.includes("-")) {
    const [a, b] = range.split("-");
    if (!isIpv4(a) || !isIpv4(b)) return "an address range of two IPv4 addresses such as 192.168.1.240-192.168.1.250";
    const first = new Address4(a).bigInt();
    const last = new Address4(b).bigInt();
    return first <= last ? { first, last } : "an address range whose first address is not after its last";
  }
  const c = parseCidr(range);
  return typeof c === "string" ? c : { first: c.first, last: c.last };
}

export const agnostics = z
  .strictObject({
    enabled: bool("whether to install the agnostics layer").default(true),
    secretStore: z.enum(["azure-keyvault", "kubernetes"]).optional()
      .describe("Backend of the ClusterSecretStore `secret-store` (default: azure-keyvault on Azure, kubernetes on k3s)."),
    certificates: z
      .strictObject({
        issuer: z.enum(["selfsigned", "letsencrypt", "acme", "ca"]).default("selfsigned")
          .describe("ClusterIssuer used by the internal gateway certificate."),
        email: z.email({ error: "a contact e-mail address for the ACME account" }).optional().describe("ACME account contact (required for letsencrypt and acme)."),
        acmeServer: z.url({ error: "an ACME directory URL" }).optional().describe("Institutional ACME server (issuer acme)."),
        letsencryptStaging: bool("use the Let's Encrypt staging endpoint").default(false),
        caSecretName: z.string().optional().describe("Secret (in cert-manager namespace) with the institutional CA key pair (issuer ca)."),
        eabKeyId: z.string().min(1).optional().describe("ACME External Account Binding key ID (issuer acme), for institutional ACME servers that pre-validate domains."),
        eabSecretName: z.string().min(1).optional().describe("Secret (in cert-manager namespace, key `secret`) holding the EAB HMAC key."),
        dns01Nameservers: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, "resolvers as ip:port, e.g. 1.1.1.1:53")).min(1).optional()
          .describe("Public resolvers cert-manager uses for its DNS-01 self-check (default 1.1.1.1:53, 8.8.8.8:53): the cluster's own resolver answers from the private zone and cannot see the public TXT record."),
      })
      .default({ issuer: "selfsigned", letsencryptStaging: false })
      .describe("How cert-manager issues the internal gateway's certificate."),
    storage: z
      .strictObject({
        backend: z.enum(["longhorn", "nfs"]).default("longhorn").describe("k3s only: storage backend."),
        nfsServer: z.string().optional().describe("k3s/nfs: NFS server host name or IP."),
        nfsPath: z.string().optional().describe("k3s/nfs: exported path on the NFS server."),
        longhornReplicas: int("the Longhorn replica count", 1, 5).optional().describe("k3s/longhorn: replicas per volume (default 1, as the K8TRE reference; use 3 on a multi-node cluster)."),
        azureDiskSku: z.enum(["StandardSSD_ZRS", "Premium_ZRS", "StandardSSD_LRS", "Premium_LRS"]).optional()
          .describe("Azure: disk SKU of rwo-default (default StandardSSD_ZRS; choose an _LRS SKU in regions without zone-redundant disks)."),
      })
      .default({ backend: "longhorn" })
      .describe("The storage classes rwo-default and rwx-default: their backend and settings."),
    ingressController: bool("the optional classic Ingress controller").default(false),
    metallbAddressPool: ipRange.optional().describe("k3s only: MetalLB L2 pool for LoadBalancer services."),
    kareDnsIp: ipv4("the kare-dns LoadBalancer IP").optional().describe("k3s only: fixed IP for kare-dns inside the MetalLB pool."),
    networkPolicies: bool("default-deny network policies for the agnostics namespaces").default(true),
  })
  .superRefine((a, ctx) => {
    if (a.metallbAddressPool) {
      const b = rangeBounds(a.metallbAddressPool);
      if (typeof b === "string") {
        ctx.addIssue({ code: "custom", path: ["metallbAddressPool"], message: b, input: a.metallbAddressPool });
      } else if (a.kareDnsIp && isIpv4(a.kareDnsIp)) {
        const ip = new Address4(a.kareDnsIp).bigInt();
        if (ip < b.first || ip > b.last) {
          ctx.addIssue({ code: "custom", path: ["kareDnsIp"], message: `an address inside k8tre:agnostics.metallbAddressPool (${a.metallbAddressPool})`, input: a.kareDnsIp });
        }
      }
    }
    const c = a.certificates;
    if ((c.eabKeyId === undefined) !== (c.eabSecretName === undefined)) {
      ctx.addIssue({ code: "custom", path: ["certificates", c.eabKeyId ? "eabSecretName" : "eabKeyId"], message: "both eabKeyId and eabSecretName (External Account Binding needs the key ID and its HMAC secret)", input: undefined });
    }
    if (c.eabKeyId && c.issuer !== "acme") {
      ctx.addIssue({ code: "custom", path: ["certificates", "eabKeyId"], message: "no value unless issuer is acme", input: c.eabKeyId });
    }
  });

export type AgnosticsConfig = z.infer<typeof agnostics>;
