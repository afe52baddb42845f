/**
 * The flow logs' subscription prerequisites (components/azure/network/prerequisites.ts): the
 * Microsoft.Insights registration in every subscription that holds a flow log and the region's
 * Network Watcher are read before the flow logs are created, and a missing one fails with what is
 * missing and the command that fixes it. Nothing but the flow logs waits for them; a landing zone
 * (no flow logs) reads nothing.
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { loadProject, readProject } from "../../config/project";
import { checkFlowLogInsights, checkNetworkWatcher, VnetFlowLog } from "../../components/azure/network/flowLogs";
import {
  flowLogSubscriptions,
  GET_NETWORK_WATCHER,
  insightsPrerequisite,
  interpretWatcherReadError,
  type WatcherPrerequisite,
  type WatcherReadResult,
  watcherMissingMessage,
  watcherReadFailedMessage,
} from "../../components/azure/network/prerequisites";
import { providerNotRegisteredMessage, PROVIDERS_GET, setDefaultProviderReader } from "../../components/azure/providerRegistration";
import { buildStack } from "../../stacks";
import { PROVIDER_STATES, providerKey } from "../../tools/synth/fakes/cluster";
import { MISSING_WATCHERS, watcherKey } from "../../tools/synth/fakes/network";
import { plannedSoFar, synthStack, type SynthResult } from "../../tools/synth/engine";
import { ofType, PROJECT_DIR, synthShipped } from "../helpers/synth";

const CONN = "00000000-0000-0000-0000-000000000001";
const SPOKE_SUBS = { mgmt: "00000000-0000-0000-0000-000000000002", dev: "00000000-0000-0000-0000-000000000003", stg: "00000000-0000-0000-0000-000000000004", prd: "00000000-0000-0000-0000-000000000005" };
const DEV = SPOKE_SUBS.dev;

const WATCHER: WatcherPrerequisite = { subscriptionId: DEV, location: "uksouth", resourceGroupName: "NetworkWatcherRG", networkWatcherName: "NetworkWatcher_uksouth", vnetName: "vnet-k8tre-dev-uks-spoke" };

/** The text azure-native's failed GET carries (the Azure SDK's ResponseError). */
const azcoreError = (status: number, reason: string, code: string) =>
  new Error(
    [
      "GET https://management.azure.com/subscriptions/x/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_uksouth",
      "-".repeat(80),
      `RESPONSE ${status}: ${status} ${reason}`,
      `ERROR CODE: ${code}`,
      "-".repeat(80),
      `{ "error": { "code": "${code}", "message": "..." } }`,
    ].join("\n"),
  );

/** Evaluates the shipped network stack uncached (the fakes' state differs per test). */
async function synthNetwork(): Promise<SynthResult> {
  const files = readProject(PROJECT_DIR);
  const { loaded } = loadProject(files);
  const file = files.stacks.find((f) => f.stack === "network")!;
  return synthStack(() => buildStack(loaded.get("network")!), { project: files.project, stack: "network", config: file.raw, secretKeys: file.secretKeys });
}

