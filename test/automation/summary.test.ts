import * as fs from "node:fs";
import * as path from "node:path";
import { PULUMI_CLI_VERSION } from "../../automation/constants";
import { changesFromOpMap, EventCollector, formatEvent, stripColor } from "../../automation/events";
import type { RunSummary, StackResult } from "../../automation/runner";
import { cell, formatDuration, MAX_MARKDOWN_CHARS, redactUrl, renderJson, renderMarkdown } from "../../automation/summary";
import { event, summaryEvent } from "./helpers";

function result(stack: string, overrides: Partial<StackResult> = {}): StackResult {
  return {
    stack,
    kind: "environment",
    role: "requested",
    status: "succeeded",
    operations: ["preview"],
    changes: { create: 0, update: 0, delete: 0, replace: 0, same: 0 },
    durationMs: 1500,
    policyViolations: [],
    errors: [],
    ...overrides,
  };
}

function run(stacks: StackResult[], overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    command: "preview",
    project: "k8tre",
    backend: "azblob://state?storage_account=k8tre",
    startedAt: "2026-01-01T00:00:00.000Z",
    plan: { units: stacks.map((r) => ({ id: r.stack, stack: r.stack, pass: "main" as const, waitsFor: [], lateRefs: [] })), waves: [stacks.map((r) => r.stack)] },
    durationMs: 83_000,
    parallel: 2,
    ok: stacks.every((s) => s.status === "succeeded" || s.status === "unchanged"),
    stacks,
    notes: [],
    ...overrides,
  };
}

