/**
 * Fakes for the network stack: realistic ARM IDs in the subscription of the resource's own
 * provider, public IP address and FQDN, the vault URI, and the management-plane secret read that
 * checks a gateway certificate exists. (Identities and role assignments: fakes/cluster.ts.)
 */
import type * as pulumi from "@pulumi/pulumi";
import { setDefaultWatcherCheck } from "../../../components/azure/network/flowLogs";
import { type FakeContext, fakeGuid, registerCallFake, registerResourceFake, subscriptionOf } from "../fakes";

/** The subscription of the explicit provider a resource was registered with (`azure-<subscription>`). */
function subscriptionFor(args: { provider?: string }, ctx: FakeContext): string {
  return /azure-([0-9a-fA-F-]{36})/.exec(String(args.provider ?? ""))?.[1] ?? subscriptionOf(ctx);
}

function idOf(args: pulumi.runtime.MockResourceArgs, ctx: FakeContext, type: string, nameKey: string, parentPath?: string): string {
  const rg = String(args.inputs.resourceGroupName ?? `rg-${args.name}`);
  const name = String(args.inputs[nameKey] ?? args.name);
  return `/subscriptions/${subscriptionFor(args, ctx)}/resourceGroups/${rg}/providers/${type}/${parentPath ? `${parentPath}/` : ""}${name}`;
}

/** Registers a fake whose ID is the resource's ARM ID and whose `name` output is its Azure name. */
function armResource(type: string, armType: string, nameKey: string, extra?: (args: pulumi.runtime.MockResourceArgs, ctx: FakeContext, id: string) => Record<string, unknown>) {
  registerResourceFake(type, (args, ctx) => {
    const id = idOf(args, ctx, armType, nameKey);
    return { id, state: { name: String(args.inputs[nameKey] ?? args.name), ...(extra ? extra(args, ctx, id) : {}) } };
  });
}

