/**
 * Imported first by a test that reads what the handlers log: the logger takes its level from
 * `LOG_LEVEL` once, when it loads, and each invocation puts that level back (the tests run
 * silent by default), so the level has to be in place before any handler module loads.
 */
const before = process.env.LOG_LEVEL;
process.env.LOG_LEVEL = 'debug';

/** Puts the level back for whatever runs in this process after the test file. */
export function restoreLogLevel(): void {
  if (before === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = before;
}
