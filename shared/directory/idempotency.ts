import { randomUUID } from 'node:crypto';
import { AppError, conflict } from '../domain/errors';
import type { Directory } from './directory';
import { and, itemAbsent, or } from './expressions';
import { IDEMPOTENCY_TYPE, IdempotencyRecord, idempotencyIs, idempotencyKey, idempotencyUpdate } from './entities/idempotency-record';
import type { Key } from './key';
import { readItem } from './reads';
import { writeOneIfAllowed } from './single';
import { deleteWrite, putWrite, updateWrite } from './writes';

const WINDOW_SECONDS = 24 * 3600;
/** Without a Lambda clock to bound it, a claim lasts as long as an API function may run. */
const DEFAULT_CLAIM_MS = 10_000;
/** A claim that expires between our failed put and our read is taken over on the next try. */
const CLAIM_ATTEMPTS = 3;

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The key is claimed by a request that may still finish: the caller should retry, not wait here. */
export class IdempotencyInProgress extends AppError {
  constructor(retryAfterSeconds: number) {
    super('conflict', `A request with this Idempotency-Key is still in progress; retry in ${retryAfterSeconds} s.`, undefined, retryAfterSeconds);
  }
}

/**
 * Runs `work` at most once per (site, caller, key) within 24 h. The first request claims the key
 * with a conditional put for as long as it can still run (`claimForMs`: the Lambda's remaining
 * time); a repeat with the same body gets the stored response, or a 409 with a retry hint while the
 * claim lives; a different body is a 409. A claim whose holder died is taken over by the next
 * repeat, so a crash costs the client one retry, not the 24 h window. If the work fails, the claim
 * is removed so the client can retry with the same key.
 */
export interface IdempotencyScope {
  readonly siteId: string;
  readonly callerId: string;
  readonly key: string;
  readonly bodyDigest: string;
  /** How long the caller can still run: its claim on the key lasts that long. */
  readonly claimForMs?: number;
}

export async function withIdempotency(
  db: Directory,
  scope: IdempotencyScope,
  now: Date,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const key = idempotencyKey(scope.siteId, scope.callerId, scope.key);
  const nowMs = now.getTime();
  const claimId = randomUUID();
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    if (await claim(db, key, scope.bodyDigest, claimId, nowMs, scope.claimForMs ?? DEFAULT_CLAIM_MS)) return runClaimed(db, key, claimId, work);
    const stored = await replay(db, key, scope.bodyDigest, nowMs);
    if (stored) return stored;
  }
  throw new IdempotencyInProgress(1);
}

/**
 * The stored response; null when the key is free again (its holder failed or died). A live claim
 * answers 409 at once: waiting here would hold this Lambda for as long as the first one runs.
 */
async function replay(db: Directory, key: Key, bodyDigest: string, nowMs: number): Promise<StoredResponse | null> {
  const record = await readItem(db, key, IdempotencyRecord);
  if (!record) return null;
  if (record.bodyDigest !== bodyDigest) throw conflict('This Idempotency-Key was used with a different request body.');
  if (record.state === 'done' && record.status !== undefined && record.responseJson !== undefined) {
    return { status: record.status, body: JSON.parse(record.responseJson) as unknown };
  }
  if ((record.claimExpiresAt ?? 0) <= nowMs) return null;
  // An invite takes well under a second; the claim's full length would be a needlessly long hint.
  throw new IdempotencyInProgress(1);
}

function claim(db: Directory, key: Key, bodyDigest: string, claimId: string, nowMs: number, claimForMs: number): Promise<boolean> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const record = { type: IDEMPOTENCY_TYPE, bodyDigest, state: 'in_progress', claimId, claimExpiresAt: nowMs + claimForMs, ttl: nowSeconds + WINDOW_SECONDS };
  // An expired record (TTL deletion lags) counts as absent, and so does a claim whose holder is dead.
  const free = or(
    itemAbsent,
    idempotencyIs.lt('ttl', nowSeconds),
    and(idempotencyIs.eq('state', 'in_progress'), or(idempotencyIs.attributeNotExists('claimExpiresAt'), idempotencyIs.lt('claimExpiresAt', nowMs))),
  );
  return writeOneIfAllowed(db, putWrite(key, record, free));
}

async function runClaimed(db: Directory, key: Key, claimId: string, work: () => Promise<StoredResponse>): Promise<StoredResponse> {
  const mine = idempotencyIs.eq('claimId', claimId);
  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    // False when the claim was no longer ours: it then belongs to whoever took it over.
    await writeOneIfAllowed(db, deleteWrite(key, mine));
    throw error;
  }
  const done = idempotencyUpdate().set('state', 'done').set('status', response.status).set('responseJson', JSON.stringify(response.body)).remove('claimExpiresAt');
  // Our claim expired and a repeat took the key over: its outcome is the one repeats will see.
  if (!(await writeOneIfAllowed(db, updateWrite(key, done, mine)))) throw new IdempotencyInProgress(1);
  return response;
}