describe("the messages", () => {
  it("Insights not registered: subscription, state, the VNets, the register command, the doc, why by hand", () => {
    const m = providerNotRegisteredMessage(insightsPrerequisite(DEV, ["vnet-k8tre-dev-uks-spoke"]), "NotRegistered");
    expect(m).toContain(`subscription ${DEV} is missing a prerequisite of the VNet flow logs (docs/network.md, "Before the first deployment")`);
    expect(m).toContain("resource provider Microsoft.Insights is NotRegistered; needed for the flow log of VNet vnet-k8tre-dev-uks-spoke");
    expect(m).toContain("https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-portal#register-insights-provider");
    expect(m).toContain(`Fix: az provider register --subscription ${DEV} --namespace Microsoft.Insights`);
    expect(m).toContain("registration is subscription-wide");
  });

  it("watcher missing: where it was looked for, the configure command, the config key for a watcher kept elsewhere, why by hand", () => {
    const m = watcherMissingMessage(WATCHER, "ResourceNotFound");
    expect(m).toContain(`subscription ${DEV} is missing a prerequisite of the VNet flow logs`);
    expect(m).toContain(`the Network Watcher of region uksouth: NetworkWatcherRG/NetworkWatcher_uksouth in subscription ${DEV} does not exist`);
    expect(m).toContain("the flow log of VNet vnet-k8tre-dev-uks-spoke is a child of it");
    expect(m).toContain(`Fix: az network watcher configure --subscription ${DEV} --locations uksouth --enabled true -g NetworkWatcherRG`);
    expect(m).toContain("set k8tre:network.flowLogs.networkWatcherResourceGroup to that resource group");
    expect(m).toContain("DisableNetworkWatcherAutocreation");
    expect(m).toContain("The program never creates the watcher");
    expect(m).not.toContain("az group create");
  });

  it("watcher's resource group missing too: create it first", () => {
    expect(watcherMissingMessage(WATCHER, "ResourceGroupNotFound")).toContain(`Fix: az group create --subscription ${DEV} -n NetworkWatcherRG -l uksouth && az network watcher configure`);
  });

  it("a refused read names the permission and the scope; another error says how to look", () => {
    const denied = watcherReadFailedMessage(WATCHER, { kind: "failed", status: 403, code: "AuthorizationFailed", message: "no" });
    expect(denied).toContain("could not read the Network Watcher NetworkWatcherRG/NetworkWatcher_uksouth");
    expect(denied).toContain(`Microsoft.Network/networkWatchers/read on resource group NetworkWatcherRG of subscription ${DEV}`);
    expect(denied).toContain(`--scope /subscriptions/${DEV}/resourceGroups/NetworkWatcherRG`);
    expect(watcherReadFailedMessage(WATCHER, { kind: "failed", status: 500, message: "boom" })).toContain(`az network watcher show --subscription ${DEV} -g NetworkWatcherRG -n NetworkWatcher_uksouth`);
  });
});

describe("reading azure-native's answer", () => {
  it("a 404 is a missing watcher (ResourceNotFound, or ResourceGroupNotFound), also in autorest's older text", () => {
    expect(interpretWatcherReadError(azcoreError(404, "Not Found", "ResourceNotFound"))).toEqual({ kind: "missing", code: "ResourceNotFound" });
    expect(interpretWatcherReadError(azcoreError(404, "Not Found", "ResourceGroupNotFound"))).toEqual({ kind: "missing", code: "ResourceGroupNotFound" });
    expect(interpretWatcherReadError(new Error('network.WatchersClient#Get: Failure responding to request: StatusCode=404 -- Original Error: Code="ResourceNotFound" Message="x"'))).toEqual({
      kind: "missing",
      code: "ResourceNotFound",
    });
  });

  it("a 403 is a failed read with its status and code, in one line", () => {
    const r = interpretWatcherReadError(azcoreError(403, "Forbidden", "AuthorizationFailed"));
    expect(r).toMatchObject({ kind: "failed", status: 403, code: "AuthorizationFailed" });
    expect((r as { message: string }).message).not.toContain("\n");
  });
});

it("groups the flow logs by subscription, one Insights read each", () => {
  expect(
    flowLogSubscriptions([
      { subscriptionId: CONN, vnetName: "hub" },
      { subscriptionId: DEV, vnetName: "dev" },
      { subscriptionId: CONN, vnetName: "mgmt" },
    ]),
  ).toEqual([
    { subscriptionId: CONN, vnetNames: ["hub", "mgmt"] },
    { subscriptionId: DEV, vnetNames: ["dev"] },
  ]);
});

