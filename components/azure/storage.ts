/**
 * The security baseline every storage account this program creates starts from (environment data
 * lakes, the RWX file-share account, flow-log accounts): one place, so a hardening applies to all.
 * Each account's builder adds its kind, SKU, network rules and encryption, and states any
 * deliberate exception next to it (e.g. NFS needs secure transfer off).
 */
import type * as storage from "@pulumi/azure-native/storage";

/**
 * SAS expiration policy on every account (Azure Policy "Storage accounts should have shared access
 * signature (SAS) policies configured"; at most 7 days, issue 10 item 8): a SAS valid for more than
 * one day is refused (`Block`), https://learn.microsoft.com/en-us/azure/storage/common/sas-expiration-policy.
 * Nothing in K8TRE issues SAS tokens; the policy bounds any an operator creates.
 */
export const SAS_POLICY = { sasExpirationPeriod: "1.00:00:00", expirationAction: "Block" } as const;

/** Private, TLS 1.2+, HTTPS only, Entra ID only (no shared keys), no public blobs, no cross-tenant replication. */
export const PRIVATE_STORAGE_BASELINE = {
  publicNetworkAccess: "Disabled",
  minimumTlsVersion: "TLS1_2",
  enableHttpsTrafficOnly: true,
  allowBlobPublicAccess: false,
  allowSharedKeyAccess: false,
  defaultToOAuthAuthentication: true,
  allowCrossTenantReplication: false,
  sasPolicy: SAS_POLICY,
} as const satisfies Partial<storage.StorageAccountArgs>;
