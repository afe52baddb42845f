/**
 * `node -r ./tools/ts-register.js file.ts`: loads the project's TypeScript through
 * tools/ts-transpile.js (Sucrase, cached on disk). Used by `npm run synth`, `bench` and `docs:*`.
 * The Pulumi CLI still runs `index.ts` through ts-node (Pulumi's documented TypeScript path).
 */
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const { transpile } = require("./ts-transpile");

Module._extensions[".ts"] = function (module, filename) {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
