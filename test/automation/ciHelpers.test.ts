import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { affectedStacks, main as affectedMain } from "../../automation/affected";
import { discoverStacks } from "../../automation/graph";
import { composeSynthComment, readReports, SYNTH_MARKER } from "../../automation/prComment";
import { capture, STANDARD_STACKS, tempDir, writeProject } from "./helpers";

describe("affectedStacks", () => {
  const g = discoverStacks(writeProject(STANDARD_STACKS));

  it("maps a stack file to its stack", () => {
    expect(affectedStacks(g, ["Pulumi.dev.yaml", "Pulumi.prd.yaml"]).stacks).toEqual(["dev", "prd"]);
  });

  it("ignores docs, tests, tooling and workflow changes", () => {
    expect(affectedStacks(g, ["docs/automation.md", "README.md", "test/x.test.ts", "automation/cli.ts", ".github/workflows/pr.yml", "tools/synth/cli.ts"]).stacks).toEqual([]);
  });

  it("treats program, policy and dependency changes as affecting every stack", () => {
    for (const file of ["index.ts", "components/aks/cluster.ts", "config/load.ts", "policy/index.ts", "package-lock.json", "Pulumi.yaml"]) {
      const r = affectedStacks(g, [file, "Pulumi.dev.yaml"]);
      expect(r.stacks).toEqual(g.order);
      expect(r.reasons).toContain(`${file}: program or dependency change; every stack`);
    }
  });

  it("never deploys example stacks (k8tre:example: true), even when their file or the program changes", () => {
    const dir = writeProject({ ...STANDARD_STACKS, k3s: { kind: "environment", refs: { network: "network" }, example: true } });
    const withExample = discoverStacks(dir);
    expect(affectedStacks(withExample, ["Pulumi.k3s.yaml"]).stacks).toEqual([]);
    expect(affectedStacks(withExample, ["index.ts"]).stacks).not.toContain("k3s");
    const io = { out: "", err: "" };
    const code = affectedMain(["--project-dir", dir, "--stacks", "k3s"], {}, { stdout: (t) => (io.out += t), stderr: (t) => (io.err += t), cwd: dir });
    expect(code).toBe(2);
    expect(io.err).toContain("k3s: example stack(s) (k8tre:example: true) are never deployed by CI");
  });

  it("notes stack files of stacks that no longer exist", () => {
    expect(affectedStacks(g, ["Pulumi.old.yaml"])).toEqual({ stacks: [], reasons: ["Pulumi.old.yaml: no such stack any more (deleted?); ignored"] });
  });
});

describe("affected.ts main", () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@example.org", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();

  it("diffs base...head in git and writes GitHub outputs", () => {
    const dir = writeProject(STANDARD_STACKS);
    git(dir, "init", "-q");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "base");
    const base = git(dir, "rev-parse", "HEAD");
    fs.appendFileSync(path.join(dir, "Pulumi.stg.yaml"), "  k8tre:extra: 1\n");
    fs.writeFileSync(path.join(dir, "NOTES.md"), "notes\n");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "change");
    const out = path.join(dir, "github-output");
    const io = capture(dir);
    expect(affectedMain(["--base", base, "--head", "HEAD"], { GITHUB_OUTPUT: out }, io)).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe('stacks=["stg"]\nnames=stg\nany=true\nplatforms=azure\n');
    expect(io.out()).toContain("# Pulumi.stg.yaml: stack stg\n");
  });

  it("uses every stack when the base is unusable (first push) and validates explicit stacks", () => {
    const dir = writeProject(STANDARD_STACKS);
    const io = capture(dir);
    expect(affectedMain(["--base", "0000000000000000000000000000000000000000"], {}, io)).toBe(0);
    expect(io.out()).toContain('stacks=["network","mgmt","dev","prd","stg"]\n');
    const io2 = capture(dir);
    expect(affectedMain(["--stacks", "stg network"], {}, io2)).toBe(0);
    expect(io2.out()).toContain('stacks=["network","stg"]\nnames=network stg\nany=true\nplatforms=azure\n');
    const io3 = capture(dir);
    expect(affectedMain(["--stacks", "qa"], {}, io3)).toBe(2);
    expect(io3.err()).toBe("error: unknown stack(s) qa (known stacks: network, mgmt, dev, prd, stg)\n");
  });
});

describe("composeSynthComment", () => {
  const files = [
    { name: "dev.json", content: "" },
    { name: "dev.md", content: "```mermaid\ngraph TD\n  a-->b\n```\n" },
    { name: "network.json", content: "" },
    { name: "network.md", content: "```mermaid\ngraph TD\n  hub\n```\n" },
    { name: "policy.md", content: "| policy | result |\n|---|---|\n| aks-private | pass |\n" },
  ];

  it("puts reports first (expanded) and stacks after (collapsed), under the marker", () => {
    const body = composeSynthComment(files, { runUrl: "https://github.com/o/r/actions/runs/1" });
    expect(body.startsWith(`${SYNTH_MARKER}\n### K8TRE synth: 2 stacks\n`)).toBe(true);
    expect(body).toContain("Full plans in [the `synth` artifact](https://github.com/o/r/actions/runs/1).");
    const policy = body.indexOf("<details open><summary><b>policy</b></summary>");
    const dev = body.indexOf("<details><summary><b>dev</b></summary>\n\n```mermaid\ngraph TD\n  a-->b\n```\n\n</details>");
    const network = body.indexOf("<details><summary><b>network</b></summary>");
    expect(policy).toBeGreaterThan(0);
    expect(dev).toBeGreaterThan(policy);
    expect(network).toBeGreaterThan(dev);
  });

  it("shows the run's summary.md before the other reports", () => {
    const body = composeSynthComment([...files, { name: "summary.md", content: "## Offline synth: 2 stacks\n" }]);
    const summary = body.indexOf("<details open><summary><b>summary</b></summary>");
    expect(summary).toBeGreaterThan(0);
    expect(body.indexOf("<details open><summary><b>policy</b></summary>")).toBeGreaterThan(summary);
  });

  it("drops whole sections (never cuts a diagram) to fit the size limit", () => {
    const big = [...files, { name: "stg.json", content: "" }, { name: "stg.md", content: "```mermaid\n" + "x\n".repeat(5000) + "```\n" }];
    const body = composeSynthComment(big, { maxChars: 2000 });
    expect(body.length).toBeLessThanOrEqual(2000);
    expect(body).toContain("_Left out to fit GitHub's comment size limit: stg.md; see the `synth` artifact._");
    expect(body.split("```").length % 2).toBe(1); // balanced fences
  });

  it("says so when synth produced no Markdown, and reads a directory", () => {
    expect(composeSynthComment([])).toBe(`${SYNTH_MARKER}\n### K8TRE synth: 0 stacks\n\nOffline evaluation under Pulumi mocks (no cloud access). Full plans in the \`synth\` artifact.\n_No Markdown reports were produced._\n`);
    const dir = tempDir("synth");
    fs.writeFileSync(path.join(dir, "dev.json"), "{}");
    fs.writeFileSync(path.join(dir, "dev.md"), "# dev\n");
    fs.writeFileSync(path.join(dir, "ignored.txt"), "x");
    expect(readReports(dir)).toEqual([
      { name: "dev.json", content: "" },
      { name: "dev.md", content: "# dev\n" },
    ]);
  });
});