describe("the shipped network stack", () => {
  let r: SynthResult;
  beforeAll(async () => {
    r = await synthShipped("network");
  });

  it("reads Microsoft.Insights once in each subscription that holds a flow log, with that subscription's token", () => {
    const reads = r.invokes.filter((i) => i.token === PROVIDERS_GET);
    expect(reads.map((i) => i.inputs).sort((a, b) => String(a.subscriptionId).localeCompare(String(b.subscriptionId)))).toEqual(
      [CONN, ...Object.values(SPOKE_SUBS)].map((s) => ({ subscriptionId: s, resourceProviderNamespace: "Microsoft.Insights", apiVersion: "2024-03-01" })),
    );
    const tokens = r.invokes.filter((i) => i.token === "azure-native:authorization:getClientToken").map((i) => /azure-([0-9a-f-]{36})::/.exec(i.provider ?? "")?.[1]);
    expect(tokens.sort()).toEqual([CONN, ...Object.values(SPOKE_SUBS)]);
  });

  it("reads the region's watcher through each VNet's own provider, where its flow log points", () => {
    const reads = r.invokes.filter((i) => i.token === GET_NETWORK_WATCHER);
    expect(reads).toHaveLength(5);
    for (const i of reads) expect(i.inputs).toEqual({ resourceGroupName: "NetworkWatcherRG", networkWatcherName: "NetworkWatcher_uksouth" });
    expect(reads.map((i) => /azure-([0-9a-f-]{36})::/.exec(i.provider ?? "")?.[1]).sort()).toEqual([CONN, ...Object.values(SPOKE_SUBS)]);
    for (const log of ofType(r, "azure-native:network:FlowLog")) expect(log.inputs).toMatchObject({ networkWatcherName: "NetworkWatcher_uksouth", resourceGroupName: "NetworkWatcherRG" });
  });

  it("passes the create-time rules that need both reads", () => {
    const shipped = r as SynthResult & { azureRules: { findings: Array<{ rule: string }> } };
    expect(shipped.azureRules.findings.filter((f) => /^flow-log-(insights|network-watcher)/.test(f.rule))).toEqual([]);
  });
});

describe("what waits for the Insights check", () => {
  const NOT_WAITING = ["azure-native:network:VirtualNetwork", "azure-native:network:Subnet", "azure-native:network:VirtualNetworkPeering", "azure-native:privatedns:PrivateZone", "azure-native:privatedns:VirtualNetworkLink"];
  const FLOW_LOG_PARTS = /^flowlog-/;

  it("the VNets, subnets, peerings, zones and links are declared before any read has answered; nothing of that subscription's flow log is", async () => {
    const expected = (await synthShipped("network")).resources.filter((x) => NOT_WAITING.includes(x.type)).length;
    const keyOf: Record<string, string> = { [CONN]: "hub", ...Object.fromEntries(Object.entries(SPOKE_SUBS).map(([env, sub]) => [sub, env])) };
    const seen: Array<{ key: string; declared: number; flowLogParts: string[] }> = [];
    const previous = setDefaultProviderReader(async (req) => {
      // Hold the answer until everything that must not wait is declared (bounded: a VNet or zone
      // that waited for this read would never appear, and the test fails on the count).
      for (let i = 0; i < 400 && plannedSoFar().filter((x) => NOT_WAITING.includes(x.type)).length < expected; i++) await new Promise((res) => setTimeout(res, 5));
      const key = keyOf[req.subscriptionId];
      const now = plannedSoFar();
      seen.push({ key, declared: now.filter((x) => NOT_WAITING.includes(x.type)).length, flowLogParts: now.filter((x) => x.name.startsWith(`flowlog-${key}-`)).map((x) => x.name) });
      return { kind: "state", registrationState: "Registered" };
    });
    try {
      const r = await synthNetwork();
      expect(seen.map((x) => x.key).sort()).toEqual(["dev", "hub", "mgmt", "prd", "stg"]);
      for (const s of seen) expect(s).toEqual({ key: s.key, declared: expected, flowLogParts: [] });
      expect(ofType(r, "azure-native:network:FlowLog")).toHaveLength(5);
    } finally {
      setDefaultProviderReader(previous);
    }
  });

  it("no VNet, subnet, peering, zone or zone link depends on a flow-log resource", async () => {
    const r = await synthShipped("network");
    const flowUrns = new Set(r.resources.filter((x) => FLOW_LOG_PARTS.test(x.name)).map((x) => x.urn));
    expect(r.resources.filter((x) => NOT_WAITING.includes(x.type) && x.dependsOn.some((u) => flowUrns.has(u))).map((x) => x.name)).toEqual([]);
  });
});

