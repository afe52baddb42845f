/**
 * Markdown and JSON renderings of a {@link RunSummary}. The Markdown suits `$GITHUB_STEP_SUMMARY`
 * and a PR comment (it starts with a hidden marker so a workflow can update its own comment).
 */
import { SUMMARY_MARKER_PREFIX } from "./constants";
import { CHANGE_KINDS } from "./events";
import type { RunSummary, StackResult, StackStatus } from "./runner";

/** GitHub rejects comments above 65,536 characters; stay well below. */
export const MAX_MARKDOWN_CHARS = 60_000;
const MAX_VIOLATION_ROWS = 50;
const MAX_ERROR_LINES = 25;

const STATUS_LABEL: Record<StackStatus, string> = {
  succeeded: "✅ succeeded",
  unchanged: "✅ up to date",
  failed: "❌ failed",
  skipped: "⏭️ skipped",
  refused: "🛑 refused",
};

export function summaryMarker(command: string): string {
  return `<!-- ${SUMMARY_MARKER_PREFIX}:${command} -->`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
}

/** Escapes text for a Markdown table cell (no pipes, no newlines, no raw HTML). */
export function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ")
    .trim();
}

function codeBlock(lines: string[]): string {
  const body = lines.join("\n").replace(/```/g, "`\u200b``");
  return "```text\n" + body + "\n```";
}

function resourceName(urn: string | undefined): string {
  if (!urn) return "(stack)";
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

function headline(s: RunSummary): string {
  const n = (st: StackStatus) => s.stacks.filter((r) => r.status === st).length;
  const parts = (["succeeded", "unchanged", "failed", "skipped", "refused"] as StackStatus[])
    .filter((st) => n(st) > 0)
    .map((st) => `${n(st)} ${st === "unchanged" ? "up to date" : st}`);
  return `### ${s.ok ? "✅" : "❌"} K8TRE \`${s.command}\`: ${parts.join(", ") || "no stacks"}`;
}

function statusCell(r: StackResult): string {
  return r.note && r.status !== "succeeded" ? `${STATUS_LABEL[r.status]}<br><sub>${cell(r.note)}</sub>` : STATUS_LABEL[r.status];
}

export function renderMarkdown(s: RunSummary): string {
  const out: string[] = [summaryMarker(s.command), headline(s), ""];
  out.push(
    `Project \`${s.project}\` · backend \`${cell(redactUrl(s.backend))}\` · ${formatDuration(s.durationMs)} · ` +
      `up to ${s.parallel} stack${s.parallel === 1 ? "" : "s"} at once`,
    "",
  );
  if (s.stacks.length === 0) {
    out.push("_No stacks selected._");
  } else {
    out.push(
      "| Stack | Kind | Status | Ran | Create | Update | Delete | Replace | Same | Policy | Duration |",
      "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const r of s.stacks) {
      const role = r.role === "requested" ? "" : ` <sub>(${r.role})</sub>`;
      const counts = CHANGE_KINDS.map((k) => (r.operations.length > 0 ? String(r.changes[k]) : "–"));
      const policy = r.policyViolations.length > 0 ? `⚠️ ${r.policyViolations.length}` : r.operations.length > 0 ? "0" : "–";
      out.push(
        `| \`${r.stack}\`${role} | ${r.kind} | ${statusCell(r)} | ${r.operations.join(" → ") || "–"} | ${counts.join(" | ")} | ` +
          `${policy} | ${r.operations.length > 0 ? formatDuration(r.durationMs) : "–"} |`,
      );
    }
  }

  const violations = s.stacks.flatMap((r) => r.policyViolations.map((v) => ({ stack: r.stack, ...v })));
  if (violations.length > 0) {
    out.push("", "#### Policy violations", "", "| Stack | Level | Policy | Resource | Message |", "|---|---|---|---|---|");
    for (const v of violations.slice(0, MAX_VIOLATION_ROWS)) {
      out.push(
        `| \`${v.stack}\` | ${cell(v.enforcementLevel)} | \`${cell(`${v.policyPack}/${v.policy}`)}\` | ` +
          `${cell(resourceName(v.resourceUrn))} | ${cell(v.message)} |`,
      );
    }
    if (violations.length > MAX_VIOLATION_ROWS) {
      out.push("", `_${violations.length - MAX_VIOLATION_ROWS} more violation(s) in the JSON summary._`);
    }
  }

  const failed = s.stacks.filter((r) => r.errors.length > 0);
  if (failed.length > 0) {
    out.push("", "#### Errors");
    for (const r of failed) {
      const lines = r.errors.flatMap((e) => e.split(/\r?\n/));
      const shown = lines.slice(0, MAX_ERROR_LINES);
      if (lines.length > shown.length) shown.push(`… ${lines.length - shown.length} more line(s)`);
      out.push("", `<details><summary><code>${cell(r.stack)}</code>: ${cell(r.errors[0].split("\n")[0])}</summary>`, "", codeBlock(shown), "", "</details>");
    }
  }

  const withOutputs = s.stacks.filter((r) => r.outputs && Object.keys(r.outputs).length > 0);
  if (s.command === "outputs" && withOutputs.length > 0) {
    out.push("", "#### Outputs", "", "| Stack | Output | Value |", "|---|---|---|");
    for (const r of withOutputs) {
      for (const [key, o] of Object.entries(r.outputs!).sort(([a], [b]) => a.localeCompare(b))) {
        const value = o.secret ? "[secret]" : JSON.stringify(o.value);
        out.push(`| \`${r.stack}\` | \`${cell(key)}\` | ${cell(value.length > 120 ? value.slice(0, 117) + "…" : value)} |`);
      }
    }
  }

  if (s.notes.length > 0) {
    out.push("", "#### Notes", "", ...s.notes.map((n) => `- ${cell(n)}`));
  }
  let md = out.join("\n") + "\n";
  if (md.length > MAX_MARKDOWN_CHARS) {
    md = md.slice(0, MAX_MARKDOWN_CHARS) + "\n\n_Summary truncated; see the JSON summary artifact._\n";
  }
  return md;
}

/** Masks secret-bearing query parameters (SAS signatures, keys, tokens) in a backend URL. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:sig|password|[a-z_]*key|[a-z_]*token|[a-z_]*secret)=)[^&]*/gi, "$1***");
}

/** Outputs with secret values masked, for anything written to disk or logs. */
export function maskOutputs(outputs: StackResult["outputs"]): Record<string, unknown> | undefined {
  if (!outputs) return undefined;
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.secret ? "[secret]" : o.value]));
}

export function renderJson(s: RunSummary): string {
  const doc = {
    ...s,
    backend: redactUrl(s.backend),
    stacks: s.stacks.map((r) => ({ ...r, outputs: maskOutputs(r.outputs) })),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
