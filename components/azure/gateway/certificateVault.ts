/**
 * The Key Vault the public gateway reads its TLS certificates from. Created private (RBAC, purge
 * protection, public network access off, a private endpoint in the hub; Application Gateway, a
 * trusted Azure service, also bypasses the firewall) or referenced by ID. The program never writes a certificate: the operator
 * imports each PFX (docs/network.md), and the gateway references it by a versionless secret
 * ID, so a renewed certificate is picked up without a deploy.
 */
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { sendResourceLogs } from "../monitoring/diagnostics";
import { parseArmId } from "../network/armId";

/** `https://<vault>.vault.azure.net/secrets/<name>` — no version, so Application Gateway follows rotations. */
export function versionlessSecretId(vaultName: string, secretName: string): string {
  return `https://${vaultName}.vault.azure.net/secrets/${secretName}`;
}

export function vaultUri(vaultName: string): string {
  return `https://${vaultName}.vault.azure.net/`;
}

export type CertificateVaultArgs =
  | {
      readonly mode: "create";
      readonly vaultName: string;
      readonly subscriptionId: string;
      readonly resourceGroupName: string;
      readonly location: string;
      readonly tenantId: string;
      /** The resource group resource, when this program creates it (the vault waits for it). */
      readonly resourceGroup?: pulumi.Resource;
      /**
       * The vault's private endpoint (a hub subnet) and the vault zone it registers in. Application
       * Gateway reaches a vault with a private endpoint through it when the
       * `privatelink.vaultcore.azure.net` zone is linked to the gateway's VNet ("If using Private
       * Endpoints to access Key Vault, you must link the privatelink.vaultcore.azure.net private DNS
       * zone ... to the virtual network containing Application Gateway",
       * https://learn.microsoft.com/en-us/azure/application-gateway/key-vault-certs#verify-firewall-permissions-to-key-vault);
       * the network stack links every zone to the hub.
       */
      readonly privateEndpoint: { readonly name: string; readonly subnetId: pulumi.Input<string>; readonly vaultZoneId: pulumi.Input<string> };
      readonly tags?: Record<string, string>;
      /** Where the vault's audit log goes (a diagnostic setting, AuditEvent). */
      readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    }
  | { readonly mode: "existing"; readonly vaultId: string };

export class CertificateVault extends pulumi.ComponentResource {
  /** The vault's ID (an output of the vault when created, so dependents wait for it). */
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: string;
  readonly vaultUri: string;
  readonly resourceGroupName: string;
  readonly subscriptionId: string;
  readonly vault?: keyvault.Vault;

  /** `opts.provider`: the provider of the vault's subscription. */
  constructor(name: string, args: CertificateVaultArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:gateway:CertificateVault", name, {}, opts);
    if (args.mode === "create") {
      this.vault = new keyvault.Vault(
        `${name}-vault`,
        {
          vaultName: args.vaultName,
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          properties: {
            tenantId: args.tenantId,
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            publicNetworkAccess: "Disabled",
            networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
          },
          tags: args.tags,
        },
        // Holds every environment's TLS private key.
        { parent: this, provider: opts.provider, protect: true, dependsOn: args.resourceGroup ? [args.resourceGroup] : [] },
      );
      const pe = new network.PrivateEndpoint(
        `${name}-pe`,
        {
          privateEndpointName: args.privateEndpoint.name,
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          subnet: { id: args.privateEndpoint.subnetId },
          privateLinkServiceConnections: [{ name: args.privateEndpoint.name, privateLinkServiceId: this.vault.id, groupIds: ["vault"] }],
          tags: args.tags,
        },
        { parent: this, provider: opts.provider },
      );
      new network.PrivateDnsZoneGroup(
        `${name}-pe-dns`,
        { privateEndpointName: pe.name, resourceGroupName: args.resourceGroupName, privateDnsZoneGroupName: "default", privateDnsZoneConfigs: [{ name: "vault", privateDnsZoneId: args.privateEndpoint.vaultZoneId }] },
        { parent: this, provider: opts.provider },
      );
      // Every read of a certificate's private key, and every change to the vault, to Log Analytics.
      sendResourceLogs(`${name}-vault-logs`, { kind: "keyVault", resourceId: this.vault.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this, provider: opts.provider });
      this.vaultId = this.vault.id;
      this.vaultName = args.vaultName;
      this.resourceGroupName = args.resourceGroupName;
      this.subscriptionId = args.subscriptionId;
    } else {
      const parts = parseArmId(args.vaultId);
      this.vaultId = pulumi.output(args.vaultId);
      this.vaultName = parts.name;
      this.resourceGroupName = parts.resourceGroupName;
      this.subscriptionId = parts.subscriptionId;
    }
    this.vaultUri = vaultUri(this.vaultName);
    this.registerOutputs({ vaultId: this.vaultId, vaultUri: this.vaultUri });
  }
}

