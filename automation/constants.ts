/**
 * The Pulumi CLI version this runner drives. Keep it equal to the `@pulumi/pulumi` SDK version in
 * package.json (a test enforces this): the Automation API SDK and the CLI are released together.
 */
export const PULUMI_CLI_VERSION = "3.270.0";

/** Marker that identifies the runner's PR comment / step-summary section (one per command). */
export const SUMMARY_MARKER_PREFIX = "k8tre-deploy";
