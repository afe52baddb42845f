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
import { assignRole } from "../roleAssignment";

/** Private-link sub-resources of each storage account (HNS on, so dfs too). */
export const STORAGE_ENDPOINTS = ["blob", "file", "queue", "table", "dfs"] as const;
export type StorageEndpoint = (typeof STORAGE_ENDPOINTS)[number];
export type PrivateDnsZoneKey = StorageEndpoint | "vault";

export const STORAGE_ACCOUNTS = ["workspace", "core"] as const;
export type StorageAccountRole = (typeof STORAGE_ACCOUNTS)[number];

/** The audience Azure workload identity tokens carry. */
export const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";

export interface EnvironmentNames {
  readonly resourceGroup: string;
  readonly storageAccounts: Record<StorageAccountRole, string>;
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
  /** Identity that mounts storage through the CSI drivers (the cluster's kubelet identity). */
  readonly storageDataPrincipalId?: pulumi.Input<string | undefined>;
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

/** Storage account settings an auditor checks; pure so tests can read them without mocks. */
export function storageAccountSettings(cfg: StorageConfig, role: StorageAccountRole): Omit<storage.StorageAccountArgs, "resourceGroupName" | "accountName" | "location" | "tags"> {
  return {
    kind: "StorageV2",
    sku: { name: `Standard_${cfg.replication}` },
    accessTier: "Hot",
    isHnsEnabled: true,
    publicNetworkAccess: "Disabled",
    networkRuleSet: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [] },
    minimumTlsVersion: "TLS1_2",
    enableHttpsTrafficOnly: true,
    allowBlobPublicAccess: false,
    // Entra ID only, except where a CSI driver cannot do without the key: the Azure Files CSI
    // driver mounts SMB shares with the account key, so the core account (which backs the
    // rwx-default class) keeps shared keys only when that class uses SMB.
    allowSharedKeyAccess: role === "core" && cfg.fileShareProtocol === "SMB",
    defaultToOAuthAuthentication: true,
    allowCrossTenantReplication: false,
    isLocalUserEnabled: false,
    isSftpEnabled: false,
    encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services: { blob: { enabled: true }, file: { enabled: true } } },
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
  readonly storageAccountNames: Record<StorageAccountRole, pulumi.Output<string>>;
  readonly storageAccountIds: Record<StorageAccountRole, pulumi.Output<string>>;
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

    // Storage: workspace (researcher data) and core (platform data).
    this.storageAccountNames = {} as Record<StorageAccountRole, pulumi.Output<string>>;
    this.storageAccountIds = {} as Record<StorageAccountRole, pulumi.Output<string>>;
    for (const role of STORAGE_ACCOUNTS) {
      const account = new storage.StorageAccount(
        `${name}-st-${role}`,
        { accountName: n.storageAccounts[role], resourceGroupName: rg.name, location: args.location, tags: args.tags, ...storageAccountSettings(args.storage, role) },
        protect,
      );
      new storage.BlobServiceProperties(
        `${name}-st-${role}-blob`,
        {
          accountName: account.name,
          resourceGroupName: rg.name,
          blobServicesName: "default",
          deleteRetentionPolicy: { enabled: true, days: args.storage.softDeleteDays },
          containerDeleteRetentionPolicy: { enabled: true, days: args.storage.softDeleteDays },
          isVersioningEnabled: args.storage.versioning,
        },
        child,
      );
      for (const sub of STORAGE_ENDPOINTS) privateEndpoint(`${role}-${sub}`, account.id, sub);
      if (args.storageDataPrincipalId) {
        assignRole(
          `${name}-st-${role}-blob-data`,
          { scope: account.id, role: "storageBlobDataContributor", principalId: pulumi.output(args.storageDataPrincipalId).apply((p) => p ?? "") },
          child,
        );
      }
      this.storageAccountNames[role] = account.name;
      this.storageAccountIds[role] = account.id;
    }

    const vault = new keyvault.Vault(
      `${name}-kv`,
      { vaultName: n.keyVault, resourceGroupName: rg.name, location: args.location, tags: args.tags, properties: keyVaultProperties(args.keyVault, args.tenantId) },
      protect,
    );
    privateEndpoint("vault", vault.id, "vault");

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
