/**
 * The cluster's resource-provider preflight: a private DNS zone in another subscription needs
 * Microsoft.ContainerService registered there (https://learn.microsoft.com/azure/aks/private-clusters).
 * The program reads it through ARM's Providers - Get with the zone provider's token, before any
 * resource of the cluster is declared, and refuses with the fix; the token is stored nowhere.
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { armToken, assertProviders, Cluster, type ProviderVerdict, readProviderVerdicts, requiredProviders } from "../../components/azure/cluster";
import {
  armProviderReader,
  interpretProvidersGet,
  type ProviderPrerequisite,
  type ProviderReader,
  providerReadFailedMessage,
  providerNotRegisteredMessage,
  PROVIDERS_GET,
  providersGetUrl,
} from "../../components/azure/providerRegistration";
import { OFFLINE_ARM_TOKEN, PROVIDER_STATES, providerKey, UNREADABLE_SUBSCRIPTIONS } from "../../tools/synth/fakes/cluster";
import { plannedSoFar, synthStack, type SynthResult } from "../../tools/synth/engine";
import { testClusterConfig } from "../helpers/cluster";

const SUB = "00000000-0000-0000-0000-000000000003";
const CONN = "00000000-0000-0000-0000-000000000001";
const zoneIn = (sub: string) => `/subscriptions/${sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.uksouth.azmk8s.io`;
const VNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet`;

const config = testClusterConfig({ userPools: [] });

const ZONE_PREREQ: ProviderPrerequisite = requiredProviders(SUB, zoneIn(CONN))[0];

/** `outputs`: return the preflight as a stack output (only where the run succeeds: a failed output would reject after the run). */
async function run(zoneSub: string, opts: { reader?: ProviderReader; preview?: boolean; outputs?: boolean } = {}): Promise<SynthResult> {
  return synthStack(
    () => {
      const provider = new AzureProvider(`azure-${SUB}`, { subscriptionId: SUB });
      const dnsProvider = new AzureProvider(`azure-${zoneSub}`, { subscriptionId: zoneSub });
      const c = new Cluster(
        "env",
        {
          config,
          names: { resourceGroup: "rg-aks", cluster: "aks-k8tre-dev-uks", dnsPrefix: "k8tre-dev", nodeResourceGroup: "rg-aks-nodes", identity: "id-aks", workspace: "log-aks" },
          location: "uksouth",
          tenantId: "00000000-0000-0000-0000-000000000000",
          subscriptionId: SUB,
          tags: {},
          nodeSubnetId: `${VNET}/subnets/nodes`,
          ingressSubnetId: `${VNET}/subnets/ingress`,
          vnetId: VNET,
          privateDnsZoneId: zoneIn(zoneSub),
          dnsProvider,
          providerReader: opts.reader,
        },
        { provider },
      );
      return opts.outputs ? { preflight: c.preflight } : {};
    },
    { project: "k8tre", stack: "unit", config: {}, preview: opts.preview },
  );
}

/** The verdicts the preflight reads in a synth of its own, through the default reader (resolved, not thrown). */
async function verdicts(zoneSub: string): Promise<ProviderVerdict[]> {
  let out: ProviderVerdict[] = [];
  await synthStack(
    async () => {
      const dnsProvider = new AzureProvider(`azure-${zoneSub}`, { subscriptionId: zoneSub });
      out = await new Promise((resolve) => readProviderVerdicts(requiredProviders(SUB, zoneIn(zoneSub)), { provider: dnsProvider }).apply((v) => resolve(v)));
      return {};
    },
    { project: "k8tre", stack: "unit", config: {} },
  );
  return out;
}

const failedMessage = (v: ProviderVerdict[]): string => {
  try {
    assertProviders(v);
  } catch (e) {
    expect(pulumi.RunError.isInstance(e)).toBe(true); // Pulumi prints a RunError without a stack trace
    return (e as Error).message;
  }
  throw new Error("expected the preflight to fail");
};

describe("which providers the cluster needs outside its subscription", () => {
  it("Microsoft.ContainerService in the zone's subscription when it is another one", () => {
    expect(requiredProviders(SUB, zoneIn(CONN))).toEqual([
      expect.objectContaining({ subscriptionId: CONN, namespace: "Microsoft.ContainerService", source: "https://learn.microsoft.com/azure/aks/private-clusters" }),
    ]);
  });

  it("none when the zone is in the cluster's subscription (IDs compare case-insensitively)", () => {
    expect(requiredProviders(SUB, zoneIn(SUB))).toEqual([]);
    expect(requiredProviders(SUB.toUpperCase(), zoneIn(SUB))).toEqual([]);
  });
});

