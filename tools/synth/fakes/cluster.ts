/**
 * Fakes for the AKS cluster component: the cluster (typed and generic preview resource), its
 * control-plane identity, node pools, Log Analytics and the user kubeconfig invoke, which
 * returns what AKS returns for an Entra ID cluster: an exec (kubelogin devicecode) kubeconfig.
 */
import { stringify } from "yaml";
import { type ArmAnswer, interpretProvidersGet, PROVIDERS_API_VERSION, PROVIDERS_GET, setDefaultProviderReader } from "../../../components/azure/providerRegistration";
import { armId, directCall, type FakeContext, fakeGuid, registerCallFake, registerResourceFake, subscriptionOf, tenantOf } from "../fakes";

/** Subscription encoded in an azure-native provider reference (`azure-<sub>` providers), if any. */
function providerSubscription(args: { provider?: string }): string | undefined {
  return /azure-([0-9a-f-]{36})/i.exec(String(args.provider ?? ""))?.[1];
}

function clusterOutputs(ctx: FakeContext, name: string, dnsPrefix: string, location: string, sub: string) {
  return {
    privateFQDN: `${dnsPrefix}-${fakeGuid(ctx.stack, name, "fqdn").slice(0, 8)}.privatelink.${location}.azmk8s.io`,
    fqdn: undefined,
    oidcIssuerProfile: { enabled: true, issuerURL: `https://${location}.oic.prod-aks.azure.com/${tenantOf(ctx)}/${fakeGuid(ctx.stack, name, "oidc")}/` },
    identityProfile: {
      kubeletidentity: {
        clientId: fakeGuid(ctx.stack, name, "kubelet-client"),
        objectId: fakeGuid(ctx.stack, name, "kubelet-object"),
        resourceId: `/subscriptions/${sub}/resourceGroups/${dnsPrefix}-nodes/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`,
      },
    },
    provisioningState: "Succeeded",
  };
}

registerResourceFake("azure-native:containerservice:ManagedCluster", (args, ctx) => {
  const sub = providerSubscription(args) ?? subscriptionOf(ctx);
  const name = String(args.inputs.resourceName ?? args.name);
  const location = String(args.inputs.location ?? "uksouth");
  return {
    id: armId(ctx, args, "Microsoft.ContainerService/managedClusters", "resourceName", sub),
    state: { name, ...clusterOutputs(ctx, name, String(args.inputs.dnsPrefix ?? name), location, sub) },
  };
});

// The generic ARM resource: used for the AKS cluster at a preview API version (kube-proxy disabled).
registerResourceFake("azure-native:resources:Resource", (args, ctx) => {
  const sub = providerSubscription(args) ?? subscriptionOf(ctx);
  const ns = String(args.inputs.resourceProviderNamespace);
  const type = String(args.inputs.resourceType);
  const name = String(args.inputs.resourceName ?? args.name);
  const id = armId(ctx, args, `${ns}/${type}`, "resourceName", sub);
  const props = (args.inputs.properties ?? {}) as Record<string, unknown>;
  const extra =
    ns === "Microsoft.ContainerService" && type === "managedClusters"
      ? clusterOutputs(ctx, name, String(props.dnsPrefix ?? name), String(args.inputs.location ?? "uksouth"), sub)
      : {};
  return { id, state: { name, properties: { ...props, ...extra } } };
});

registerResourceFake("azure-native:containerservice:AgentPool", (args, ctx) => ({
  id: `/subscriptions/${subscriptionOf(ctx)}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.ContainerService/managedClusters/${String(args.inputs.resourceName)}/agentPools/${String(args.inputs.agentPoolName)}`,
  state: { name: args.inputs.agentPoolName, provisioningState: "Succeeded" },
}));

registerResourceFake("azure-native:managedidentity:UserAssignedIdentity", (args, ctx) => {
  const sub = providerSubscription(args) ?? subscriptionOf(ctx);
  const name = String(args.inputs.resourceName ?? args.name);
  return {
    id: armId(ctx, args, "Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName", sub),
    state: { name, clientId: fakeGuid(ctx.stack, name, "client"), principalId: fakeGuid(ctx.stack, name, "principal"), tenantId: tenantOf(ctx) },
  };
});

registerResourceFake("azure-native:managedidentity:FederatedIdentityCredential", (args, ctx) => ({
  id: `/subscriptions/${subscriptionOf(ctx)}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${String(args.inputs.resourceName)}/federatedIdentityCredentials/${String(args.inputs.federatedIdentityCredentialResourceName ?? args.name)}`,
  state: {},
}));

registerResourceFake("azure-native:operationalinsights:Workspace", (args, ctx) => ({
  id: armId(ctx, args, "Microsoft.OperationalInsights/workspaces", "workspaceName", providerSubscription(args)),
  state: { name: args.inputs.workspaceName, customerId: fakeGuid(ctx.stack, args.name, "customer") },
}));

registerResourceFake("azure-native:authorization:RoleAssignment", (args) => ({
  id: `${String(args.inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${String(args.inputs.roleAssignmentName)}`,
  state: {},
}));

