import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/domain/errors';
import type { Directory } from '../../shared/directory/directory';
import { withIdempotency, type StoredResponse } from '../../shared/directory/idempotency';
import { freshDirectory, scanAll } from '../support/directory';

let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('idem');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the invite handler passes: the Lambda's remaining time bounds the claim. */
const scope = (key: string, claimForMs: number, bodyDigest = 'digest-a') => ({ siteId: 'acme', callerId: 'usr_admin', key, bodyDigest, claimForMs });

async function outcome(run: Promise<StoredResponse>): Promise<StoredResponse | AppError> {
  try {
    return await run;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

describe('Idempotency-Key after the first call dies', () => {
  it('answers 409 at once during the claim, then runs the work exactly once after it expires', async () => {
    // The first call claims the key and never finishes: a Lambda killed at its timeout, 1.5 s away.
    let resumeFirst: (response: StoredResponse) => void = () => undefined;
    const claimedAt = Date.now();
    const first = withIdempotency(db, scope('crash-1', 1_500), new Date(claimedAt), () => new Promise<StoredResponse>((resolve) => (resumeFirst = resolve)));
    void first.catch(() => undefined);
    while (!(await scanAll(db)).some((item) => item.sk === 'IDEMPOTENCY#usr_admin#crash-1')) await sleep(10);

    const started = performance.now();
    const during = await outcome(withIdempotency(db, scope('crash-1', 10_000), new Date(), async () => ({ status: 200, body: { ran: 'during' } })));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(during).toBeInstanceOf(AppError);
    expect(during).toMatchObject({ code: 'conflict', status: 409, message: expect.stringMatching(/in progress/) });
    expect((during as AppError & { retryAfterSeconds?: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);

    // Past the dead call's claim: the key is free for exactly one of the replays below.
    await sleep(claimedAt + 1_500 - Date.now() + 50);
    let runs = 0;
    const work = async () => {
      runs += 1;
      await sleep(100);
      return { status: 200, body: { ran: 'again', order: [3, 1, 2] } };
    };
    const replays = await Promise.all(Array.from({ length: 5 }, () => outcome(withIdempotency(db, scope('crash-1', 10_000), new Date(), work))));
    expect(runs).toBe(1);
    // Replays racing the one that runs are told to retry; none runs the work a second time.
    for (const replay of replays) {
      if (replay instanceof AppError) expect(replay.code).toBe('conflict');
      else expect(replay).toEqual({ status: 200, body: { ran: 'again', order: [3, 1, 2] } });
    }
    expect(replays.some((replay) => !(replay instanceof AppError))).toBe(true);

    // The zombie first call finishing late must not overwrite the response replays now get.
    resumeFirst({ status: 200, body: { ran: 'first' } });
    await outcome(first);
    const later = await withIdempotency(db, scope('crash-1', 10_000), new Date(), work);
    expect(JSON.stringify(later)).toBe(JSON.stringify({ status: 200, body: { ran: 'again', order: [3, 1, 2] } }));
    expect(runs).toBe(1);
  });

  it('still answers 409 for the same key with a different body, live claim or not', async () => {
    const done = await withIdempotency(db, scope('crash-2', 5_000), new Date(), async () => ({ status: 200, body: { ok: true } }));
    expect(done).toEqual({ status: 200, body: { ok: true } });
    const other = await outcome(withIdempotency(db, scope('crash-2', 5_000, 'digest-b'), new Date(), async () => ({ status: 200, body: { ok: false } })));
    expect(other).toMatchObject({ code: 'conflict', message: 'This Idempotency-Key was used with a different request body.' });
  });
});
