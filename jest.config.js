/**
 * jest: TypeScript through tools/jest-transform.js (Sucrase, transpile only, cached on disk by
 * content hash; the project compiles with `isolatedModules`, so per-file transpiling is exact).
 * Type-checking happens once, in `npm run typecheck`.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  // After the environment: jest installs source-map-support in it after `setupFiles` (test/setup.ts).
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testMatch: ["**/*.test.ts"],
  // The SDK's eager requires of the TypeScript compiler and npm's Arborist, loaded on first use
  // instead of in every test file (tools/jest-lazy/lazy.js).
  moduleNameMapper: {
    "^typescript$": "<rootDir>/tools/jest-lazy/typescript.js",
    "^@npmcli/arborist$": "<rootDir>/tools/jest-lazy/arborist.js",
  },
  transform: {
    "^.+\\.ts$": "<rootDir>/tools/jest-transform.js",
  },
  // Each worker loads the Pulumi SDKs once per test file (~0.3 GB); two workers suit a 2-core machine.
  maxWorkers: 2,
  // Generous: the first test file to synthesize a stack on a cold cache pays for loading the SDKs.
  testTimeout: 180000,
};
