/**
 * The `gateway` stack (Azure only): the public WAF gateway in front of every environment's
 * internal gateway, the private vault its TLS certificates come from (with its private endpoint in
 * the hub) and the workspace their logs go to. It reads the network stack's outputs (the App
 * Gateway subnet, the hub endpoint subnet, the vault's private DNS zone, the source allow-list) and
 * nothing reads it: no cluster stack waits for it (docs/adr/0006-gateway-stack.md). The logical
 * and Azure names are those the network stack used before the split, so a deployed gateway moves
 * here with `pulumi state move` (docs/network.md, "Moving the gateway to its own stack").
 */
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { PublicGateway } from "../../components/azure/gateway/appGateway";
import { CertificateVault, verifiedCertificateIds } from "../../components/azure/gateway/certificateVault";
import { logWorkspace } from "../../components/azure/monitoring/workspace";
import { parseArmId } from "../../components/azure/network/armId";
import type { StackContext, StackOutputs } from "../context";

/** What the gateway stack reads from its network stack (stacks/network/azure.ts outputs). */
export interface GatewayNetworkRefs {
  readonly gatewaySubnetId: pulumi.Output<string>;
  /** Only read when this stack creates the vault (its private endpoint goes there). */
  readonly hubEndpointSubnetId?: pulumi.Output<string>;
  readonly vaultZoneId: pulumi.Output<string>;
  readonly allowedSourceCidrs: pulumi.Output<string[]>;
}

/**
 * The network stack's outputs, each checked where a wrong value would deploy something wrong: the
 * gateway subnet must be in the subscription this stack's provider targets (the provider is built
 * from config, known at program time; config/project.ts checks the same across stack files, this
 * catches a network stack deployed from other config). The resource group waits for the check, so
 * it fails the preview before anything is created.
 */
export function readGatewayNetwork(ctx: StackContext, subscriptionId: string, needsEndpoint: boolean): GatewayNetworkRefs {
  const ref = ctx.stackRef("network");
  const network = ctx.stackRefName("network");
  const key = ctx.config.azure!.connectivitySubscriptionId ? "connectivitySubscriptionId" : "subscriptionId";
  const gatewaySubnetId = (ref.requireOutput("gatewaySubnetId") as pulumi.Output<string>).apply((id) => {
    const problem = subnetSubscriptionProblem(id, subscriptionId, { stack: ctx.stack, key, network });
    if (problem) throw new pulumi.RunError(problem);
    return id;
  });
  return {
    gatewaySubnetId,
    ...(needsEndpoint ? { hubEndpointSubnetId: ref.requireOutput("hubEndpointSubnetId") as pulumi.Output<string> } : {}),
    vaultZoneId: (ref.requireOutput("privateDnsZoneIds") as pulumi.Output<Record<string, string>>).apply((z) => z.vault),
    allowedSourceCidrs: ref.requireOutput("gatewayAllowedSourceCidrs") as pulumi.Output<string[]>,
  };
}

/** Why the gateway subnet `subnetId` cannot be used with a provider for `subscriptionId` (pure; undefined: it can). */
export function subnetSubscriptionProblem(subnetId: string, subscriptionId: string, where: { stack: string; key: string; network: string }): string | undefined {
  const sub = parseArmId(subnetId).subscriptionId;
  if (sub.toLowerCase() === subscriptionId.toLowerCase()) return undefined;
  return (
    `stack ${where.stack} (Pulumi.${where.stack}.yaml): k8tre:azure.${where.key} is ${subscriptionId}, but the App Gateway subnet of network stack ${where.network} ` +
    `is in subscription ${sub} (${subnetId}); an Application Gateway lives in its subnet's subscription: set it to ${sub}`
  );
}