export interface CertificateRef {
  /** Config key that named the certificate, for the error message. */
  readonly key: string;
  readonly environment: string;
  readonly secretName: string;
}

/** Text of the error when configured certificates are not in the vault. */
export function missingCertificatesMessage(vault: { vaultName: string; resourceGroupName: string }, missing: ReadonlyArray<CertificateRef & { reason: string }>): string {
  const lines = missing.map(
    (m) =>
      `  - ${m.key} = "${m.secretName}" (environment ${m.environment}): not found in Key Vault ${vault.vaultName} (resource group ${vault.resourceGroupName}); Azure said: ${m.reason}\n` +
      `      import it: az keyvault certificate import --vault-name ${vault.vaultName} --name ${m.secretName} --file <${m.environment}-certificate>.pfx`,
  );
  return [
    `The public gateway needs ${missing.length} TLS certificate${missing.length === 1 ? "" : "s"} that ${missing.length === 1 ? "is" : "are"} not in its certificate vault:`,
    ...lines,
    "Deploy with k8tre:gateway.enabled false until every certificate is imported (docs/network.md, \"Certificates\").",
  ].join("\n");
}

/**
 * Looks every certificate up with `lookup` and throws one RunError listing all missing ones
 * (lookup failures of any kind: not found, or no permission to read the vault's metadata).
 */
export async function checkCertificates(
  vault: { vaultName: string; resourceGroupName: string },
  refs: readonly CertificateRef[],
  lookup: (secretName: string) => Promise<unknown>,
): Promise<void> {
  const missing: Array<CertificateRef & { reason: string }> = [];
  for (const ref of refs) {
    try {
      await lookup(ref.secretName);
    } catch (e) {
      missing.push({ ...ref, reason: firstLine(e) });
    }
  }
  if (missing.length) throw new pulumi.RunError(missingCertificatesMessage(vault, missing));
}

/**
 * The versionless secret ID of each certificate, by secret name. On a real deployment each is
 * first looked up (management-plane read of the secret's metadata, never its value) and a
 * missing one fails the deployment with a message naming the key, the vault and the import
 * command; in a preview the IDs are returned unchecked, since the vault may not exist yet.
 */
export function verifiedCertificateIds(vault: CertificateVault, refs: readonly CertificateRef[], provider: pulumi.ProviderResource): pulumi.Output<Record<string, string>> {
  const ids = Object.fromEntries(refs.map((r) => [r.secretName, versionlessSecretId(vault.vaultName, r.secretName)]));
  if (pulumi.runtime.isDryRun()) return pulumi.output(ids);
  return vault.vaultId.apply(async () => {
    await checkCertificates(vault, refs, (secretName) =>
      keyvault.getSecret({ resourceGroupName: vault.resourceGroupName, vaultName: vault.vaultName, secretName }, { provider }),
    );
    return ids;
  });
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n").find((l) => l.trim())?.trim() ?? "unknown error";
}
