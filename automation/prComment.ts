/**
 * Composes the PR comment for the offline synth (Mermaid diagrams + policy results) from the
 * Markdown files `npm run synth` writes: `npm run deploy:synth-comment -- <dir> <out>`.
 *
 * Files named after a stack (`<stack>.md`) become collapsed sections in file-name order; every other
 * Markdown file (`summary.md` first, then the policy report …) is shown first, expanded. Whole sections are dropped
 * (never cut mid-diagram) to stay under GitHub's comment size limit; the artifact has everything.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const SYNTH_MARKER = "<!-- k8tre-synth -->";
export const MAX_COMMENT_CHARS = 60_000;

export interface ReportFile {
  name: string;
  content: string;
}

function section(title: string, body: string, open: boolean): string {
  return `<details${open ? " open" : ""}><summary><b>${title}</b></summary>\n\n${body.trim()}\n\n</details>\n`;
}

export function composeSynthComment(files: ReportFile[], opts: { runUrl?: string; maxChars?: number } = {}): string {
  const max = opts.maxChars ?? MAX_COMMENT_CHARS;
  const md = files.filter((f) => f.name.endsWith(".md")).sort((a, b) => a.name.localeCompare(b.name));
  const stackNames = new Set(files.filter((f) => f.name.endsWith(".json")).map((f) => f.name.replace(/\.json$/, "")));
  // The run's overview (summary.md: stacks and references) first, then the other reports.
  const reports = md.filter((f) => !stackNames.has(f.name.replace(/\.md$/, ""))).sort((a, b) => Number(b.name === "summary.md") - Number(a.name === "summary.md"));
  const stacks = md.filter((f) => stackNames.has(f.name.replace(/\.md$/, "")));
  const artifact = opts.runUrl ? `[the \`synth\` artifact](${opts.runUrl})` : "the `synth` artifact";
  const head = [
    SYNTH_MARKER,
    `### K8TRE synth: ${stacks.length} stack${stacks.length === 1 ? "" : "s"}`,
    "",
    `Offline evaluation under Pulumi mocks (no cloud access). Full plans in ${artifact}.`,
    "",
  ].join("\n");
  const sections = [
    ...reports.map((f) => section(f.name.replace(/\.md$/, ""), f.content, true)),
    ...stacks.map((f) => section(f.name.replace(/\.md$/, ""), f.content, false)),
  ];
  if (sections.length === 0) return `${head}_No Markdown reports were produced._\n`;
  let body = head;
  const dropped: string[] = [];
  sections.forEach((s, i) => {
    const title = [...reports, ...stacks][i].name;
    if (body.length + s.length + 200 <= max) body += "\n" + s;
    else dropped.push(title);
  });
  if (dropped.length > 0) {
    body += `\n_Left out to fit GitHub's comment size limit: ${dropped.join(", ")}; see ${artifact}._\n`;
  }
  return body;
}

export function readReports(dir: string): ReportFile[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(".md") || n.endsWith(".json"))
    .map((name) => ({ name, content: name.endsWith(".md") ? fs.readFileSync(path.join(dir, name), "utf8") : "" }));
}

if (require.main === module) {
  const [dir, out] = process.argv.slice(2);
  if (!dir || !out) {
    process.stderr.write("usage: prComment.ts <synth-dir> <out-file>\n");
    process.exitCode = 2;
  } else {
    const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
    const runUrl = GITHUB_RUN_ID ? `${GITHUB_SERVER_URL ?? "https://github.com"}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` : undefined;
    fs.writeFileSync(out, composeSynthComment(readReports(dir), { runUrl }));
  }
}
