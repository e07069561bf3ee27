import { AppError, conflict } from '../domain/errors';
import type { Directory } from './directory';
import { itemAbsent, or } from './expressions';
import { IDEMPOTENCY_TYPE, IdempotencyRecord, idempotencyIs, idempotencyKey, idempotencyUpdate } from './entities/idempotency-record';
import type { Key } from './key';
import { readItem } from './reads';
import { sleep } from './retry';
import { isConditionFailure, writeOne } from './single';
import { epochSeconds } from './time';
import { deleteWrite, putWrite, updateWrite } from './writes';

const WINDOW_SECONDS = 24 * 3600;
const WAIT_FOR_FIRST_MS = 25_000;

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Runs `work` at most once per (site, caller, key) within 24 h. The first request claims the key
 * with a conditional put; repeats with the same body wait for and return its response; a different
 * body is a 409. If the work fails, the claim is removed so the client can retry with the same key.
 */
export async function withIdempotency(
  db: Directory,
  scope: { siteId: string; callerId: string; key: string; bodyDigest: string },
  now: Date,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const key = idempotencyKey(scope.siteId, scope.callerId, scope.key);
  const nowSeconds = epochSeconds(now.toISOString());
  try {
    await writeOne(
      db,
      putWrite(
        key,
        { type: IDEMPOTENCY_TYPE, bodyDigest: scope.bodyDigest, state: 'in_progress', ttl: nowSeconds + WINDOW_SECONDS },
        // An expired record (TTL deletion lags) counts as absent.
        or(itemAbsent, idempotencyIs.lt('ttl', nowSeconds)),
      ),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return replay(db, key, scope.bodyDigest);
  }
  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    await writeOne(db, deleteWrite(key));
    throw error;
  }
  await writeOne(db, updateWrite(key, idempotencyUpdate().set('state', 'done').set('status', response.status).set('responseJson', JSON.stringify(response.body))));
  return response;
}

async function replay(db: Directory, key: Key, bodyDigest: string): Promise<StoredResponse> {
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const record = await readItem(db, key, IdempotencyRecord);
    if (record && record.bodyDigest !== bodyDigest) {
      throw conflict('This Idempotency-Key was used with a different request body.');
    }
    if (record?.state === 'done' && record.status !== undefined && record.responseJson !== undefined) {
      return { status: record.status, body: JSON.parse(record.responseJson) as unknown };
    }
    if (Date.now() > deadline) {
      throw new AppError('conflict', 'A request with this Idempotency-Key is still in progress; retry later.');
    }
    await sleep(delay);
  }
}
