/**
 * Config errors. Every problem names the config key, the value found and what is expected;
 * all problems in a stack are reported together.
 */
export interface ConfigIssue {
  /** Full key path as an operator would type it, e.g. `k8tre:cluster.podCidr`. */
  readonly key: string;
  /** The offending value (undefined when a required key is missing). */
  readonly value: unknown;
  /** What is expected, phrased to complete "expected ...". */
  readonly expected: string;
  /** The stack the issue belongs to, when the check spans stacks. */
  readonly stack?: string;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.stack ? `[${issue.stack}] ` : "";
  return `${where}${issue.key}: got ${describeValue(issue.value)}; expected ${issue.expected}`;
}

/**
 * Thrown before any resource is declared. This module stays free of the Pulumi SDK so the
 * validator is cheap to test; the entry point rethrows it as `pulumi.RunError`, which the
 * Pulumi Node.js runtime prints without a stack trace and turns into a non-zero exit.
 */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[], readonly stack?: string) {
    super(ConfigError.render(issues, stack));
    this.name = "ConfigError";
  }

  static render(issues: readonly ConfigIssue[], stack?: string): string {
    const head = `Invalid configuration${stack ? ` for stack "${stack}"` : ""}: ${issues.length} problem${issues.length === 1 ? "" : "s"}`;
    return [head, ...issues.map((i) => `  - ${formatIssue(i)}`)].join("\n");
  }
}
