/**
 * The one retry loop of the directory, and the one list of what is worth retrying. No AWS import:
 * the names are plain strings, so the HTTP error mapping can share them without the SDK.
 */

/** Error names of DynamoDB calls that fail for load or contention, not for what was asked. */
export const RETRYABLE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionCanceledException',
  'Throttling',
]);

/** CancellationReasons codes of a cancelled transaction that another attempt may get past. */
export const RETRYABLE_CANCELLATION_REASONS: ReadonlySet<string> = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

export interface Backoff {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
}

/** Transactions and batch reads that DynamoDB pushed back on. */
export const THROTTLE_BACKOFF: Backoff = { maxAttempts: 8, baseMs: 25, capMs: 1000 };
/** The access decision runs on every guest page view: fewer, shorter waits, then a 503. */
export const LATENCY_BACKOFF: Backoff = { maxAttempts: 5, baseMs: 20, capMs: 500 };
/** Optimistic read-decide-write rounds: a refused condition means someone else just wrote. */
export const DECISION_BACKOFF: Backoff = { maxAttempts: 6, baseMs: 5, capMs: 100 };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full jitter: writers that collided once spread out instead of colliding again in lockstep. */
export const fullJitterMs = (attempt: number, backoff: Backoff) => Math.random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt);

/** Returned by an attempt that should be repeated; `reason` reaches `giveUp` if none is left. */
export class Again<R = undefined> {
  constructor(readonly reason: R) {}
}
export const again = <R = undefined>(reason?: R) => new Again(reason as R);

/**
 * Runs `attempt` until it returns something other than {@link Again}, sleeping with full jitter
 * between rounds. After `maxAttempts` rounds, throws what `giveUp` makes of the last reason.
 */
export async function retryWithBackoff<T, R = undefined>(
  backoff: Backoff,
  attempt: (round: number) => Promise<T | Again<R>>,
  giveUp: (reason: R) => unknown,
): Promise<T> {
  for (let round = 1; ; round++) {
    const result = await attempt(round);
    if (!(result instanceof Again)) return result;
    if (round >= backoff.maxAttempts) throw giveUp(result.reason);
    await sleep(fullJitterMs(round, backoff));
  }
}
