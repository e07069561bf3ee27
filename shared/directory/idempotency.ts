import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { AppError, conflict } from '../domain/errors';
import { getItem, type Directory } from './directory';
import { keys } from './keys';

const WINDOW_SECONDS = 24 * 3600;
/** Without a Lambda clock to bound it, a claim lasts as long as an API function may run. */
const DEFAULT_CLAIM_MS = 10_000;
/**
 * How long a repeat waits for a live claim to finish before answering 409: long enough for concurrent
 * double-submits of a quick request to get its response, short enough to stay far inside a Lambda.
 */
const REPLAY_WAIT_MS = 750;
/** A claim that expires between our failed put and our read is taken over on the next try. */
const CLAIM_ATTEMPTS = 3;

const IdempotencyRecord = z.object({
  bodyDigest: z.string(),
  state: z.enum(['in_progress', 'done']),
  status: z.number().int().optional(),
  /** Kept as JSON text: a DynamoDB map would not keep key order, and replays must be byte-identical. */
  responseJson: z.string().optional(),
  /** Epoch ms after which the claimant is dead (its Lambda timed out or crashed). Older records lack it. */
  claimExpiresAt: z.number().int().optional(),
  /** Who holds the claim, so a claimant that outlived its claim cannot overwrite its successor. */
  claimId: z.string().optional(),
  ttl: z.number().int(),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The key is claimed by a request that may still finish: the caller should retry, not wait here. */
export class IdempotencyInProgress extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('conflict', `A request with this Idempotency-Key is still in progress; retry in ${retryAfterSeconds} s.`);
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
export async function withIdempotency(
  db: Directory,
  scope: { siteId: string; callerId: string; key: string; bodyDigest: string; claimForMs?: number },
  now: Date,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const key = keys.idempotency(scope.siteId, scope.callerId, scope.key);
  const nowMs = now.getTime();
  const claimId = randomUUID();
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    if (await claim(db, key, scope.bodyDigest, claimId, nowMs, scope.claimForMs ?? DEFAULT_CLAIM_MS)) return runClaimed(db, key, claimId, work);
    const stored = await replay(db, key, scope.bodyDigest, nowMs);
    if (stored) return stored;
  }
  throw new IdempotencyInProgress(1);
}

/** The stored response; null when the key is free again (its holder failed or died). */
async function replay(db: Directory, key: { pk: string; sk: string }, bodyDigest: string, nowMs: number): Promise<StoredResponse | null> {
  // `now` is the request's clock (tests move it); the waiting itself is in real time.
  const started = Date.now();
  for (let delay = 25; ; delay = Math.min(delay * 2, 200)) {
    const record = await getItem(db, key, IdempotencyRecord);
    if (!record) return null;
    if (record.bodyDigest !== bodyDigest) throw conflict('This Idempotency-Key was used with a different request body.');
    if (record.state === 'done' && record.status !== undefined && record.responseJson !== undefined) {
      return { status: record.status, body: JSON.parse(record.responseJson) as unknown };
    }
    const waited = Date.now() - started;
    const claimLeftMs = (record.claimExpiresAt ?? 0) - (nowMs + waited);
    if (claimLeftMs <= 0) return null;
    if (waited + delay > REPLAY_WAIT_MS) throw new IdempotencyInProgress(Math.max(1, Math.ceil(claimLeftMs / 1000)));
    await sleep(delay);
  }
}

async function claim(db: Directory, key: { pk: string; sk: string }, bodyDigest: string, claimId: string, nowMs: number, claimForMs: number): Promise<boolean> {
  const nowSeconds = Math.floor(nowMs / 1000);
  try {
    await db.client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...key, type: 'idempotency', bodyDigest, state: 'in_progress', claimId, claimExpiresAt: nowMs + claimForMs, ttl: nowSeconds + WINDOW_SECONDS },
        // An expired record (TTL deletion lags) counts as absent, and so does a claim whose holder is dead.
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :nowSeconds OR (#state = :inProgress AND (attribute_not_exists(claimExpiresAt) OR claimExpiresAt < :nowMs))',
        ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds, ':nowMs': nowMs, ':inProgress': 'in_progress' },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

async function runClaimed(db: Directory, key: { pk: string; sk: string }, claimId: string, work: () => Promise<StoredResponse>): Promise<StoredResponse> {
  const mine = { ConditionExpression: 'claimId = :claimId', ExpressionAttributeValues: { ':claimId': claimId } };
  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    await ignoreLostClaim(db.client.send(new DeleteCommand({ TableName: db.tableName, Key: key, ...mine })));
    throw error;
  }
  const stored = await ignoreLostClaim(
    db.client.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: 'SET #state = :done, #status = :status, responseJson = :json REMOVE claimExpiresAt',
        ConditionExpression: mine.ConditionExpression,
        ExpressionAttributeNames: { '#state': 'state', '#status': 'status' },
        ExpressionAttributeValues: { ...mine.ExpressionAttributeValues, ':done': 'done', ':status': response.status, ':json': JSON.stringify(response.body) },
      }),
    ),
  );
  // Our claim expired and a repeat took the key over: its outcome is the one repeats will see.
  if (!stored) throw new IdempotencyInProgress(1);
  return response;
}

/** False when the claim was no longer ours; it then belongs to whoever took it over. */
async function ignoreLostClaim(send: Promise<unknown>): Promise<boolean> {
  try {
    await send;
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
