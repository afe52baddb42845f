/**
 * VNet flow logs: NSG flow logs can no longer be created (retirement announced for
 * 30 September 2027, no new NSG flow logs after 30 June 2025:
 * https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview), so every VNet this
 * program creates gets a virtual network flow log
 * (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview).
 *
 * Azure's rules: the storage account must be a Standard general-purpose v2 account in the VNet's
 * region; the flow log is a child of that region's Network Watcher (Microsoft.Network/
 * networkWatchers/flowLogs, https://learn.microsoft.com/azure/templates/microsoft.network/networkwatchers/flowlogs),
 * which Azure creates as `NetworkWatcherRG/NetworkWatcher_<region>` when the first VNet of a
 * subscription and region is created. The flow log therefore references the watcher by name and
 * depends on the VNet; it never creates the watcher (two watchers per region are refused), and a
 * landing zone that disables the automatic creation must provide one (docs/network.md, "Logs").
 */
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { assignRole } from "../roleAssignment";
import { PRIVATE_STORAGE_BASELINE } from "../storage";

/** The regional Network Watcher Azure creates automatically (name and resource group). */
export function networkWatcherName(location: string): string {
  return `NetworkWatcher_${location}`;
}

/** The flow-log storage account: Standard general-purpose v2 in the VNet's region, private, TLS 1.2. */
export function flowLogStorageSettings(): Omit<storage.StorageAccountArgs, "resourceGroupName" | "accountName" | "location" | "tags"> {
  return {
    kind: "StorageV2",
    sku: { name: "Standard_LRS" },
    accessTier: "Hot",
    // No public endpoint: Network Watcher writes as a trusted Azure service
    // (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview). Entra ID only:
    // the flow log writes as its user-assigned identity (Storage Blob Data Contributor on this
    // account), https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-managed-identity.
    ...PRIVATE_STORAGE_BASELINE,
    networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
    isLocalUserEnabled: false,
    isSftpEnabled: false,
    encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true, services: { blob: { enabled: true } } },
  };
}

export interface VnetFlowLogArgs {
  readonly location: string;
  /** The resource group of the VNet (the storage account goes there). */
  readonly resourceGroupName: pulumi.Input<string>;
  readonly storageAccountName: string;
  readonly flowLogName: string;
  /** The user-assigned identity the flow log writes to storage as. */
  readonly identityName: string;
  readonly vnet: network.VirtualNetwork;
  /** The resource group of the regional Network Watcher (default Azure's `NetworkWatcherRG`). */
  readonly networkWatcherResourceGroup: string;
  readonly retentionDays: number;
  readonly tags?: Record<string, string>;
}

/** One VNet's flow log and its storage account (`opts.provider`: the VNet's subscription). */
export class VnetFlowLog extends pulumi.ComponentResource {
  readonly storageAccountId: pulumi.Output<string>;
  readonly flowLogId: pulumi.Output<string>;

  constructor(name: string, args: VnetFlowLogArgs, opts: pulumi.ComponentResourceOptions & { provider: pulumi.ProviderResource }) {
    super("k8tre:network:VnetFlowLog", name, {}, opts);
    const provider = opts.provider;
    const account = new storage.StorageAccount(
      `${name}-st`,
      { accountName: args.storageAccountName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags, ...flowLogStorageSettings() },
      // Holds the traffic record an investigation needs.
      { parent: this, provider, protect: true },
    );
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: args.identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this, provider },
    );
    const grant = assignRole(
      `${name}-blob-writer`,
      { scope: account.id, role: "storageBlobDataContributor", principalId: identity.principalId, description: "VNet flow log writes its records" },
      { parent: this, provider },
    );
    const flowLog = new network.FlowLog(
      `${name}-log`,
      {
        flowLogName: args.flowLogName,
        networkWatcherName: networkWatcherName(args.location),
        resourceGroupName: args.networkWatcherResourceGroup,
        location: args.location,
        targetResourceId: args.vnet.id,
        storageId: account.id,
        identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
        enabled: true,
        format: { type: "JSON", version: 2 },
        retentionPolicy: { enabled: true, days: args.retentionDays },
        tags: args.tags,
      },
      // The watcher appears with the region's first VNet: create the flow log after the VNet, and
      // after its identity may write to the account.
      { parent: this, provider, dependsOn: [args.vnet, grant] },
    );
    this.storageAccountId = account.id;
    this.flowLogId = flowLog.id;
    this.registerOutputs({ storageAccountId: this.storageAccountId, flowLogId: this.flowLogId });
  }
}