registerResourceFake("azure-native:authorization:RoleDefinition", (args) => ({
  id: `${String(args.inputs.scope)}/providers/Microsoft.Authorization/roleDefinitions/${String(args.inputs.roleDefinitionId)}`,
  state: {},
}));

/**
 * Features the fake subscription has not registered (`<namespace>/<feature>`); empty: every
 * feature the cluster's preflight reads is Registered. Tests add to it to see the preflight fail.
 */
export const UNREGISTERED_FEATURES = new Set<string>();

registerCallFake("azure-native:features:getSubscriptionFeatureRegistration", (args, ctx) => {
  const ns = String(args.inputs.providerNamespace);
  const feature = String(args.inputs.featureName);
  const state = UNREGISTERED_FEATURES.has(`${ns}/${feature}`) ? "NotRegistered" : "Registered";
  return {
    id: `/subscriptions/${subscriptionOf(ctx)}/providers/Microsoft.Features/featureProviders/${ns}/subscriptionFeatureRegistrations/${feature}`,
    name: feature,
    type: "Microsoft.Features/featureProviders/subscriptionFeatureRegistrations",
    properties: { featureName: feature, providerNamespace: ns, state },
  };
});

/**
 * Resource provider registrations of the fake subscriptions that are not `Registered`, by
 * {@link providerKey}. Empty: every provider is Registered in every subscription, which is what
 * the shipped stacks assume (docs/environment.md, "Before the first deployment"). Tests set
 * `NotRegistered` or `Registering` to see the cluster's preflight fail.
 */
export const PROVIDER_STATES = new Map<string, string>();

/** Subscriptions where the fake deployer has no subscription-scope read: Providers - Get answers 403. */
export const UNREADABLE_SUBSCRIPTIONS = new Set<string>();

export function providerKey(subscriptionId: string, namespace: string): string {
  return `${subscriptionId}/${namespace}`.toLowerCase();
}

/** The bearer token the fake azure-native provider hands out (tests check it is stored nowhere). */
export const OFFLINE_ARM_TOKEN = "offline-synth-arm-token.7b1f0e2c";

registerCallFake("azure-native:authorization:getClientToken", () => ({ token: OFFLINE_ARM_TOKEN }));

// ARM's Providers - Get, as the fake subscriptions answer it (a `Provider`, or a `CloudError`).
registerCallFake(PROVIDERS_GET, (args): ArmAnswer & Record<string, unknown> => {
  const sub = String(args.inputs.subscriptionId);
  const ns = String(args.inputs.resourceProviderNamespace);
  if (UNREADABLE_SUBSCRIPTIONS.has(sub.toLowerCase())) {
    return {
      status: 403,
      body: { error: { code: "AuthorizationFailed", message: `The client 'offline-deployer' does not have authorization to perform action 'Microsoft.Resources/subscriptions/providers/read' over scope '/subscriptions/${sub}' or the scope is invalid.` } },
    };
  }
  const state = PROVIDER_STATES.get(providerKey(sub, ns)) ?? "Registered";
  return { status: 200, body: { id: `/subscriptions/${sub}/providers/${ns}`, namespace: ns, registrationState: state, registrationPolicy: "RegistrationRequired", resourceTypes: [] } };
});

// The program's provider-registration reads go to the fake subscriptions, recorded in the plan;
// the token the program passes is not forwarded anywhere.
setDefaultProviderReader(async (req) =>
  interpretProvidersGet(directCall(PROVIDERS_GET, { subscriptionId: req.subscriptionId, resourceProviderNamespace: req.namespace, apiVersion: PROVIDERS_API_VERSION }) as unknown as ArmAnswer),
);

registerResourceFake("azure-native:monitor:DiagnosticSetting", (args) => ({
  id: `${String(args.inputs.resourceUri)}/providers/Microsoft.Insights/diagnosticSettings/${String(args.inputs.name)}`,
  state: {},
}));

/** What AKS returns for an Entra ID cluster with local accounts disabled (`format: exec`). */
export function fakeAksUserKubeconfig(opts: { cluster: string; server: string; tenantId: string; resourceGroup: string }): string {
  const user = `clusterUser_${opts.resourceGroup}_${opts.cluster}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: opts.cluster, cluster: { server: opts.server, "certificate-authority-data": Buffer.from("offline-synth-ca").toString("base64") } }],
    contexts: [{ name: opts.cluster, context: { cluster: opts.cluster, user } }],
    "current-context": opts.cluster,
    preferences: {},
    users: [
      {
        name: user,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "kubelogin",
            args: ["get-token", "--environment", "AzurePublicCloud", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a", "--tenant-id", opts.tenantId, "--login", "devicecode"],
            env: null,
            installHint: "kubelogin is not installed",
            provideClusterInfo: false,
          },
        },
      },
    ],
  });
}

registerCallFake("azure-native:containerservice:listManagedClusterUserCredentials", (args, ctx) => {
  const cluster = String(args.inputs.resourceName);
  const kubeconfig = fakeAksUserKubeconfig({
    cluster,
    resourceGroup: String(args.inputs.resourceGroupName),
    tenantId: tenantOf(ctx),
    server: `https://${cluster}-${fakeGuid(ctx.stack, cluster, "fqdn").slice(0, 8)}.privatelink.example.azmk8s.io:443`,
  });
  return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
});
