/**
 * A Log Analytics workspace for resource logs, private for queries. Used by the gateway stack for
 * the gateway's and the certificate vault's logs, and by each cluster for its audit logs
 * (components/azure/cluster).
 */
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import type * as pulumi from "@pulumi/pulumi";

export interface LogWorkspaceArgs {
  readonly workspaceName: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly retentionInDays: number;
  /** Allow queries from public networks (a cluster's `k8tre:cluster.logPublicQuery`; default: private). */
  readonly publicQuery?: boolean;
  readonly tags?: Record<string, string>;
}

/** The workspace's settings (pure): what the tests and the docs check. */
export function logWorkspaceSettings(args: LogWorkspaceArgs): operationalinsights.WorkspaceArgs {
  return {
    workspaceName: args.workspaceName,
    resourceGroupName: args.resourceGroupName,
    location: args.location,
    sku: { name: "PerGB2018" },
    retentionInDays: args.retentionInDays,
    // Entra ID only; readers need permissions on the logged resources (or the workspace).
    features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
    // Queries only through a private link (built-in policy "Log Analytics workspaces should block
    // log ingestion and querying from public networks",
    // https://learn.microsoft.com/azure/azure-monitor/logs/private-link-security). Ingestion stays
    // enabled: the Defender sensor on a cluster's nodes sends to the ingestion endpoint, which
    // without an Azure Monitor Private Link Scope (not part of this design) is only reachable
    // publicly; resource logs arrive through diagnostic settings either way (docs/network.md,
    // "Logs"; docs/environment.md).
    publicNetworkAccessForQuery: args.publicQuery ? "Enabled" : "Disabled",
    publicNetworkAccessForIngestion: "Enabled",
    tags: args.tags,
  };
}

/** Creates the workspace, protected: it holds the audit trail. */
export function logWorkspace(name: string, args: LogWorkspaceArgs, opts: pulumi.CustomResourceOptions): operationalinsights.Workspace {
  return new operationalinsights.Workspace(name, logWorkspaceSettings(args), { ...opts, protect: true });
}
