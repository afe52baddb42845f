/**
 * jest transformer: tools/ts-transpile.js (Sucrase, with jest's `jest.mock` hoisting), instead of
 * ts-jest, which loads the TypeScript compiler in every worker. Type-checking is `npm run
 * typecheck`'s job.
 */
"use strict";
const crypto = require("node:crypto");
const path = require("node:path");
const { transpile, SUCRASE_VERSION } = require("./ts-transpile");

const ROOT = path.resolve(__dirname, "..");

module.exports = {
  process(source, filename) {
    return { code: transpile(source, filename, { jest: true }) };
  },
  getCacheKey(source, filename) {
    return crypto.createHash("sha256").update(`k8tre-sucrase ${SUCRASE_VERSION}\0${path.relative(ROOT, filename)}\0`).update(source).digest("hex");
  },
};
