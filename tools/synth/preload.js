/**
 * Loaded before the Pulumi SDK, by the synth engine (engine.ts imports it first) and by the
 * bench's SDK-load floor (`node -r ./tools/synth/preload.js`), so both load the same files.
 *
 * `@pulumi/pulumi`'s entry point loads three things eagerly that an offline synth never runs: the
 * Automation API (`pulumi.automation`) and the function-closure serializer
 * (`pulumi.runtime.serializeFunction`, for magic lambdas), which brings the TypeScript compiler
 * and npm's arborist: ~560 files and ~0.3 s of CPU, about 45 % of what loading the SDK costs.
 * Each is put in Node's module cache as a stand-in that loads the real module the first time
 * anything of it is used, so a program that does use them still works.
 *
 * Only for Node's own module loader: under jest (its own module registry) this does nothing.
 * test/synth/preload.test.ts keeps the stand-ins' export lists equal to the real modules'.
 * Plain JavaScript, so the floor needs no transpiler.
 */
"use strict";
const Module = require("node:module");
const path = require("node:path");

/** Marks a stand-in in the module cache (tools/bench-probe.js leaves them out of the file list). */
const DEFERRED_MARK = Symbol.for("k8tre.deferredModule");

/**
 * The modules, and for those whose exports the SDK copies when it loads (runtime/index.js), the
 * functions they export.
 */
const DEFERRED = [
  { id: "@pulumi/pulumi/automation" },
  { id: "@pulumi/pulumi/runtime/closure/serializeClosure", functions: ["serializeFunction", "serializeFunctionAsync"] },
  { id: "@pulumi/pulumi/runtime/closure/codePaths", functions: ["computeCodePaths", "findWorkspaceRoot", "packageArchivePath"] },
];

function defer(id, functions) {
  const file = require.resolve(id);
  if (Module._cache[file]) return; // already loaded: nothing to save
  let real;
  const stub = new Module(file, module);
  const load = () => {
    if (!real) {
      if (Module._cache[file] === stub) delete Module._cache[file];
      real = require(file);
    }
    return real;
  };
  stub.filename = file;
  stub.paths = Module._nodeModulePaths(path.dirname(file));
  stub.loaded = true;
  stub[DEFERRED_MARK] = true;
  if (functions) {
    // Forwarders, loading the module on first call.
    const exports = {};
    Object.defineProperty(exports, "__esModule", { value: true });
    for (const name of functions) exports[name] = (...args) => load()[name](...args);
    stub.exports = exports;
  } else {
    // Read only through `pulumi.automation.<name>`: a view that loads the module on first access.
    stub.exports = new Proxy(
      {},
      {
        get: (_, key) => (key === "__esModule" ? true : load()[key]),
        has: (_, key) => key in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, key) => {
          const d = Object.getOwnPropertyDescriptor(load(), key);
          return d && { ...d, configurable: true };
        },
      },
    );
  }
  Module._cache[file] = stub;
}

if (require.cache === Module._cache) for (const { id, functions } of DEFERRED) defer(id, functions);

module.exports = { DEFERRED, DEFERRED_MARK };
