/**
 * Subscription prerequisites of the VNet flow logs (./flowLogs.ts) that the program does not
 * create itself, checked before the flow logs are created: each missing one fails `pulumi
 * preview`/`up` naming the subscription, what is missing and the command that fixes it.
 *
 * - The `Microsoft.Insights` resource provider, registered in every subscription that holds a
 *   flow log: "Microsoft.Insights provider must be registered to successfully log traffic flowing
 *   through a virtual network" ({@link FLOW_LOG_PREREQUISITE_DOCS}.insights). Read through ARM's
 *   Providers - Get with the token of that subscription's provider (../preflight.ts).
 * - The region's Network Watcher, of which a flow log is a child resource
 *   (`Microsoft.Network/networkWatchers/flowLogs`), read with azure-native's
 *   `network:getNetworkWatcher` in the VNet's subscription.
 *
 * The program never registers the provider or creates the watcher. Registration is
 * subscription-wide and outlives any stack (../providerRegistration.ts). A subscription holds one
 * watcher per region, shared by every VNet in it; Azure creates it (`NetworkWatcherRG/
 * NetworkWatcher_<region>`) when a VNet is created in a region that has none, unless the
 * subscription opted out of that, and a second one in the region is refused
 * ({@link FLOW_LOG_PREREQUISITE_DOCS}.watcher). A stack that declared it would fight Azure's
 * automatic one (or a landing zone's policy-deployed one) and delete it, with every other flow
 * log and packet capture on it, on `destroy`.
 *
 * Because Azure creates the watcher with a region's first VNet, a watcher that is missing before
 * the VNet exists is not yet an error: the check judges the answer once the VNet exists and reads
 * a missing watcher again a few times then (on a first `up`; a preview of a brand-new stack cannot
 * judge and leaves the flow log's watcher unknown).
 *
 * Free of the Pulumi SDK (the synth's rules share its constants and messages); the reads that
 * need the SDK are in ./flowLogs.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderPrerequisite } from "../providerRegistration";

/** The Microsoft documents each check rests on. */
export const FLOW_LOG_PREREQUISITE_DOCS = {
  /** "Register Insights provider": needed to log traffic flowing through a virtual network. */
  insights: "https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-portal#register-insights-provider",
  /** Network Watcher is enabled automatically with a region's first VNet; opting out; one watcher per region. */
  watcher: "https://learn.microsoft.com/azure/network-watcher/network-watcher-create",
  /** `az network watcher configure`: creates `NetworkWatcher_<region>` in the given resource group for a region without one. */
  configure: "https://learn.microsoft.com/cli/azure/network/watcher#az-network-watcher-configure",
} as const;

/** The invoke that reads a watcher (recorded in synthesized plans; the create-time rule looks for it). */
export const GET_NETWORK_WATCHER = "azure-native:network:getNetworkWatcher";

/** The config key naming the watcher's resource group. */
export const WATCHER_RG_KEY = "k8tre:network.flowLogs.networkWatcherResourceGroup";

const OF = 'the VNet flow logs (docs/network.md, "Before the first deployment")';

/** The regional Network Watcher Azure creates automatically (its name; the resource group is configurable). */
export function networkWatcherName(location: string): string {
  return `NetworkWatcher_${location}`;
}

/** `Microsoft.Insights` in one subscription, needed by the flow logs of `vnetNames` there. */
export function insightsPrerequisite(subscriptionId: string, vnetNames: readonly string[]): ProviderPrerequisite {
  return {
    subscriptionId,
    namespace: "Microsoft.Insights",
    of: OF,
    reason: `the flow log${vnetNames.length === 1 ? "" : "s"} of VNet${vnetNames.length === 1 ? "" : "s"} ${vnetNames.join(", ")}`,
    source: FLOW_LOG_PREREQUISITE_DOCS.insights,
  };
}

/** The watcher one flow log needs. */
export interface WatcherPrerequisite {
  readonly subscriptionId: string;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly networkWatcherName: string;
  /** The VNet whose flow log needs it (for the message). */
  readonly vnetName: string;
}

/** What a read of the watcher found. */
export type WatcherReadResult =
  | { readonly kind: "found" }
  | { readonly kind: "missing"; readonly code?: string }
  | { readonly kind: "failed"; readonly status?: number; readonly code?: string; readonly message: string };

/** Reads one watcher through the provider in `opts` (the VNet's subscription); never throws. */
export type WatcherReader = (w: WatcherPrerequisite, opts: pulumi.InvokeOptions) => Promise<WatcherReadResult>;

const clip = (s: string, n = 300): string => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

/**
 * A failed `getNetworkWatcher` invoke → what it means. azure-native answers a GET that ARM refused
 * with the Azure SDK's response error, whose text carries `RESPONSE <status>: ...` and
 * `ERROR CODE: <code>` (pulumi-azure-native provider/pkg/azure/client_azcore.go `Get` returns
 * `runtime.NewResponseError`; azure-sdk-for-go sdk/azcore `ResponseError.Error`). The older
 * autorest text (`StatusCode=404 ... Code="ResourceNotFound"`) is read too. A 404
 * (`ResourceNotFound`, or `ResourceGroupNotFound` when the resource group does not exist either)
 * means the watcher is missing.
 */
