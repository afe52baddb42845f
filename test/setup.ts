/**
 * The Pulumi SDK captures a stack trace for every resource and promise; source-mapping each one
 * dominated the run time of tests that evaluate whole stacks. Plain V8 traces keep jest's own
 * failure reports readable (transpile-only output keeps line numbers close to the TypeScript).
 */
(Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
