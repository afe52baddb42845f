/**
 * `npm run bench`: wall-clock budget check on this machine (not a test — timings vary).
 * Budgets (issue: foundation): synth of the five main stacks < 10 s (every shipped stack, with the
 * landing-zone and k3s examples, < 12 s), `npm test` < 90 s on 2 cores.
 * `npm run bench -- --synth-only` skips the full test run.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

function time(label: string, cmd: string, args: string[], runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "ignore", env: { ...process.env, CI: "true" } });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status})`);
    times.push(seconds);
  }
  return times;
}

function report(label: string, times: number[], budget: number): boolean {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const ok = median < budget;
  console.log(`${label.padEnd(30)} median ${median.toFixed(1)} s  (runs: ${times.map((t) => t.toFixed(1)).join(", ")})  budget ${budget} s  ${ok ? "OK" : "OVER BUDGET"}`);
  return ok;
}

const synthOnly = process.argv.includes("--synth-only");
console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
const out = path.join(os.tmpdir(), "k8tre-bench");
const five = ["network", "mgmt", "dev", "stg", "prd"];
const results = [
  report("synth: the five main stacks", time("synth", "npm", ["run", "synth", "--", ...five, "--out", out], 3), 10),
  report("synth: every shipped stack", time("synth", "npm", ["run", "synth", "--", "--out", out], 3), 12),
];
if (!synthOnly) results.push(report("npm test", time("test", "npm", ["test"], 1), 90));
process.exit(results.every(Boolean) ? 0 : 1);