armResource("azure-native:network:VirtualNetwork", "Microsoft.Network/virtualNetworks", "virtualNetworkName");
/** A subnet's ID sits under its VNet's (`virtualNetworkName` is the VNet's output name). */
registerResourceFake("azure-native:network:Subnet", (args, ctx) => {
  const vnet = idOf(args, ctx, "Microsoft.Network/virtualNetworks", "virtualNetworkName");
  const name = String(args.inputs.subnetName ?? args.name);
  return { id: `${vnet}/subnets/${name}`, state: { name } };
});
armResource("azure-native:network:NetworkSecurityGroup", "Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName");
armResource("azure-native:network:RouteTable", "Microsoft.Network/routeTables", "routeTableName");
registerResourceFake("azure-native:network:VirtualNetworkPeering", (args, ctx) => {
  const vnet = idOf(args, ctx, "Microsoft.Network/virtualNetworks", "virtualNetworkName");
  const name = String(args.inputs.virtualNetworkPeeringName ?? args.name);
  return { id: `${vnet}/virtualNetworkPeerings/${name}`, state: { name, peeringState: "Connected" } };
});
armResource("azure-native:privatedns:PrivateZone", "Microsoft.Network/privateDnsZones", "privateZoneName");
registerResourceFake("azure-native:privatedns:VirtualNetworkLink", (args, ctx) => {
  const zone = idOf(args, ctx, "Microsoft.Network/privateDnsZones", "privateZoneName");
  const name = String(args.inputs.virtualNetworkLinkName ?? args.name);
  return { id: `${zone}/virtualNetworkLinks/${name}`, state: { name, virtualNetworkLinkState: "Completed" } };
});
armResource("azure-native:network:PublicIPAddress", "Microsoft.Network/publicIPAddresses", "publicIpAddressName", (args) => {
  const label = (args.inputs.dnsSettings as { domainNameLabel?: string } | undefined)?.domainNameLabel;
  const octet = parseInt(fakeGuid(args.name).slice(0, 2), 16);
  return {
    ipAddress: `20.90.${octet}.${(octet * 7) % 250 + 1}`,
    dnsSettings: label ? { domainNameLabel: label, fqdn: `${label}.${String(args.inputs.location ?? "uksouth")}.cloudapp.azure.com` } : undefined,
  };
});
armResource("azure-native:network:WebApplicationFirewallPolicy", "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "policyName");
armResource("azure-native:network:ApplicationGateway", "Microsoft.Network/applicationGateways", "applicationGatewayName", () => ({ operationalState: "Running" }));
armResource("azure-native:keyvault:Vault", "Microsoft.KeyVault/vaults", "vaultName", (args) => ({
  properties: { ...(args.inputs.properties as Record<string, unknown>), vaultUri: `https://${String(args.inputs.vaultName)}.vault.azure.net/` },
}));
/** The certificate the operator imported (management plane: metadata only, never the value). */
registerCallFake("azure-native:keyvault:getSecret", (args, ctx) => {
  const vault = String(args.inputs.vaultName);
  const secret = String(args.inputs.secretName);
  return {
    azureApiVersion: "2024-11-01",
    id: `/subscriptions/${subscriptionFor(args, ctx)}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.KeyVault/vaults/${vault}/secrets/${secret}`,
    name: secret,
    location: "uksouth",
    type: "Microsoft.KeyVault/vaults/secrets",
    tags: {},
    properties: {
      contentType: "application/x-pkcs12",
      secretUri: `https://${vault}.vault.azure.net/secrets/${secret}/${fakeGuid(vault, secret).replace(/-/g, "")}`,
      secretUriWithVersion: `https://${vault}.vault.azure.net/secrets/${secret}/${fakeGuid(vault, secret).replace(/-/g, "")}`,
      attributes: { enabled: true },
    },
  };
});
/** A flow log is a child of the regional Network Watcher (networkWatchers/flowLogs). */
registerResourceFake("azure-native:network:FlowLog", (args, ctx) => {
  const watcher = idOf(args, ctx, "Microsoft.Network/networkWatchers", "networkWatcherName");
  const name = String(args.inputs.flowLogName ?? args.name);
  return { id: `${watcher}/flowLogs/${name}`, state: { name, targetResourceGuid: fakeGuid(String(args.inputs.targetResourceId)) } };
});

/**
 * Network Watchers the fake subscriptions do not have, by {@link watcherKey}. Empty: every
 * subscription has its region's watcher where the flow logs look for it (what Azure's automatic
 * enablement gives, docs/network.md "Before the first deployment"). Tests add to it to see the
 * flow logs' preflight fail.
 */
export const MISSING_WATCHERS = new Set<string>();

export function watcherKey(subscriptionId: string, resourceGroupName: string, networkWatcherName: string): string {
  return `${subscriptionId}/${resourceGroupName}/${networkWatcherName}`.toLowerCase();
}

/**
 * Network Watchers - Get, as azure-native answers it: the watcher, or the Azure SDK's response
 * error text for ARM's 404 (carried in `details`, where the Pulumi SDK reads a failed invoke's
 * message from).
 */
registerCallFake("azure-native:network:getNetworkWatcher", (args, ctx) => {
  const sub = subscriptionFor(args, ctx);
  const rg = String(args.inputs.resourceGroupName);
  const name = String(args.inputs.networkWatcherName);
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkWatchers/${name}`;
  if (MISSING_WATCHERS.has(watcherKey(sub, rg, name))) {
    const sep = "-".repeat(80);
    const body = JSON.stringify({ error: { code: "ResourceNotFound", message: `The Resource 'Microsoft.Network/networkWatchers/${name}' under resource group '${rg}' was not found.` } }, null, 2);
    const text = [`GET https://management.azure.com${id}`, sep, "RESPONSE 404: 404 Not Found", "ERROR CODE: ResourceNotFound", sep, body, sep].join("\n");
    throw Object.assign(new Error(text), { details: text });
  }
  const location = name.replace(/^NetworkWatcher_/i, "");
  return { azureApiVersion: "2024-05-01", etag: `W/"${fakeGuid(id)}"`, id, location, name, provisioningState: "Succeeded", type: "Microsoft.Network/networkWatchers", tags: {} };
});

// A watcher the fake subscription lacks stays missing: re-read it without pausing.
setDefaultWatcherCheck({ delayMs: 0 });
