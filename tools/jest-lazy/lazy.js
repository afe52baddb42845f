/**
 * A module that stands in for a real one (jest.config.js `moduleNameMapper`) and loads it on
 * first use: the Pulumi SDK requires the TypeScript compiler (9 MB, for function serialization)
 * and npm's Arborist (for a program's code paths) when it is loaded, and jest evaluates them
 * again for every test file, ~0.5 s each time, although no test serializes a function. A test
 * that does use them gets the real module, through jest's own module registry.
 */
"use strict";

/** A stand-in answers this key with the module's id without loading it (test/harness/jest.test.ts). */
const LAZY = Symbol.for("k8tre.lazyModule");
/**
 * `id` as a lazily loaded module. Resolved with explicit lookup paths: jest then searches them
 * instead of answering with the mapping (i.e. this stand-in). Reports itself as an ES module so
 * `__importStar` hands it on as it is instead of copying (= loading) every export.
 */
module.exports = function lazy(id) {
  const file = require.resolve(id, { paths: [__dirname] });
  let real;
  const load = () => (real ??= require(file));
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : key === LAZY ? id : load()[key]),
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
};
