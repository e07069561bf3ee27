/**
 * Imported first by a test that reads what the handlers log: the logger takes its level from
 * `LOG_LEVEL` once, when it loads, and each invocation puts that level back (the tests run
 * silent by default), so the level has to be in place before any handler module loads.
 */
process.env.LOG_LEVEL = 'debug';