/**
 * Runs `check` under the offline engine and returns how it settled. (A failed check that feeds a
 * resource input surfaces as an unhandled rejection, which jest intercepts: test the check's
 * output itself, as the cluster's preflight tests do.)
 */
async function settle<T>(check: () => pulumi.Output<T>): Promise<{ value?: T; error?: Error }> {
  let out: { value?: T; error?: Error } = {};
  await synthStack(
    async () => {
      // Observe every promise of the output: each one rejects with the check's error.
      const o = check() as any;
      const [value, ...rest] = await Promise.allSettled([o.promise(), o.isKnown, o.isSecret, o.allResources()]);
      void rest;
      out = value.status === "fulfilled" ? { value: value.value } : { error: value.reason as Error };
      return {};
    },
    { project: "k8tre", stack: "unit", config: {} },
  );
  return out;
}

describe("a subscription without the prerequisites (the offline engine's fake subscriptions)", () => {
  const provider = () => new AzureProvider(`azure-${DEV}`, { subscriptionId: DEV });
  afterEach(() => {
    PROVIDER_STATES.clear();
    MISSING_WATCHERS.clear();
  });

  it("Microsoft.Insights registered: the check passes with its label", async () => {
    expect(await settle(() => checkFlowLogInsights(DEV, ["vnet-k8tre-dev-uks-spoke"], { provider: provider() }))).toEqual({ value: [`provider Microsoft.Insights in ${DEV}`] });
  });

  it("Microsoft.Insights not registered: a RunError with the state and the register command", async () => {
    PROVIDER_STATES.set(providerKey(DEV, "Microsoft.Insights"), "NotRegistered");
    const { error } = await settle(() => checkFlowLogInsights(DEV, ["vnet-k8tre-dev-uks-spoke"], { provider: provider() }));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error!.message).toContain(`subscription ${DEV} is missing a prerequisite of the VNet flow logs`);
    expect(error!.message).toContain("Microsoft.Insights is NotRegistered; needed for the flow log of VNet vnet-k8tre-dev-uks-spoke");
    expect(error!.message).toContain(`az provider register --subscription ${DEV} --namespace Microsoft.Insights`);
  });

  it("no watcher (azure-native's 404, read through the real reader): a RunError naming where it looked and the fix, after the VNet exists", async () => {
    MISSING_WATCHERS.add(watcherKey(DEV, "NetworkWatcherRG", "NetworkWatcher_uksouth"));
    const { error } = await settle(() => checkNetworkWatcher(WATCHER, "vnet-id", { provider: provider() }, { delayMs: 0 }));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error!.message).toContain(`NetworkWatcherRG/NetworkWatcher_uksouth in subscription ${DEV} does not exist`);
    expect(error!.message).toContain(`az network watcher configure --subscription ${DEV} --locations uksouth --enabled true -g NetworkWatcherRG`);
    expect(error!.message).not.toMatch(/\n\s+at /);
  });

  it("the fake subscription's watcher present: the check resolves to its name", async () => {
    expect(await settle(() => checkNetworkWatcher(WATCHER, "vnet-id", { provider: provider() }))).toEqual({ value: "NetworkWatcher_uksouth" });
  });
});

