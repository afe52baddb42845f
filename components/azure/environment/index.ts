/**
 * `k8tre:azure:EnvironmentResources` — the Azure side of one K8TRE environment besides the
 * cluster: two private storage accounts, a private Key Vault, the environment's private DNS zone
 * (linked to the hub), and one workload identity per in-cluster controller, each federated to
 * exactly the service account the agnostics layer runs it as and granted only what it needs.
 *
 * Subscriptions: storage, vault, endpoints and identities live in the environment subscription
 * (`opts.provider`); the environment DNS zone, its hub link and grants on it live in the
 * connectivity subscription (`args.dnsProvider`); the public zone grant uses the provider of the
 * public zone's subscription (`args.publicZoneProvider`). Private DNS zone *groups* are children
 * of the private endpoints, so they are declared in the endpoints' subscription; they write A
 * records into the connectivity zones.
 */
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import type { KeyVaultConfig, StorageConfig } from "../../../config/schema/environment";
import { federatedSubject, WORKLOAD_IDENTITIES, type WorkloadIdentityName } from "../../agnostics/identities";
import { sendResourceLogs } from "../monitoring/diagnostics";
import { PRIVATE_STORAGE_BASELINE } from "../storage";
import { assignRole } from "../roleAssignment";

/** Private-link sub-resources of each Data Lake account (HNS on, so dfs too). */
export const STORAGE_ENDPOINTS = ["blob", "file", "queue", "table", "dfs"] as const;
export type StorageEndpoint = (typeof STORAGE_ENDPOINTS)[number];
export type PrivateDnsZoneKey = StorageEndpoint | "vault";

/** The Data Lake (blob, HNS) accounts: researcher workspaces and platform data. */
export const STORAGE_ACCOUNTS = ["workspace", "core"] as const;
export type StorageAccountRole = (typeof STORAGE_ACCOUNTS)[number];

/**
 * Built-in role the Azure Files CSI driver's identity needs on the file-share account: it creates
 * each volume's share through the management plane (`fileServices/shares/write`) and, for SMB,
 * reads the account key (`listKeys/action`) to mount. AKS documents Contributor on the storage
 * account ("Your AKS cluster's service principal or managed service identity (MSI) must be added
 * to the Contributor role to the storage account",
 * https://learn.microsoft.com/en-us/azure/aks/azure-files-csi#nfs-file-shares); Storage Account
 * Contributor is the narrower built-in role with both actions
 * (https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/storage#storage-account-contributor).
 * The drivers run as the cluster's control-plane identity ("Used by AKS control plane components
 * to manage cluster resources including ... Azure Disk, File, Blob CSI drivers",
 * https://learn.microsoft.com/en-us/azure/aks/use-managed-identity#summary-of-managed-identities-used-by-aks),
 * not the kubelet identity. The Azure Disk CSI driver needs no grant here: `rwo-default` creates
 * its disks in the node resource group, where that identity is Contributor by default.
 */
export const FILE_CSI_ROLE = "storageAccountContributor" as const;


/** The audience Azure workload identity tokens carry. */
export const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";

export interface EnvironmentNames {
  readonly resourceGroup: string;
  /** The Data Lake accounts and the Premium FileStorage account behind `rwx-default`. */
  readonly storageAccounts: Record<StorageAccountRole | "files", string>;
  readonly keyVault: string;
  /** `<env>.<domain>`, or `<domain>` for an apex (production) environment. */
  readonly dnsZone: string;
  /** Names of resources derived from a purpose (identities, endpoints). */
  readonly resource: (abbr: string, purpose: string) => string;
}

export interface EnvironmentResourcesArgs {
  readonly names: EnvironmentNames;
  readonly location: pulumi.Input<string>;
  readonly tenantId: string;
  readonly tags: Record<string, string>;
  readonly storage: StorageConfig;
  readonly keyVault: KeyVaultConfig;
  /** The cluster's Log Analytics workspace: receives the Key Vault's audit log (AuditEvent). */
  readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
  /** The spoke's private-endpoint subnet. */
  readonly endpointSubnetId: pulumi.Input<string>;
  /** Private DNS zone IDs from the network stack (connectivity subscription). */
  readonly privateDnsZoneIds: pulumi.Input<Record<PrivateDnsZoneKey, string>>;
  /** Resource group (connectivity subscription) holding the private DNS zones. */
  readonly dnsZoneResourceGroupName: pulumi.Input<string>;
  /** Hub VNet the environment zone is linked to. */
  readonly hubVnetId: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL (federated credentials trust it). */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** The identity the AKS-managed Azure Files CSI driver runs as: the cluster's control-plane identity. */
  readonly fileCsiPrincipalId: pulumi.Input<string>;
  /** Public DNS zone cert-manager answers DNS-01 challenges in (optional). */
  readonly publicZoneId?: string;
  readonly dnsProvider: pulumi.ProviderResource;
  readonly publicZoneProvider?: pulumi.ProviderResource;
}

