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
 *
 * Both subscription prerequisites are checked before anything of the flow log is created
 * (./prerequisites.ts): the `Microsoft.Insights` registration (the stack reads it once per
 * subscription and passes it in; the storage account, identity and flow log wait for it) and the
 * watcher (read here; the flow log waits for it). Nothing else in the network stack waits for
 * either, so neither lengthens the path to the VNets and zones the cluster stacks need.
 */
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as network from "@pulumi/azure-native/network";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { checkProviders, PreflightError } from "../preflight";
import type { ProviderReader } from "../providerRegistration";
import { assignRole } from "../roleAssignment";
import { PRIVATE_STORAGE_BASELINE } from "../storage";
import {
  insightsPrerequisite,
  interpretWatcherReadError,
  networkWatcherName,
  type WatcherCheckOptions,
  type WatcherPrerequisite,
  type WatcherReader,
  type WatcherReadResult,
  watcherMissingMessage,
  watcherReadFailedMessage,
} from "./prerequisites";

export { networkWatcherName } from "./prerequisites";

/**
 * The Insights preflight for one subscription, authenticated as that subscription's provider
 * (`opts.provider`): resolves to the checked label, or fails with the state and
 * `az provider register` (../providerRegistration.ts).
 */
export function checkFlowLogInsights(subscriptionId: string, vnetNames: readonly string[], opts: pulumi.InvokeOutputOptions, reader?: ProviderReader): pulumi.Output<string[]> {
  return checkProviders([insightsPrerequisite(subscriptionId, vnetNames)], opts, reader);
}

/** The real reader: azure-native's `network.getNetworkWatcher` (GET networkWatchers/{name}). */
export const azureNativeWatcherReader: WatcherReader = async (w, opts) => {
  try {
    await network.getNetworkWatcher({ resourceGroupName: w.resourceGroupName, networkWatcherName: w.networkWatcherName }, opts);
    return { kind: "found" };
  } catch (e) {
    return interpretWatcherReadError(e);
  }
};

let defaultWatcherCheck: WatcherCheckOptions = {};

/**
 * Replaces, for the current process, how flow logs read their watcher when their args say nothing
 * (the offline synth sets no pause between re-reads) and returns the previous setting.
 */
export function setDefaultWatcherCheck(o: WatcherCheckOptions): WatcherCheckOptions {
  const previous = defaultWatcherCheck;
  defaultWatcherCheck = o;
  return previous;
}

/**
 * The watcher preflight of one flow log: resolves to the watcher's name once it is known to
 * exist, or fails with {@link watcherMissingMessage} / {@link watcherReadFailedMessage}. The
 * watcher is read at once and the answer is judged once the VNet exists (`vnetId` known; the flow
 * log waits for the VNet anyway): a watcher missing then is read again a few times, since Azure
 * creates it with the region's first VNet. In a preview of a brand-new VNet the answer cannot be
 * judged yet, so the result stays unknown rather than failing on what `up` may fix itself.
 */
export function checkNetworkWatcher(w: WatcherPrerequisite, vnetId: pulumi.Input<string>, opts: pulumi.InvokeOptions, given?: WatcherCheckOptions): pulumi.Output<string> {
  const o = given ?? defaultWatcherCheck;
  const read = o.read ?? azureNativeWatcherReader;
  const attempts = Math.max(1, o.attemptsAfterVnet ?? 4);
  const delayMs = o.delayMs ?? 10_000;
  const first = read(w, opts);
  return pulumi.all([first, vnetId]).apply(async ([answer]) => {
    let last: WatcherReadResult = answer;
    for (let i = 0; ; i++) {
      if (last.kind === "found") return w.networkWatcherName;
      if (last.kind === "failed") throw new PreflightError(watcherReadFailedMessage(w, last));
      if (i === attempts) throw new PreflightError(watcherMissingMessage(w, last.code));
      if (i > 0 && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      last = await read(w, opts);
    }
  });
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
  /** The VNet's subscription (that of `opts.provider`), for the preflight's messages. */
  readonly subscriptionId: string;
  /** The VNet's name, for the preflight's messages. */
  readonly vnetName: string;
  /**
   * The `Microsoft.Insights` preflight of the VNet's subscription
   * ({@link checkFlowLogInsights}): nothing of the flow log is created before it passes.
   */
  readonly insightsChecked: pulumi.Input<string[]>;
  /** How the watcher is read (tests inject a reader; default: azure-native's getNetworkWatcher). */
  readonly watcherCheck?: WatcherCheckOptions;
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
    // Everything below waits for the Insights registration check, so a subscription without it
    // gets no (protected) storage account it would then have to clean up.
    const afterInsights = (v: pulumi.Input<string>) => pulumi.all([args.insightsChecked, v]).apply(([, x]) => x);
    const resourceGroupName = afterInsights(args.resourceGroupName);
    // The region's watcher, read in the VNet's subscription; once more after the VNet exists if
    // it is missing at first (Azure creates it with the region's first VNet).
    const watcherChecked = checkNetworkWatcher(
      { subscriptionId: args.subscriptionId, location: args.location, resourceGroupName: args.networkWatcherResourceGroup, networkWatcherName: networkWatcherName(args.location), vnetName: args.vnetName },
      args.vnet.id,
      { provider, parent: this },
      args.watcherCheck,
    );
    const account = new storage.StorageAccount(
      `${name}-st`,
      { accountName: args.storageAccountName, resourceGroupName, location: args.location, tags: args.tags, ...flowLogStorageSettings() },
      // Holds the traffic record an investigation needs.
      { parent: this, provider, protect: true },
    );
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: args.identityName, resourceGroupName, location: args.location, tags: args.tags },
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
        // Known only once both checks passed: the flow log is never sent to a watcher that is not there.
        networkWatcherName: afterInsights(watcherChecked),
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
