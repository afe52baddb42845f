/** jest: transpile-only through swc; type-checking happens once, in `npm run typecheck`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }],
  },
  // Each worker loads the Pulumi SDKs once (~0.3 GB); two workers suit a 2-core machine.
  maxWorkers: 2,
  testTimeout: 30000,
};