export function buildGatewayStack(ctx: StackContext): StackOutputs {
  const c = ctx.config;
  const g = c.gateway!;
  const naming = ctx.naming;
  const location = c.location!;
  const tags = ctx.tags;
  // The gateway lives in the subscription of its subnet: the hub's (checked across stack files and above).
  const subscriptionId = ctx.connectivitySubscriptionId;
  const gatewayProvider = ctx.connectivityProvider();
  const net = readGatewayNetwork(ctx, subscriptionId, !g.certificateVaultId);

  const rgName = naming.resourceGroup("gateway");
  const rg = new resources.ResourceGroup(
    "gateway-rg",
    // The name waits for the subnet's subscription check, and every resource here for the group:
    // with a mismatch nothing is created (the preview fails).
    { resourceGroupName: net.gatewaySubnetId.apply(() => rgName), location, tags },
    // Holds the certificate vault when this stack creates it.
    { provider: gatewayProvider, protect: !g.certificateVaultId },
  );
  // Resource logs of the gateway and the certificate vault: a landing-zone workspace, or one here.
  const workspaceId = g.logAnalyticsWorkspaceId
    ? pulumi.output(g.logAnalyticsWorkspaceId)
    : logWorkspace(
        "logs",
        // Named as when the network stack held it (`net`), so a moved workspace keeps its name.
        { workspaceName: naming.resource("log", "net"), resourceGroupName: rgName, location, retentionInDays: g.logRetentionDays, tags },
        { provider: gatewayProvider, dependsOn: [rg] },
      ).id;
  const vaultSubscriptionId = g.certificateVaultId ? parseArmId(g.certificateVaultId).subscriptionId : subscriptionId;
  const vaultProvider = ctx.azureProvider(vaultSubscriptionId);
  const vault = new CertificateVault(
    "certs",
    g.certificateVaultId
      ? { mode: "existing", vaultId: g.certificateVaultId }
      : {
          mode: "create",
          vaultName: naming.keyVault("cert"),
          subscriptionId,
          resourceGroupName: rgName,
          resourceGroup: rg,
          location,
          tenantId: c.azure!.tenantId,
          // Private: reachable only through this endpoint in the hub (issue 10 item 8).
          privateEndpoint: { name: naming.resource("pe", "certvault"), subnetId: net.hubEndpointSubnetId!, vaultZoneId: net.vaultZoneId },
          logAnalyticsWorkspaceId: workspaceId,
          tags,
        },
    { provider: vaultProvider },
  );
  const refs = g.listeners.map((l, i) => ({ key: `k8tre:gateway.listeners.${i}.certificateSecretName`, environment: l.environment, secretName: l.certificateSecretName }));
  const gateway = new PublicGateway(
    "gateway",
    {
      enabled: g.enabled,
      subscriptionId,
      resourceGroupName: rgName,
      resourceGroup: rg,
      location,
      names: {
        gateway: naming.resource("agw"),
        publicIp: naming.resource("pip", "agw"),
        dnsLabel: naming.dnsLabel("appgw"),
        wafPolicy: naming.resource("waf"),
        identity: naming.resource("id", "agw"),
      },
      subnetId: net.gatewaySubnetId,
      zones: g.zones,
      minCapacity: g.minCapacity,
      maxCapacity: g.maxCapacity,
      wafMode: g.wafMode,
      wafDetectionReason: g.wafDetectionReason,
      // One source of truth: the network stack's k8tre:network.gatewayAllowedSourceCidrs (also its NSG).
      allowedSourceCidrs: net.allowedSourceCidrs,
      domain: c.domain,
      listeners: g.listeners,
      certificateVault: { id: vault.vaultId, provider: vaultProvider },
      // Checked only when the gateway is deployed: before that, the vault may still be empty.
      certificateSecretIds: g.enabled ? verifiedCertificateIds(vault, refs, vaultProvider) : {},
      logAnalyticsWorkspaceId: workspaceId,
      tags,
    },
    { provider: gatewayProvider },
  );
  return {
    gatewayPublicIp: gateway.publicIp,
    gatewayFqdn: gateway.fqdn,
    certificateVaultId: vault.vaultId,
    certificateVaultUri: vault.vaultUri,
    logAnalyticsWorkspaceId: workspaceId,
  };
}
