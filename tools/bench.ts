/**
 * `npm run bench`: the offline tools' speed on this machine (not a test: timings vary with load).
 *
 * Budgets (issue 12): the synth of the five main stacks within 4× the SDK-load floor, and a cold
 * `npm test` within 60 s on 2 cores.
 *
 * - SDK-load floor: a process that only `require`s the Pulumi SDK files the synth loads
 *   (@pulumi/pulumi, the azure-native submodules, kubernetes, azuread — whatever the run used,
 *   in its order; recorded by tools/bench-probe.js during a first synth run), and with them
 *   whatever they load themselves. It loads them as the synth does: with the synth's Node
 *   options, if any, and tools/synth/preload.js first, so the SDK parts the synth defers (the
 *   Automation API, the closure serializer) are deferred in the floor too.
 * - Synth: `npm run synth`'s own command line (from package.json, without npm's start-up), for
 *   the five main stacks.
 * The two alternate, `--runs` times each (default 7), so machine load hits both alike. Three
 * ratios are printed and all must be within budget: of the fastest wall times (the least
 * disturbed runs on a shared machine), of the median wall times and of the median CPU times
 * (user + system, all threads).
 *
 * - npm test, cold: the transpile, type-check and lint caches are cleared and jest's cache and
 *   the tests' synth cache start empty (`--warm` keeps them); wall and CPU time (Linux).
 *   `--synth-only` skips it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const FIVE = ["network", "mgmt", "dev", "stg", "prd"];
const MAX_RATIO = 4;
const MAX_TEST_SECONDS = 60;

interface Sample {
  wall: number;
  cpu: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `npm run synth`'s command, as argv for this Node, with the probe preloaded; and its Node options. */
function synthCommand(): { argv: string[]; nodeOptions: string[] } {
  const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.synth;
  const [node, ...rest] = script.split(/\s+/);
  if (node !== "node") throw new Error(`package.json scripts.synth must start with "node" (found ${script})`);
  // Options before the first `-r`/script: V8 and Node settings (e.g. heap sizes), not modules.
  const first = rest.findIndex((a) => a === "-r" || !a.startsWith("-"));
  return { argv: ["-r", "./tools/bench-probe.js", ...rest], nodeOptions: rest.slice(0, first < 0 ? rest.length : first) };
}

function measure(label: string, args: string[], probeFile: string): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", env: { ...process.env, K8TRE_BENCH_PROBE: probeFile } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr}`);
  return { wall, cpu: JSON.parse(fs.readFileSync(probeFile, "utf8")).cpuMs / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");

/** CPU seconds (user + system) of this process's waited-for children, where /proc tells (Linux). */
function childrenCpu(): number | undefined {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * A cold start: the project's caches (transpile, type-check, lint) removed, and a fresh temporary
 * directory for jest's cache and the tests' synth cache (other checkouts' caches stay untouched).
 */
function coldEnv(tmp: string): NodeJS.ProcessEnv {
  fs.rmSync(path.join(ROOT, "node_modules", ".cache"), { recursive: true, force: true });
  const dir = path.join(tmp, "tmpdir");
  fs.mkdirSync(dir);
  return { TMPDIR: dir, TMP: dir, TEMP: dir };
}

function main(): number {
  const runs = Number(arg("--runs") ?? 7);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "k8tre-bench-"));
  const list = path.join(tmp, "synth-probe.json");
  const synth_ = synthCommand();
  const synthArgs = [...synth_.argv, ...FIVE, "--out", path.join(tmp, "out")];
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);

  // A first run, with the transpile cache cleared, records the SDK files the synth loads. Later
  // runs find the cache warm, as every run after the first on an unchanged file does.
  fs.rmSync(path.join(ROOT, "node_modules", ".cache", "k8tre-ts"), { recursive: true, force: true });
  const first = measure("synth", synthArgs, list);
  console.log(`synth, transpile cache cold: wall ${first.wall.toFixed(2)} s, CPU ${first.cpu.toFixed(2)} s`);
  const floorList = path.join(tmp, "floor-list.json");
  fs.copyFileSync(list, floorList);
  const sdkFiles = JSON.parse(fs.readFileSync(floorList, "utf8")).modules.length;

  const floor: Sample[] = [];
  const synth: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(measure("floor", [...synth_.nodeOptions, "-r", "./tools/synth/preload.js", "./tools/bench-probe.js", floorList], path.join(tmp, "floor-probe.json")));
    synth.push(measure("synth", synthArgs, list));
  }
  const [fw, sw] = [median(floor.map((s) => s.wall)), median(synth.map((s) => s.wall))];
  const [fmin, smin] = [Math.min(...floor.map((s) => s.wall)), Math.min(...synth.map((s) => s.wall))];
  const [fc, sc] = [median(floor.map((s) => s.cpu)), median(synth.map((s) => s.cpu))];
  console.log(`SDK-load floor (${sdkFiles} files)     wall ${fmt(floor.map((s) => s.wall))} s; CPU median ${fc.toFixed(2)} s`);
  console.log(`synth: ${FIVE.join(" ")}  wall ${fmt(synth.map((s) => s.wall))} s; CPU median ${sc.toFixed(2)} s`);
  // On a shared machine the fastest run of each is the least disturbed; the medians show a
  // typical run. All three must be within budget.
  const ratios = { "wall (fastest runs)": smin / fmin, "wall (medians)": sw / fw, "CPU (medians)": sc / fc };
  const ratioOk = Object.values(ratios).every((r) => r <= MAX_RATIO);
  console.log(
    `synth / floor: ${Object.entries(ratios).map(([k, r]) => `${r.toFixed(1)}× ${k}`).join(", ")}  (budget ≤ ${MAX_RATIO}× each)  ${ratioOk ? "OK" : "OVER BUDGET"}`,
  );

  let testOk = true;
  if (!process.argv.includes("--synth-only")) {
    const warm = process.argv.includes("--warm");
    const env = { ...process.env, CI: "true", ...(warm ? {} : coldEnv(tmp)) };
    const cpuBefore = childrenCpu();
    const start = process.hrtime.bigint();
    const r = spawnSync("npm", ["test"], { cwd: ROOT, stdio: "ignore", env });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuAfter = childrenCpu();
    if (r.status !== 0) throw new Error(`npm test failed (exit ${r.status})`);
    testOk = seconds <= MAX_TEST_SECONDS;
    const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? `, CPU ${(cpuAfter - cpuBefore).toFixed(1)} s` : "";
    console.log(`npm test (${warm ? "warm" : "cold"})  wall ${seconds.toFixed(1)} s${cpu}  (budget ≤ ${MAX_TEST_SECONDS} s wall)  ${testOk ? "OK" : "OVER BUDGET"}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return ratioOk && testOk ? 0 : 1;
}

process.exit(main());
