/**
 * `npm run bench` helper, preloaded into a measured process (`node -r ./tools/bench-probe.js`):
 * at exit it writes to $K8TRE_BENCH_PROBE the process's CPU time and the Pulumi SDK files it
 * loaded, in load order. Run as `node tools/bench-probe.js <list.json>` it is the SDK-load floor:
 * it only requires those files, in that order, and exits.
 */
"use strict";
const fs = require("node:fs");

function report() {
  const out = process.env.K8TRE_BENCH_PROBE;
  if (!out) return;
  const cpu = process.cpuUsage();
  // Stand-ins for SDK parts not loaded (tools/synth/preload.js) are not files the process loaded.
  const deferred = Symbol.for("k8tre.deferredModule");
  const modules = Object.entries(require.cache)
    .filter(([f, m]) => /[\\/]node_modules[\\/]@pulumi[\\/]/.test(f) && !m[deferred])
    .map(([f]) => f);
  fs.writeFileSync(out, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, modules }));
}

process.on("exit", report);

if (require.main === module) {
  for (const f of JSON.parse(fs.readFileSync(process.argv[2], "utf8")).modules) require(f);
}