describe("the preflight's messages", () => {
  it("NotRegistered: subscription, state, why, the register command, that it takes minutes and why the program does not do it", () => {
    const m = providerNotRegisteredMessage(ZONE_PREREQ, "NotRegistered");
    expect(m).toContain(`subscription ${CONN} is missing a prerequisite of the AKS cluster (docs/environment.md, "Before the first deployment")`);
    expect(m).toContain(`resource provider Microsoft.ContainerService is NotRegistered; needed for the cluster's private DNS zone privatelink.uksouth.azmk8s.io, which is in this subscription while the cluster is in ${SUB}`);
    expect(m).toContain(`Fix: az provider register --subscription ${CONN} --namespace Microsoft.ContainerService`);
    expect(m).toContain("Registration takes several minutes");
    expect(m).toContain(`az provider show --subscription ${CONN} --namespace Microsoft.ContainerService --query registrationState`);
    expect(m).toContain("registration is subscription-wide");
    expect(m).toContain("not undone when a stack is destroyed");
  });

  it("Registering: nothing to run, wait", () => {
    const m = providerNotRegisteredMessage(ZONE_PREREQ, "Registering");
    expect(m).toContain("Microsoft.ContainerService is Registering");
    expect(m).toContain("has started and is not finished yet: nothing to run, wait for it");
    expect(m).not.toContain("Fix: az provider register");
  });

  it("403: names the permission, the scope and the role that carries it", () => {
    const m = providerReadFailedMessage(ZONE_PREREQ, { kind: "http", status: 403, code: "AuthorizationFailed", message: "The client 'x' does not have authorization" });
    expect(m).toContain(`could not read the registration of resource provider Microsoft.ContainerService in subscription ${CONN}`);
    expect(m).toContain("HTTP 403 AuthorizationFailed: The client 'x' does not have authorization");
    expect(m).toContain(`Microsoft.Resources/subscriptions/providers/read at the scope of subscription ${CONN}`);
    expect(m).toContain(`--role Reader --scope /subscriptions/${CONN}`);
  });

  it("401 and network errors say what to do, without a stack trace", () => {
    expect(providerReadFailedMessage(ZONE_PREREQ, { kind: "http", status: 401, code: "InvalidAuthenticationToken" })).toContain("log in again");
    const net = providerReadFailedMessage(ZONE_PREREQ, { kind: "network", message: "fetch failed: ENOTFOUND" });
    expect(net).toContain("Azure Resource Manager (https://management.azure.com) did not answer (fetch failed: ENOTFOUND)");
    expect(net).toContain("HTTPS access to management.azure.com");
    expect(net).not.toMatch(/\n\s+at /);
  });
});

describe("ARM's Providers - Get", () => {
  it("reads the state of the specification's example and the code of a CloudError", () => {
    // specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/examples/GetProvider.json
    expect(interpretProvidersGet({ status: 200, body: { id: "/subscriptions/0/providers/Microsoft.TestRP1", namespace: "Microsoft.TestRP1", registrationState: "Registering", registrationPolicy: "RegistrationRequired" } })).toEqual({
      kind: "state",
      registrationState: "Registering",
    });
    expect(interpretProvidersGet({ status: 403, body: { error: { code: "AuthorizationFailed", message: "no" } } })).toEqual({ kind: "http", status: 403, code: "AuthorizationFailed", message: "no" });
    expect(interpretProvidersGet({ status: 502, body: undefined })).toEqual({ kind: "http", status: 502 });
  });

  it("sends one GET with the token in the Authorization header only; failures come back as results, without the token", async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const spy = jest.spyOn(globalThis, "fetch").mockImplementation(async (url, init) => {
      calls.push({ url: String(url), init: init! });
      return new Response(JSON.stringify({ namespace: "Microsoft.ContainerService", registrationState: "NotRegistered" }), { status: 200 });
    });
    try {
      const r = await armProviderReader({ subscriptionId: CONN, namespace: "Microsoft.ContainerService" }, "secret-token-value");
      expect(r).toEqual({ kind: "state", registrationState: "NotRegistered" });
      expect(calls).toHaveLength(1);
      expect(calls[0].url).toBe(`https://management.azure.com/subscriptions/${CONN}/providers/Microsoft.ContainerService?api-version=2024-03-01`);
      expect(calls[0].init.method ?? "GET").toBe("GET");
      expect((calls[0].init.headers as Record<string, string>).Authorization).toBe("Bearer secret-token-value");
      expect(calls[0].init.redirect).toBe("error");

      spy.mockImplementation(async () => {
        throw Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("getaddrinfo ENOTFOUND management.azure.com"), { code: "ENOTFOUND" }) });
      });
      const down = await armProviderReader({ subscriptionId: CONN, namespace: "Microsoft.ContainerService" }, "secret-token-value");
      expect(down).toEqual({ kind: "network", message: "fetch failed: ENOTFOUND" });
      expect(JSON.stringify(down)).not.toContain("secret-token-value");
    } finally {
      spy.mockRestore();
    }
  });

  it("refuses to build a URL from anything but a subscription GUID and a namespace", () => {
    expect(() => providersGetUrl({ subscriptionId: "../x", namespace: "Microsoft.ContainerService" })).toThrow(/not a subscription ID/);
    expect(() => providersGetUrl({ subscriptionId: CONN, namespace: "Microsoft.ContainerService?x=1" })).toThrow(/not a resource provider namespace/);
  });
});

