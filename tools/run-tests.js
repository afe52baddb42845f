#!/usr/bin/env node
/**
 * `npm test`: type-check, lint and jest. The first two are single-threaded, so on a 2-core machine
 * they run beside jest rather than before it (issue 12: cold `npm test` within 60 s on 2 cores).
 * jest streams its output; the checks' output is printed when they finish, each with its verdict.
 * Exits non-zero when any of the three fails.
 */
"use strict";
const { spawn } = require("node:child_process");

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs `npm run <script>`; buffered output unless `stream`. Resolves to { script, code, output }. */
function run(script, stream) {
  return new Promise((resolve) => {
    const child = spawn(npm, ["run", "--silent", script], { stdio: stream ? "inherit" : ["ignore", "pipe", "pipe"] });
    const chunks = [];
    if (!stream) {
      child.stdout.on("data", (c) => chunks.push(c));
      child.stderr.on("data", (c) => chunks.push(c));
    }
    child.on("close", (code, signal) => resolve({ script, code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() }));
  });
}

async function main() {
  const checks = ["typecheck", "lint"].map((s) => run(s, false).then((r) => {
    process.stderr.write(`\n${r.code === 0 ? "✓" : "✗"} npm run ${r.script}${r.code === 0 ? "" : ` failed (exit ${r.code})`}\n${r.output}`);
    return r;
  }));
  const results = await Promise.all([...checks, run("jest", true)]);
  const failed = results.filter((r) => r.code !== 0).map((r) => r.script);
  if (failed.length > 0) {
    process.stderr.write(`\nnpm test: ${failed.join(", ")} failed\n`);
    process.exit(1);
  }
}

main();
