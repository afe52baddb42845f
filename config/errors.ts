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
  /** What was found, when it is not a value (e.g. "a YAML syntax error"); replaces the value in messages. */
  readonly got?: string;
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
  return `${where}${issue.key}: got ${issue.got ?? describeValue(issue.value)}; expected ${issue.expected}`;
}

/**
 * Thrown before any resource is declared. This module stays free of the Pulumi SDK so the
 * validator is cheap to test; the entry point rethrows it as `pulumi.RunError`, which the
 * Pulumi Node.js runtime prints without a stack trace and turns into a non-zero exit.
 */
export class ConfigError extends Error {
  /**
   * @param stack the stack the problems belong to
   * @param file the stack file to edit (e.g. `Pulumi.dev.yaml`), when known
   */
  constructor(readonly issues: readonly ConfigIssue[], readonly stack?: string, readonly file?: string) {
    if (issues.length === 0) throw new Error("ConfigError needs at least one problem");
    super(ConfigError.render(issues, stack, file));
    this.name = "ConfigError";
  }

  static render(issues: readonly ConfigIssue[], stack?: string, file?: string): string {
    const where = stack ? ` for stack "${stack}"${file ? ` (${file})` : ""}` : file ? ` in ${file}` : "";
    const head = `Invalid configuration${where}: ${issues.length} problem${issues.length === 1 ? "" : "s"}`;
    // An issue of this stack needs no [stack] prefix under this heading.
    return [head, ...issues.map((i) => `  - ${formatIssue(i.stack === stack ? { ...i, stack: undefined } : i)}`)].join("\n");
  }
}
