import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION } from '../../shared/directory/table';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './services';

/**
 * DynamoDB's TTL for DynamoDB Local. Local accepts `UpdateTimeToLive` and reports TTL as ENABLED,
 * but never deletes anything; in AWS a background process deletes items whose TTL attribute (a
 * Number, epoch seconds) is in the past. This sweeper is that background process: every
 * `intervalSeconds` it finds the expired items and deletes each one that is still expired, so an
 * item is gone at most one interval (plus one sweep) after it expires — AWS only promises "within
 * a few days", so code that depends on TTL cannot tell the difference except by being faster.
 *
 * It Scans the whole table. That is fine here and only here: it is the stand-in doing AWS's own
 * work, with no request units to pay; product code never scans the directory.
 */

/** The longest interval between sweeps the local stack uses. */
export const MAX_TTL_SWEEP_SECONDS = 60;
export const DEFAULT_TTL_SWEEP_SECONDS = 30;

/** As in AWS: items whose TTL is more than five years in the past are never deleted by TTL. */
const FIVE_YEARS_SECONDS = 5 * 365 * 86_400;

export interface TtlSweeperOptions {
  readonly endpoint: string;
  readonly tableName: string;
  /** Seconds between sweeps, more than 0 and at most 60 (default 30); tests use short ones. */
  readonly intervalSeconds?: number;
  /** Epoch milliseconds; tests move the clock instead of waiting. */
  readonly now?: () => number;
  /** Items per Scan page (default: DynamoDB's 1 MB pages); tests page in small steps. */
  readonly pageSize?: number;
  /** A client of the caller's (tests watch its calls); it is theirs to destroy. */
  readonly client?: DynamoDBClient;
  /** Told about a sweep that failed (the table was deleted, DynamoDB Local stopped); the next one runs anyway. */
  readonly onError?: (error: Error) => void;
}

export interface TtlSweeper {
  /** Runs one sweep now (waiting for one already running first) and answers how many items it deleted. */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function startTtlSweeper(options: TtlSweeperOptions): TtlSweeper {
  const intervalSeconds = options.intervalSeconds ?? DEFAULT_TTL_SWEEP_SECONDS;
  if (!(intervalSeconds > 0 && intervalSeconds <= MAX_TTL_SWEEP_SECONDS)) {
    throw new RangeError(`ttl sweep interval must be more than 0 and at most ${MAX_TTL_SWEEP_SECONDS} seconds, not ${intervalSeconds}`);
  }
  const now = options.now ?? Date.now;
  const client = options.client ?? new DynamoDBClient({ endpoint: options.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const { partitionKey, sortKey, ttlAttribute } = TABLE_DEFINITION;
  const names = { '#pk': partitionKey, '#sk': sortKey, '#ttl': ttlAttribute };

  async function sweepOnce(): Promise<number> {
    const nowSeconds = Math.floor(now() / 1000);
    // A Number below now and not older than five years; a String or missing ttl never matches.
    const expired = '#ttl < :now AND #ttl >= :oldest';
    const values: Record<string, AttributeValue> = { ':now': { N: String(nowSeconds) }, ':oldest': { N: String(nowSeconds - FIVE_YEARS_SECONDS) } };
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: options.tableName,
          ProjectionExpression: '#pk, #sk, #ttl',
          FilterExpression: expired,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ...(options.pageSize !== undefined ? { Limit: options.pageSize } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        try {
          // Only if it is still expired: a writer may have renewed its ttl since the Scan read it.
          await client.send(
            new DeleteItemCommand({
              TableName: options.tableName,
              Key: { [partitionKey]: item[partitionKey]!, [sortKey]: item[sortKey]! },
              ConditionExpression: expired,
              ExpressionAttributeNames: { '#ttl': ttlAttribute },
              ExpressionAttributeValues: values,
            }),
          );
          deleted += 1;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  let running: Promise<number> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function sweep(): Promise<number> {
    const previous = running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(sweepOnce);
    const settled = next.finally(() => {
      if (running === settled) running = undefined;
    });
    running = settled;
    return settled;
  }

  function schedule(): void {
    if (stopped) return;
    // The next sweep is counted from the end of this one, so a slow sweep never overlaps the next.
    timer = setTimeout(() => {
      sweep()
        .catch((error: unknown) => options.onError?.(error as Error))
        .finally(schedule);
    }, intervalSeconds * 1000);
    // The stack's own close stops it; it never keeps a process alive by itself.
    timer.unref();
  }
  schedule();

  return {
    sweep,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      if (!options.client) client.destroy();
    },
  };
}