describe("the watcher check of one flow log", () => {
  const SUB = DEV;
  const VNET_ID = `/subscriptions/${SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-k8tre-dev-uks-spoke`;

  /** One VnetFlowLog with an injected watcher reader; the Insights check passed. */
  function run(read: (n: number) => WatcherReadResult, opts: { preview?: boolean; onRead?: () => Promise<void> } = {}) {
    let reads = 0;
    const result = synthStack(
      () => {
        const provider = new AzureProvider(`azure-${SUB}`, { subscriptionId: SUB });
        const vnet = new network.VirtualNetwork("vnet", { resourceGroupName: "rg-spoke", virtualNetworkName: "vnet-k8tre-dev-uks-spoke", location: "uksouth" }, { provider });
        new VnetFlowLog(
          "flowlog-dev",
          {
            location: "uksouth",
            subscriptionId: SUB,
            vnetName: "vnet-k8tre-dev-uks-spoke",
            insightsChecked: pulumi.output([`provider Microsoft.Insights in ${SUB}`]),
            watcherCheck: {
              delayMs: 0,
              read: async () => {
                await opts.onRead?.();
                return read(++reads);
              },
            },
            resourceGroupName: "rg-spoke",
            storageAccountName: "stk8tredevflow",
            flowLogName: "fl-k8tre-dev-uks-dev",
            identityName: "id-k8tre-dev-uks-fl-dev",
            vnet,
            networkWatcherResourceGroup: "NetworkWatcherRG",
            retentionDays: 90,
          },
          { provider },
        );
        return {};
      },
      { project: "k8tre", stack: "unit", config: {}, preview: opts.preview },
    );
    return { result, reads: () => reads };
  }

  it("a present watcher is read once, and the flow log is declared only after it answered", async () => {
    let logBeforeAnswer: string[] | undefined;
    const { result, reads } = run(() => ({ kind: "found" }), {
      onRead: async () => {
        // Hold the answer until the flow log's other prerequisites (its VNet, its identity's grant)
        // are declared, then give a flow log that did not wait for the watcher a few turns to appear.
        for (let i = 0; i < 400 && !plannedSoFar().some((x) => x.name === "flowlog-dev-blob-writer"); i++) await new Promise((res) => setTimeout(res, 5));
        for (let i = 0; i < 5; i++) await new Promise((res) => setTimeout(res, 0));
        logBeforeAnswer = plannedSoFar().filter((x) => x.type === "azure-native:network:FlowLog" || x.name === "flowlog-dev-blob-writer").map((x) => x.name);
      },
    });
    const r = await result;
    expect(reads()).toBe(1);
    expect(logBeforeAnswer).toEqual(["flowlog-dev-blob-writer"]);
    const log = r.resources.find((x) => x.type === "azure-native:network:FlowLog")!;
    expect(log.inputs).toMatchObject({ networkWatcherName: "NetworkWatcher_uksouth", resourceGroupName: "NetworkWatcherRG", targetResourceId: VNET_ID });
  });

  it("missing before the VNet, present after (Azure's automatic enablement): passes on the re-read", async () => {
    const { result, reads } = run((n) => (n === 1 ? { kind: "missing", code: "ResourceNotFound" } : { kind: "found" }));
    const r = await result;
    expect(reads()).toBe(2);
    expect(r.resources.filter((x) => x.type === "azure-native:network:FlowLog")).toHaveLength(1);
  });

  it("still missing after the VNet exists: fails after the re-reads", async () => {
    let reads = 0;
    const { error } = await settle(() => checkNetworkWatcher(WATCHER, "vnet-id", {}, { delayMs: 0, read: async () => (reads++, { kind: "missing", code: "ResourceNotFound" }) }));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error!.message).toContain(`NetworkWatcherRG/NetworkWatcher_uksouth in subscription ${DEV} does not exist`);
    expect(reads).toBe(5); // one up front, four after the VNet
  });

  it("a refused read fails at once with the permission to grant", async () => {
    let reads = 0;
    const { error } = await settle(() => checkNetworkWatcher(WATCHER, "vnet-id", {}, { read: async () => (reads++, { kind: "failed", status: 403, code: "AuthorizationFailed", message: "no" }) }));
    expect(error!.message).toContain("Microsoft.Network/networkWatchers/read");
    expect(reads).toBe(1);
  });

  it("in a preview of a brand-new VNet, a missing watcher is not (yet) an error: the flow log's watcher is left unknown", async () => {
    const { result, reads } = run(() => ({ kind: "missing", code: "ResourceNotFound" }), { preview: true });
    const r = await result;
    expect(reads()).toBe(1);
    expect(r.resources.find((x) => x.type === "azure-native:network:FlowLog")!.inputs.networkWatcherName).toBe("[unknown]");
  });
});

it("the landing zone (no flow logs) reads nothing", async () => {
  const r = await synthShipped("network-lz");
  expect(ofType(r, "azure-native:network:FlowLog")).toEqual([]);
  expect(r.invokes.filter((i) => [PROVIDERS_GET, GET_NETWORK_WATCHER, "azure-native:authorization:getClientToken"].includes(i.token))).toEqual([]);
});