export interface EnvironmentResourcesOptions extends pulumi.ComponentResourceOptions {
  /** The environment subscription's azure-native provider. */
  readonly provider: pulumi.ProviderResource;
}

export interface WorkloadIdentityOutputs {
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  readonly id: pulumi.Output<string>;
}

/** Settings an auditor checks on the two Data Lake accounts; pure so tests can read them without mocks. */
export function storageAccountSettings(cfg: StorageConfig): Omit<storage.StorageAccountArgs, "resourceGroupName" | "accountName" | "location" | "tags"> {
  return {
    kind: "StorageV2",
    sku: { name: `Standard_${cfg.replication}` },
    accessTier: "Hot",
    isHnsEnabled: true,
    // Entra ID only: no CSI driver mounts these accounts (rwx-default has its own account).
    ...PRIVATE_STORAGE_BASELINE,
    networkRuleSet: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [] },
    isLocalUserEnabled: false,
    isSftpEnabled: false,
    encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services: { blob: { enabled: true }, file: { enabled: true } } },
  };
}

/**
 * Blob service of a Data Lake account: soft delete for blobs and containers. Blob versioning stays
 * off: it is not supported on accounts with a hierarchical namespace (feature table of
 * https://learn.microsoft.com/en-us/azure/storage/blobs/versioning-overview#feature-support:
 * "Data Lake Storage Gen2: No"), and Azure refuses to enable it there.
 */
export function blobServiceSettings(cfg: StorageConfig) {
  return {
    blobServicesName: "default",
    deleteRetentionPolicy: { enabled: true, days: cfg.softDeleteDays },
    containerDeleteRetentionPolicy: { enabled: true, days: cfg.softDeleteDays },
    isVersioningEnabled: false,
  };
}

/**
 * The account that serves `rwx-default`: Premium FileStorage, because NFS Azure file shares exist
 * only on premium file shares (FileStorage accounts, LRS or ZRS;
 * https://learn.microsoft.com/en-us/azure/storage/files/files-nfs-protocol), private endpoint only.
 * NFS: "NFS file shares don't support an encryption mechanism, so in order to use the NFS protocol
 * to access an Azure file share, you must disable require secure transfer for the storage account"
 * (https://learn.microsoft.com/en-us/azure/storage/files/storage-files-networking-overview#secure-transfer),
 * so HTTPS-only is off; NFS authenticates by network, so public access is off and the share is
 * reachable only through the private endpoint, and shared keys stay off (NFS needs none). SMB:
 * HTTPS-only on (SMB 3.x with encryption), and shared keys on, because the Azure Files CSI driver
 * mounts SMB shares with the account key only ("Azure File CSI driver only permits the mounting
 * of SMB file shares using key-based (NTLM v2) authentication",
 * https://learn.microsoft.com/en-us/azure/aks/azure-files-csi).
 */
export function fileStorageAccountSettings(cfg: StorageConfig): Omit<storage.StorageAccountArgs, "resourceGroupName" | "accountName" | "location" | "tags"> {
  const nfs = cfg.fileShareProtocol === "NFS";
  return {
    kind: "FileStorage",
    // Premium file shares are LRS or ZRS only; a geo-redundant request gets its zonal/local half.
    sku: { name: cfg.replication === "ZRS" || cfg.replication === "GZRS" ? "Premium_ZRS" : "Premium_LRS" },
    ...PRIVATE_STORAGE_BASELINE,
    networkRuleSet: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [] },
    // The protocol's exceptions to the baseline (see above).
    enableHttpsTrafficOnly: !nfs,
    allowSharedKeyAccess: !nfs,
    encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services: { file: { enabled: true } } },
  };
}

export function keyVaultProperties(cfg: KeyVaultConfig, tenantId: string): keyvault.VaultArgs["properties"] {
  return {
    tenantId,
    sku: { family: "A", name: cfg.sku },
    enableRbacAuthorization: true,
    enableSoftDelete: true,
    softDeleteRetentionInDays: cfg.softDeleteRetentionDays,
    enablePurgeProtection: true,
    publicNetworkAccess: "Disabled",
    networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [] },
    enabledForDeployment: false,
    enabledForDiskEncryption: false,
    enabledForTemplateDeployment: false,
  };
}

