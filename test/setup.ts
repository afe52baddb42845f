/**
 * The Pulumi SDK captures a stack trace for every resource and promise; source-mapping each one
 * dominated the run time of tests that evaluate whole stacks. Plain V8 traces keep jest's own
 * failure reports readable (transpile-only output keeps line numbers close to the TypeScript).
 *
 * A formatter, not `undefined`: with none in the test's context, Node falls back to the worker's
 * main-context `Error.prepareStackTrace`, where jest installs source-map-support, which then reads
 * and parses the SDK's source maps for every frame. This is V8's default format.
 */
Error.prepareStackTrace = (error: Error, trace: NodeJS.CallSite[]): string => {
  const head = Error.prototype.toString.call(error);
  return trace.length > 0 ? `${head}\n    at ${trace.join("\n    at ")}` : head;
};