describe("renderMarkdown", () => {
  it("renders one row per stack with change counts, policy count, duration and status", () => {
    const md = renderMarkdown(
      run([
        result("network", { kind: "network", role: "dependency", status: "unchanged", note: "up to date (preview shows no changes); up skipped", changes: { create: 0, update: 0, delete: 0, replace: 0, same: 12 } }),
        result("dev", { changes: { create: 3, update: 1, delete: 2, replace: 1, same: 40 }, durationMs: 65_000 }),
      ]),
    );
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- k8tre-deploy:preview -->");
    expect(lines[1]).toBe("### ✅ K8TRE `preview`: 1 succeeded, 1 up to date");
    expect(md).toContain("Project `k8tre` · backend `azblob://state?storage_account=k8tre` · 1m 23s · up to 2 stacks at once");
    expect(md).toContain("| Stack | Kind | Status | Ran | Create | Update | Delete | Replace | Same | Policy | Duration |");
    expect(md).toContain(
      "| `network` <sub>(dependency)</sub> | network | ✅ up to date<br><sub>up to date (preview shows no changes); up skipped</sub> | preview | 0 | 0 | 0 | 0 | 12 | 0 | 1.5s |",
    );
    expect(md).toContain("| `dev` | environment | ✅ succeeded | preview | 3 | 1 | 2 | 1 | 40 | 0 | 1m 05s |");
    expect(md).not.toContain("#### Errors");
    expect(md).not.toContain("#### Policy violations");
  });

  it("shows failures, skipped stacks, error details and notes", () => {
    const md = renderMarkdown(
      run(
        [
          result("mgmt", { kind: "management", status: "failed", operations: ["up"], errors: ["pulumi up failed for stack mgmt with exit code 255", "error: quota ```exceeded```\nsecond line"] }),
          result("dev", { status: "skipped", operations: [], note: "not run: its dependency mgmt did not succeed" }),
        ],
        { command: "up", notes: ["Pulumi.dev.yaml: reference to <other> project"] },
      ),
    );
    expect(md).toContain("### ❌ K8TRE `up`: 1 failed, 1 skipped");
    expect(md).toContain("| `dev` | environment | ⏭️ skipped<br><sub>not run: its dependency mgmt did not succeed</sub> | – | – | – | – | – | – | – | – |");
    expect(md).toContain("<details><summary><code>mgmt</code>: pulumi up failed for stack mgmt with exit code 255</summary>");
    expect(md).toContain("```text\npulumi up failed for stack mgmt with exit code 255\nerror: quota `\u200b``exceeded`\u200b``\nsecond line\n```");
    expect(md).toContain("#### Notes\n\n- Pulumi.dev.yaml: reference to &lt;other&gt; project");
  });

  it("lists policy violations with escaped cells", () => {
    const md = renderMarkdown(
      run([
        result("dev", {
          policyViolations: [{ policyPack: "k8tre", policy: "no-lb", enforcementLevel: "mandatory", message: "no <LoadBalancer> | services", resourceUrn: "urn:pulumi:dev::k8tre::kubernetes:core/v1:Service::ingress" }],
          status: "failed",
          errors: ["preview failed"],
        }),
      ]),
    );
    expect(md).toContain("| `dev` | environment | ❌ failed | preview | 0 | 0 | 0 | 0 | 0 | ⚠️ 1 | 1.5s |");
    expect(md).toContain("| `dev` | mandatory | `k8tre/no-lb` | ingress | no &lt;LoadBalancer&gt; \\| services |");
  });

  it("lists outputs (secrets masked) for the outputs command", () => {
    const md = renderMarkdown(run([result("network", { operations: ["outputs"], outputs: { hubVnetId: { value: "/subs/1/vnet", secret: false }, key: { value: "s3cr3t", secret: true } } })], { command: "outputs" }));
    expect(md).toContain('| `network` | `hubVnetId` | "/subs/1/vnet" |');
    expect(md).toContain("| `network` | `key` | [secret] |");
    expect(md).not.toContain("s3cr3t");
  });

  it("stays under GitHub's comment size limit", () => {
    const errors = [Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(40)}`).join("\n")];
    const many = Array.from({ length: 400 }, (_, i) => result(`env${i}`, { status: "failed", errors }));
    const md = renderMarkdown(run(many));
    expect(md.length).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS + 100);
    expect(md).toContain("_Summary truncated; see the JSON summary artifact._");
    expect(md).toContain("… 4975 more line(s)");
  });
});

describe("renderJson", () => {
  it("is machine-readable, masks secret outputs and redacts backend credentials", () => {
    const json = JSON.parse(
      renderJson(
        run([result("network", { outputs: { a: { value: 1, secret: false }, b: { value: "pw", secret: true } } })], {
          backend: "azblob://c?storage_account=s&sig=abc123&sv=2024",
        }),
      ),
    );
    expect(json.backend).toBe("azblob://c?storage_account=s&sig=***&sv=2024");
    expect(json.stacks[0].outputs).toEqual({ a: 1, b: "[secret]" });
    expect(json).toMatchObject({ command: "preview", project: "k8tre", ok: true, parallel: 2, durationMs: 83000 });
  });
});

describe("helpers", () => {
  it("formats durations", () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(61_000), formatDuration(3_600_000)]).toEqual(["850ms", "12.3s", "1m 01s", "60m 00s"]);
  });

  it("escapes table cells", () => {
    expect(cell("a|b\nc <d> & e")).toBe("a\\|b c &lt;d&gt; &amp; e");
  });

  it("redacts secret query parameters only", () => {
    expect(redactUrl("s3://bucket?region=x&access_key=AKIA&token=t")).toBe("s3://bucket?region=x&access_key=***&token=***");
    expect(redactUrl("file:///tmp/state")).toBe("file:///tmp/state");
  });
});

describe("events", () => {
  it("folds engine op counts into create/update/delete/replace/same", () => {
    expect(changesFromOpMap({ create: 1, import: 2, update: 3, delete: 4, replace: 5, "create-replacement": 5, "delete-replaced": 5, same: 6, read: 7 })).toEqual({
      create: 3,
      update: 3,
      delete: 4,
      replace: 5,
      same: 6,
    });
  });

  it("collects changes (summary event first, step events as fallback), errors and violations", () => {
    const c = new EventCollector();
    c.add(event({ resourcePreEvent: { metadata: { op: "create", urn: "u1", type: "t", provider: "" } } }));
    c.add(event({ resourcePreEvent: { metadata: { op: "replace", urn: "u2", type: "t", provider: "" } } }));
    expect(c.changes()).toEqual({ create: 1, update: 0, delete: 0, replace: 1, same: 0 });
    c.add(event({ diagnosticEvent: { message: "<{%fg 1%}>boom<{%reset%}>\n", color: "raw", severity: "error" } }));
    c.add(event({ diagnosticEvent: { message: "just a warning", color: "raw", severity: "warning" } }));
    c.add(summaryEvent({ create: 4, same: 2 }));
    expect(c.changes()).toEqual({ create: 4, update: 0, delete: 0, replace: 0, same: 2 });
    expect(c.errors).toEqual(["boom"]);
  });

  it("formats events for streaming and drops noise", () => {
    expect(formatEvent(event({ resourcePreEvent: { metadata: { op: "update", urn: "urn:pulumi:dev::k8tre::a:b:C::name", type: "a:b:C", provider: "" } } }))).toBe("~ update   a:b:C name");
    expect(formatEvent(event({ resOpFailedEvent: { metadata: { op: "create", urn: "urn:pulumi:dev::k8tre::a:b:C::n", type: "a:b:C", provider: "" }, status: 1, steps: 1 } }))).toBe("✗ create   a:b:C n failed");
    expect(formatEvent(event({ diagnosticEvent: { message: "progress", color: "raw", severity: "info#err", ephemeral: true } }))).toBeUndefined();
    expect(formatEvent(event({ preludeEvent: { config: {} } }))).toBeUndefined();
    expect(stripColor("\u001b[31mred\u001b[0m <{%bold%}>b<{%reset%}>")).toBe("red b");
  });
});

describe("CLI version pin", () => {
  it("matches the @pulumi/pulumi SDK version in package.json and node_modules", () => {
    const root = path.resolve(__dirname, "../..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    const sdk = JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8"));
    expect(pkg.dependencies["@pulumi/pulumi"]).toBe(PULUMI_CLI_VERSION);
    expect(sdk.version).toBe(PULUMI_CLI_VERSION);
  });
});
