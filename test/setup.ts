/**
 * The Pulumi SDK captures a stack trace for every resource and promise; source-mapping each one
 * dominated the run time of tests that evaluate whole stacks. Plain V8 traces keep jest's own
 * failure reports readable (transpile-only output keeps line numbers close to the TypeScript).
 *
 * jest installs source-map-support in the test's context after `setupFiles` (hence
 * `setupFilesAfterEnv`), and in the worker's main context, which Node falls back to when the
 * test's context has no formatter (hence a formatter, not `undefined`); either would read and
 * parse the SDK's source maps for every frame. This is V8's default format.
 * test/harness/jest.test.ts checks it.
 */
Error.prepareStackTrace = (error: Error, trace: NodeJS.CallSite[]): string => {
  const head = Error.prototype.toString.call(error);
  return trace.length > 0 ? `${head}\n    at ${trace.join("\n    at ")}` : head;
};