export class EnvironmentResources extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly storageAccountNames: Record<StorageAccountRole | "files", pulumi.Output<string>>;
  readonly storageAccountIds: Record<StorageAccountRole | "files", pulumi.Output<string>>;
  readonly keyVaultName: pulumi.Output<string>;
  readonly keyVaultUri: pulumi.Output<string>;
  readonly keyVaultId: pulumi.Output<string>;
  readonly dnsZoneName: pulumi.Output<string>;
  readonly dnsZoneId: pulumi.Output<string>;
  readonly identities: Record<WorkloadIdentityName, WorkloadIdentityOutputs>;

  constructor(name: string, args: EnvironmentResourcesArgs, opts: EnvironmentResourcesOptions) {
    // No args to super: a component's inputs hold back the registration of every child until they
    // resolve, and `args` carries the cluster's OIDC issuer and kubelet identity (known only once AKS
    // exists). Only the children that read them wait for the cluster (docs/automation.md, "Schedule").
    super("k8tre:azure:EnvironmentResources", name, {}, opts);
    const provider = opts.provider;
    const child = { parent: this, provider };
    const protect = { ...child, protect: true };
    const n = args.names;
    const zoneIds = pulumi.output(args.privateDnsZoneIds);

    const rg = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: n.resourceGroup, location: args.location, tags: args.tags }, child);

    const privateEndpoint = (purpose: string, targetId: pulumi.Input<string>, groupId: PrivateDnsZoneKey) => {
      const peName = n.resource("pe", purpose);
      const pe = new network.PrivateEndpoint(
        `${name}-pe-${purpose}`,
        {
          privateEndpointName: peName,
          resourceGroupName: rg.name,
          location: args.location,
          subnet: { id: args.endpointSubnetId },
          privateLinkServiceConnections: [{ name: peName, privateLinkServiceId: targetId, groupIds: [groupId] }],
          tags: args.tags,
        },
        child,
      );
      new network.PrivateDnsZoneGroup(
        `${name}-pe-${purpose}-dns`,
        {
          privateEndpointName: pe.name,
          resourceGroupName: rg.name,
          privateDnsZoneGroupName: "default",
          privateDnsZoneConfigs: [{ name: groupId, privateDnsZoneId: zoneIds.apply((z) => requireZone(z, groupId)) }],
        },
        child,
      );
      return pe;
    };

    // Storage: workspace (researcher data) and core (platform data), Data Lake accounts.
    this.storageAccountNames = {} as Record<StorageAccountRole | "files", pulumi.Output<string>>;
    this.storageAccountIds = {} as Record<StorageAccountRole | "files", pulumi.Output<string>>;
    for (const role of STORAGE_ACCOUNTS) {
      const account = new storage.StorageAccount(
        `${name}-st-${role}`,
        { accountName: n.storageAccounts[role], resourceGroupName: rg.name, location: args.location, tags: args.tags, ...storageAccountSettings(args.storage) },
        protect,
      );
      new storage.BlobServiceProperties(`${name}-st-${role}-blob`, { accountName: account.name, resourceGroupName: rg.name, ...blobServiceSettings(args.storage) }, child);
      for (const sub of STORAGE_ENDPOINTS) privateEndpoint(`${role}-${sub}`, account.id, sub);
      this.storageAccountNames[role] = account.name;
      this.storageAccountIds[role] = account.id;
    }

    // rwx-default: Azure Files (NFS or SMB) on a Premium FileStorage account, private endpoint on
    // the file zone only.
    const files = new storage.StorageAccount(
      `${name}-st-files`,
      { accountName: n.storageAccounts.files, resourceGroupName: rg.name, location: args.location, tags: args.tags, ...fileStorageAccountSettings(args.storage) },
      protect,
    );
    new storage.FileServiceProperties(
      `${name}-st-files-svc`,
      {
        accountName: files.name,
        resourceGroupName: rg.name,
        fileServicesName: "default",
        // A deleted share (a Retain volume deleted by hand, or by accident) stays recoverable.
        shareDeleteRetentionPolicy: { enabled: true, days: args.storage.softDeleteDays },
      },
      child,
    );
    privateEndpoint("files-file", files.id, "file");
    assignRole(
      `${name}-st-files-csi`,
      { scope: files.id, role: FILE_CSI_ROLE, principalId: args.fileCsiPrincipalId, description: "Azure Files CSI driver creates rwx-default shares" },
      child,
    );
    this.storageAccountNames.files = files.name;
    this.storageAccountIds.files = files.id;

    const vault = new keyvault.Vault(
      `${name}-kv`,
      { vaultName: n.keyVault, resourceGroupName: rg.name, location: args.location, tags: args.tags, properties: keyVaultProperties(args.keyVault, args.tenantId) },
      protect,
    );
    privateEndpoint("vault", vault.id, "vault");
    // Every secret read and every change to the vault, to Log Analytics. Nothing waits for it.
    sendResourceLogs(`${name}-kv-logs`, { kind: "keyVault", resourceId: vault.id, workspaceId: args.logAnalyticsWorkspaceId }, child);

    // The environment's private zone, in the connectivity subscription, resolvable from the hub.
    const dnsChild = { parent: this, provider: args.dnsProvider };
    const zone = new privatedns.PrivateZone(
      `${name}-zone`,
      { privateZoneName: n.dnsZone, resourceGroupName: args.dnsZoneResourceGroupName, location: "Global", tags: args.tags },
      { ...dnsChild, protect: true },
    );
    new privatedns.VirtualNetworkLink(
      `${name}-zone-hub-link`,
      {
        privateZoneName: zone.name,
        resourceGroupName: args.dnsZoneResourceGroupName,
        virtualNetworkLinkName: n.resource("vnl", "hub"),
        location: "Global",
        virtualNetwork: { id: args.hubVnetId },
        registrationEnabled: false,
        tags: args.tags,
      },
      dnsChild,
    );

    // One identity per controller; each federated to exactly its service account.
    const identity = (key: WorkloadIdentityName, purpose: string): { uami: managedidentity.UserAssignedIdentity; out: WorkloadIdentityOutputs } => {
      const uami = new managedidentity.UserAssignedIdentity(
        `${name}-id-${purpose}`,
        { resourceName: n.resource("id", purpose), resourceGroupName: rg.name, location: args.location, tags: args.tags },
        child,
      );
      new managedidentity.FederatedIdentityCredential(
        `${name}-id-${purpose}-fic`,
        {
          resourceGroupName: rg.name,
          resourceName: uami.name,
          federatedIdentityCredentialResourceName: `${WORKLOAD_IDENTITIES[key].namespace}-${WORKLOAD_IDENTITIES[key].serviceAccount}`,
          issuer: args.oidcIssuerUrl,
          subject: federatedSubject(key),
          audiences: [WORKLOAD_IDENTITY_AUDIENCE],
        },
        child,
      );
      return { uami, out: { clientId: uami.clientId, principalId: uami.principalId, id: uami.id } };
    };

    const externalDns = identity("externalDns", "externaldns");
    assignRole(
      `${name}-externaldns-zone`,
      { scope: zone.id, role: "privateDnsZoneContributor", principalId: externalDns.uami.principalId },
      dnsChild,
    );
    const externalSecrets = identity("externalSecrets", "externalsecrets");
    assignRole(
      `${name}-externalsecrets-kv`,
      { scope: vault.id, role: "keyVaultSecretsUser", principalId: externalSecrets.uami.principalId },
      child,
    );
    const certManager = identity("certManager", "certmanager");
    if (args.publicZoneId) {
      assignRole(
        `${name}-certmanager-zone`,
        { scope: args.publicZoneId, role: "dnsZoneContributor", principalId: certManager.uami.principalId },
        { parent: this, provider: args.publicZoneProvider ?? args.dnsProvider },
      );
    }
    this.identities = { externalDns: externalDns.out, externalSecrets: externalSecrets.out, certManager: certManager.out };

    this.resourceGroupName = rg.name;
    this.keyVaultName = vault.name;
    this.keyVaultId = vault.id;
    // vaultUri is computed by Azure; before creation it is the public-cloud form of the name.
    this.keyVaultUri = pulumi.all([vault.properties, vault.name]).apply(([p, vaultName]) => p?.vaultUri ?? `https://${vaultName}.vault.azure.net/`);
    this.dnsZoneName = zone.name;
    this.dnsZoneId = zone.id;

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      storageAccountNames: this.storageAccountNames,
      keyVaultName: this.keyVaultName,
      keyVaultUri: this.keyVaultUri,
      dnsZoneName: this.dnsZoneName,
      dnsZoneId: this.dnsZoneId,
    });
  }
}

function requireZone(zones: Record<string, string> | undefined, key: PrivateDnsZoneKey): string {
  const id = zones?.[key];
  if (!id) throw new Error(`the network stack's privateDnsZoneIds has no "${key}" zone; the ${key} private endpoint needs it`);
  return id;
}
