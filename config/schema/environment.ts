/** Per-environment Azure resources: `k8tre:storage`, `k8tre:keyVault`, `k8tre:dns`. */
import { z } from "zod";
import { armId, bool, int } from "./fields";

export const storage = z.strictObject({
  replication: z.enum(["LRS", "ZRS", "GRS", "GZRS"]).default("ZRS").describe("Storage account redundancy (ZRS or GZRS for production; the Premium file-share account uses ZRS for ZRS/GZRS, LRS otherwise)."),
  softDeleteDays: int("the blob, container and file-share soft-delete retention in days", 1, 365).default(14),
  fileShareProtocol: z.enum(["NFS", "SMB"]).default("NFS")
    .describe("Protocol of the rwx-default Azure Files class, served by the environment's Premium FileStorage account (docs/environment.md, \"Storage\")."),
});

export const keyVault = z.strictObject({
  sku: z.enum(["standard", "premium"]).default("standard").describe("Key Vault SKU (premium: HSM-backed keys)."),
  softDeleteRetentionDays: int("the soft-delete retention in days", 7, 90).default(90),
});

export const dns = z.strictObject({
  apex: bool("whether this environment uses the apex domain").default(false)
    .describe("Production: the environment zone is <domain> instead of <environment>.<domain>."),
  publicZoneId: armId("the public Azure DNS zone ID for Let's Encrypt DNS-01", "Microsoft.Network").optional()
    .describe("Azure: public DNS zone (ideally a per-environment child zone) cert-manager may write ACME TXT records to."),
  route53PublicZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ").optional()
    .describe("AWS: public Route53 hosted zone (ideally a per-environment child zone) cert-manager may write `_acme-challenge` TXT records to."),
});

export type StorageConfig = z.infer<typeof storage>;
export type KeyVaultConfig = z.infer<typeof keyVault>;
export type DnsConfig = z.infer<typeof dns>;