export function interpretWatcherReadError(e: unknown): WatcherReadResult {
  const text = e instanceof Error ? e.message : String(e);
  const status = Number(/RESPONSE (\d{3})\b/.exec(text)?.[1] ?? /Status(?:Code)?=(\d{3})\b/.exec(text)?.[1] ?? NaN);
  const code = /ERROR CODE: ([A-Za-z]+)/.exec(text)?.[1] ?? /Code="([A-Za-z]+)"/.exec(text)?.[1];
  if (status === 404 || code === "ResourceNotFound" || code === "ResourceGroupNotFound" || code === "NotFound") return { kind: "missing", ...(code ? { code } : {}) };
  const firstLines = text.split("\n").filter((l) => l.trim() && !/^-+$/.test(l.trim())).slice(0, 3).join(" ");
  return { kind: "failed", ...(Number.isFinite(status) ? { status } : {}), ...(code ? { code } : {}), message: clip(firstLines) };
}

/** The command that creates the watcher where the flow logs look for it. */
export function watcherConfigureCommand(w: Pick<WatcherPrerequisite, "subscriptionId" | "location" | "resourceGroupName">): string {
  return `az network watcher configure --subscription ${w.subscriptionId} --locations ${w.location} --enabled true -g ${w.resourceGroupName}`;
}

const WATCHER_WHY_BY_HAND =
  "The program never creates the watcher: a subscription has one per region, shared by every VNet in it, which Azure creates itself with the region's first VNet (unless the subscription opted out) and refuses to hold twice; " +
  `a stack that owned it would delete it, with every other flow log on it, when destroyed (${FLOW_LOG_PREREQUISITE_DOCS.watcher}).`;

const where = (w: WatcherPrerequisite) => `${w.resourceGroupName}/${w.networkWatcherName} in subscription ${w.subscriptionId}`;

/** The error of a watcher that is not there (after the VNet exists). */
export function watcherMissingMessage(w: WatcherPrerequisite, code?: string): string {
  const rgMissing = code === "ResourceGroupNotFound";
  return [
    `subscription ${w.subscriptionId} is missing a prerequisite of ${OF}:`,
    `  - the Network Watcher of region ${w.location}: ${where(w)} does not exist${rgMissing ? ` (nor does resource group ${w.resourceGroupName})` : ""}, and the flow log of VNet ${w.vnetName} is a child of it. ` +
      `Azure creates it with a region's first VNet unless the subscription opted out of automatic enablement (feature Microsoft.Network/DisableNetworkWatcherAutocreation), which is then the landing zone's job.`,
    `Fix: ${rgMissing ? `az group create --subscription ${w.subscriptionId} -n ${w.resourceGroupName} -l ${w.location} && ` : ""}${watcherConfigureCommand(w)} (${FLOW_LOG_PREREQUISITE_DOCS.configure}), then rerun.`,
    `If the region already has a watcher in another resource group (az network watcher list --subscription ${w.subscriptionId} --query "[?location=='${w.location}'].id"), ` +
      `set ${WATCHER_RG_KEY} to that resource group instead (the program expects it named ${w.networkWatcherName}); \`az network watcher configure\` creates nothing in a region that has one.`,
    WATCHER_WHY_BY_HAND,
  ].join("\n");
}

/** The error of a read that ARM refused or failed. */
export function watcherReadFailedMessage(w: WatcherPrerequisite, r: Extract<WatcherReadResult, { kind: "failed" }>): string {
  const arm = `${r.status ? `HTTP ${r.status}` : "an error"}${r.code ? ` ${r.code}` : ""}: ${r.message}`;
  const cause =
    r.status === 403 || r.code === "AuthorizationFailed"
      ? `ARM refused the read (${arm}). The deployer's identity needs Microsoft.Network/networkWatchers/read on resource group ${w.resourceGroupName} of subscription ${w.subscriptionId} ` +
        `(Reader there, or Network Contributor, which creating the flow log in it needs anyway: az role assignment create --assignee <deployer> --role "Network Contributor" --scope /subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroupName}), then rerun.`
      : `azure-native answered ${arm}. Check with \`az network watcher show --subscription ${w.subscriptionId} -g ${w.resourceGroupName} -n ${w.networkWatcherName}\`, then rerun.`;
  return `the preflight could not read the Network Watcher ${where(w)}, needed by the flow log of VNet ${w.vnetName} (${OF}): ${cause}`;
}

export interface WatcherCheckOptions {
  /** Default: {@link azureNativeWatcherReader}. */
  readonly read?: WatcherReader;
  /**
   * Reads after the VNet exists, when the first read found no watcher (default 4). Azure
   * documents that it enables Network Watcher when a VNet is created, not how soon; the re-reads
   * give it that time before the check fails. They run only on that path: a present watcher is
   * read once.
   */
  readonly attemptsAfterVnet?: number;
  /** Pause between those reads (default 10 s). */
  readonly delayMs?: number;
}

/** The subscriptions that hold flow logs, each with its VNets, in first-seen order (one Insights read each). */
export function flowLogSubscriptions(vnets: ReadonlyArray<{ subscriptionId: string; vnetName: string }>): Array<{ subscriptionId: string; vnetNames: string[] }> {
  const out = new Map<string, { subscriptionId: string; vnetNames: string[] }>();
  for (const v of vnets) {
    const g = out.get(v.subscriptionId) ?? { subscriptionId: v.subscriptionId, vnetNames: [] };
    g.vnetNames.push(v.vnetName);
    out.set(v.subscriptionId, g);
  }
  return [...out.values()];
}
