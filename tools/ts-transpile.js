/**
 * TypeScript → CommonJS for the offline tools and jest (see ts-register.js, jest-transform.js).
 *
 * Sucrase only strips types and rewrites imports, file by file. That is exact here because the
 * project compiles with `isolatedModules` (no const enums, no type-directed emit), and it keeps
 * line numbers, so stack traces point at the TypeScript. It is several times faster than
 * ts-node/ts-jest, which load and run the TypeScript compiler. Type-checking is `npm run
 * typecheck`'s job, once, in `npm test`.
 *
 * Transpiled files are cached on disk (node_modules/.cache/k8tre-ts/), keyed by a hash of the
 * source, its repository-relative path and the transform settings, so an unchanged file is
 * transpiled once. `K8TRE_TS_CACHE=off` disables the cache.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const SUCRASE_VERSION = require("sucrase/package.json").version;

const ROOT = path.resolve(__dirname, "..");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "k8tre-ts");
const useCache = process.env.K8TRE_TS_CACHE !== "off";

/**
 * TypeScript → CommonJS. `jest: true` also hoists `jest.mock` calls above the imports, as
 * ts-jest does.
 */
function transpile(source, filename, opts = {}) {
  const transforms = ["typescript", "imports", ...(opts.jest ? ["jest"] : [])];
  const key = crypto
    .createHash("sha256")
    .update(`${SUCRASE_VERSION}\0${transforms.join(",")}\0${path.relative(ROOT, filename)}\0`)
    .update(source)
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  if (useCache) {
    try {
      return fs.readFileSync(cached, "utf8");
    } catch {
      // not cached yet
    }
  }
  // Loaded on the first cache miss only: a run on an unchanged tree never loads the transpiler.
  const { transform } = require("sucrase");
  const code = transform(source, { transforms, filePath: filename, production: true }).code;
  if (useCache) {
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // a read-only tree still works, just without the cache
    }
  }
  return code;
}

module.exports = { transpile, CACHE_DIR, SUCRASE_VERSION };
