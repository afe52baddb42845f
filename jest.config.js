/**
 * jest: transpile-only through ts-jest (tsconfig has `isolatedModules`, so ts-jest skips
 * type-checking); type-checking happens once, in `npm run typecheck`.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  setupFiles: ["<rootDir>/test/setup.ts"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  // Each worker loads the Pulumi SDKs once (~0.3 GB); two workers suit a 2-core machine.
  maxWorkers: 2,
  // Generous: the first test file to synthesize a stack on a cold cache pays for loading the SDKs.
  testTimeout: 180000,
};
