/**
 * Resource logs to Log Analytics: one diagnostic setting per audited resource (Key Vaults, the
 * Application Gateway), sending the categories an auditor asks for. The categories are Azure's
 * documented names per resource type; the policy pack (policy/rules.ts,
 * "diagnostics-to-log-analytics") checks the same table.
 */
import * as monitor from "@pulumi/azure-native/monitor";
import type * as pulumi from "@pulumi/pulumi";
import { DIAGNOSTIC_LOG_CATEGORIES, type DiagnosedResourceKind } from "../../../policy/rules";

export { DIAGNOSTIC_LOG_CATEGORIES, type DiagnosedResourceKind };

/** The name of every diagnostic setting this program creates (one per resource). */
export const DIAGNOSTIC_SETTING_NAME = "k8tre-log-analytics";

export interface ResourceLogsArgs {
  /** What kind of resource: picks the log categories. */
  readonly kind: DiagnosedResourceKind;
  /** The resource's ARM ID. */
  readonly resourceId: pulumi.Input<string>;
  /** The Log Analytics workspace's ARM ID. */
  readonly workspaceId: pulumi.Input<string>;
}

/** The `logs` entries of a diagnostic setting for a kind of resource (pure). */
export function diagnosticLogs(kind: DiagnosedResourceKind): Array<{ category: string; enabled: boolean }> {
  return DIAGNOSTIC_LOG_CATEGORIES[kind].map((category) => ({ category, enabled: true }));
}

/**
 * A diagnostic setting sending `kind`'s resource logs to the workspace. Pass the audited resource
 * as `parent` (or its component) and nothing else needs to depend on it: it gates no other resource.
 */
export function sendResourceLogs(name: string, args: ResourceLogsArgs, opts: pulumi.CustomResourceOptions): monitor.DiagnosticSetting {
  return new monitor.DiagnosticSetting(
    name,
    {
      name: DIAGNOSTIC_SETTING_NAME,
      resourceUri: args.resourceId,
      workspaceId: args.workspaceId,
      logs: diagnosticLogs(args.kind),
    },
    opts,
  );
}
