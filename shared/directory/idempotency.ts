import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { AppError, conflict } from '../domain/errors';
import { epochSeconds, getItem, type Directory } from './directory';
import { keys } from './keys';

const WINDOW_SECONDS = 24 * 3600;
const WAIT_FOR_FIRST_MS = 25_000;

const IdempotencyRecord = z.object({
  bodyDigest: z.string(),
  state: z.enum(['in_progress', 'done']),
  status: z.number().int().optional(),
  /** Kept as JSON text: a DynamoDB map would not keep key order, and replays must be byte-identical. */
  responseJson: z.string().optional(),
  ttl: z.number().int(),
});

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const key = keys.idempotency(scope.siteId, scope.callerId, scope.key);
  const nowSeconds = epochSeconds(now.toISOString());
  try {
    await db.client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...key, type: 'idempotency', bodyDigest: scope.bodyDigest, state: 'in_progress', ttl: nowSeconds + WINDOW_SECONDS },
        // An expired record (TTL deletion lags) counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return replay(db, key, scope.bodyDigest);
  }
  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    await db.client.send(new DeleteCommand({ TableName: db.tableName, Key: key }));
    throw error;
  }
  await db.client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'SET #state = :done, #status = :status, responseJson = :json',
      ExpressionAttributeNames: { '#state': 'state', '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':status': response.status, ':json': JSON.stringify(response.body) },
    }),
  );
  return response;
}

async function replay(db: Directory, key: { pk: string; sk: string }, bodyDigest: string): Promise<StoredResponse> {
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const record = await getItem(db, key, IdempotencyRecord);
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