describe("the Cluster's provider preflight under the offline engine", () => {
  afterEach(() => {
    PROVIDER_STATES.clear();
    UNREADABLE_SUBSCRIPTIONS.clear();
  });

  it("reads Microsoft.ContainerService in the zone's subscription with the zone provider's token, and passes when Registered", async () => {
    const r = await run(CONN, { outputs: true });
    const reads = r.invokes.filter((i) => i.token === PROVIDERS_GET);
    expect(reads).toEqual([{ token: PROVIDERS_GET, inputs: { subscriptionId: CONN, resourceProviderNamespace: "Microsoft.ContainerService", apiVersion: "2024-03-01" } }]);
    const token = r.invokes.filter((i) => i.token === "azure-native:authorization:getClientToken");
    expect(token).toHaveLength(1);
    expect(token[0].provider).toContain(`azure-${CONN}`);
    expect(r.rawOutputs.preflight).toEqual(expect.arrayContaining([`provider Microsoft.ContainerService in ${CONN}`]));
  });

  it("also runs in a preview", async () => {
    const r = await run(CONN, { preview: true });
    expect(r.invokes.filter((i) => i.token === PROVIDERS_GET)).toHaveLength(1);
  });

  it("reads nothing and asks for no token when the zone is in the cluster's subscription", async () => {
    const r = await run(SUB);
    expect(r.invokes.filter((i) => i.token === PROVIDERS_GET || i.token === "azure-native:authorization:getClientToken")).toEqual([]);
  });

  it("declares nothing of the cluster before the read has answered, and all of it after (the cluster depends on the preflight)", async () => {
    const seen: { atCall?: string[]; beforeAnswer?: string[] } = {};
    const ours = () => plannedSoFar().filter((r) => r.type.startsWith("azure-native:") && r.type !== "pulumi:providers:azure-native").map((r) => r.name);
    const r = await run(CONN, {
      reader: async () => {
        seen.atCall = ours();
        // Give anything that does not wait for the preflight every chance to register first.
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen.beforeAnswer = ours();
        return { kind: "state", registrationState: "Registered" };
      },
    });
    expect(seen).toEqual({ atCall: [], beforeAnswer: [] });
    expect(r.resources.map((x) => x.name)).toEqual(expect.arrayContaining(["env-rg", "env-identity", "env-aks"]));
  });

  it("fails with the register command when the fake subscription has not registered the provider", async () => {
    PROVIDER_STATES.set(providerKey(CONN, "Microsoft.ContainerService"), "NotRegistered");
    const v = await verdicts(CONN);
    expect(v).toEqual([{ ok: false, message: expect.stringContaining("resource provider Microsoft.ContainerService is NotRegistered") }]);
    const m = failedMessage(v);
    expect(m).toContain(`subscription ${CONN} is missing a prerequisite of the AKS cluster`);
    expect(m).toContain(`az provider register --subscription ${CONN} --namespace Microsoft.ContainerService`);
  });

  it("tells the operator to wait while the registration is under way", async () => {
    PROVIDER_STATES.set(providerKey(CONN, "Microsoft.ContainerService"), "Registering");
    expect(failedMessage(await verdicts(CONN))).toContain("Microsoft.ContainerService is Registering");
  });

  it("names the role to grant when the deployer cannot read the zone's subscription (403)", async () => {
    UNREADABLE_SUBSCRIPTIONS.add(CONN);
    const m = failedMessage(await verdicts(CONN));
    expect(m).toContain("HTTP 403 AuthorizationFailed");
    expect(m).toContain(`--role Reader --scope /subscriptions/${CONN}`);
  });

  it("passes a Registered provider, and hands an injected reader the zone provider's token", async () => {
    expect(await verdicts(CONN)).toEqual([{ ok: true, label: `provider Microsoft.ContainerService in ${CONN}` }]);
    const tokens: string[] = [];
    await run(CONN, {
      reader: async (_req, token) => {
        tokens.push(token);
        return { kind: "state", registrationState: "Registered" };
      },
    });
    expect(tokens).toEqual([OFFLINE_ARM_TOKEN]);
  });

  it("keeps the token secret and out of every recorded input, output and warning", async () => {
    const r = await run(CONN, { outputs: true });
    expect(r.invokes.map((i) => i.token)).toEqual(expect.arrayContaining(["azure-native:authorization:getClientToken", PROVIDERS_GET]));
    expect(JSON.stringify(r)).not.toContain(OFFLINE_ARM_TOKEN);
    // The preflight's result is not secret (nothing of the token is in it), so names derived from it stay readable.
    expect(r.resources.find((x) => x.type === "azure-native:resources:ResourceGroup")!.inputs.resourceGroupName).toBe("rg-aks");
    let secret: boolean | undefined;
    await synthStack(
      async () => {
        secret = await (armToken({ provider: new AzureProvider(`azure-${CONN}`, { subscriptionId: CONN }) }) as any).isSecret;
        return {};
      },
      { project: "k8tre", stack: "unit", config: {} },
    );
    expect(secret).toBe(true);
  });
});
