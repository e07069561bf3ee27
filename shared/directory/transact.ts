import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/errors';
import type { Directory } from './directory';
import { again, DECISION_BACKOFF, RETRYABLE_CANCELLATION_REASONS, retryWithBackoff, THROTTLE_BACKOFF } from './retry';
import { transactItems, type TransactItem, type Write } from './writes';


/** A transaction refused by one of its conditions; `failedIndexes` point into the items written. */
export class TransactionRefused extends Error {
  override readonly name = 'TransactionRefused';
  constructor(
    readonly failedIndexes: readonly number[],
    readonly oldItems: ReadonlyMap<number, Record<string, unknown>>,
  ) {
    super(`Transaction refused by the conditions of items ${failedIndexes.join(', ')}`);
  }
}

const isCancellation = (error: unknown): error is TransactionCanceledException =>
  error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException';

/**
 * TransactWriteItems with our own retry: the SDK does not retry a cancelled transaction, and under
 * contention for one counter item DynamoDB cancels with `TransactionConflict`. Retries reuse the
 * ClientRequestToken, so a transaction that did commit before a lost reply is not applied twice.
 * A condition failure is final and surfaces as TransactionRefused with the failing items' images.
 */
export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> {
  const clientRequestToken = randomUUID();
  await retryWithBackoff(
    THROTTLE_BACKOFF,
    async () => {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: clientRequestToken }));
        return undefined;
      } catch (error) {
        if (!isCancellation(error)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
        if (failed.length > 0) {
          const oldItems = new Map<number, Record<string, unknown>>();
          for (const index of failed) {
            const image = reasons[index]?.Item;
            if (image) oldItems.set(index, unmarshall(image));
          }
          throw new TransactionRefused(failed, oldItems);
        }
        const retryable = reasons.length === 0 || reasons.some((reason) => RETRYABLE_CANCELLATION_REASONS.has(reason.Code ?? ''));
        if (!retryable) throw error;
        return again<unknown>(error);
      }
    },
    (lastError) => lastError,
  );
}

/** Returned by a decision step whose transaction was refused: re-read and decide again. */
export const RETRY = Symbol('retry');

/**
 * Optimistic concurrency: `attempt` reads, decides and writes one transaction conditioned on what
 * it read. A refused condition means someone changed that state meanwhile, so it starts over.
 */
export async function decideAndCommit<T>(attempt: () => Promise<T | typeof RETRY>, what: string, maxAttempts = DECISION_BACKOFF.maxAttempts): Promise<T> {
  return retryWithBackoff(
    { ...DECISION_BACKOFF, maxAttempts },
    async () => {
      const result = await attempt();
      return result === RETRY ? again() : result;
    },
    () => new AppError('service_unavailable', `The ${what} is changing too fast to update; try again.`),
  );
}

/** TransactWrite that answers false, instead of throwing, when one of its conditions refuses it. */
export async function commitIfUnchanged(client: DynamoDBDocumentClient, items: TransactItem[]): Promise<boolean> {
  try {
    await transactWrite(client, items);
    return true;
  } catch (error) {
    if (error instanceof TransactionRefused) return false;
    throw error;
  }
}

/** The writes of one transaction against the directory table (merged, rendered, committed). */
export async function commitWrites(db: Directory, writes: readonly Write[]): Promise<void> {
  await transactWrite(db.client, transactItems(db.tableName, writes));
}

/** {@link commitWrites} that answers false when one of the conditions refuses the transaction. */
export async function commitWritesIfUnchanged(db: Directory, writes: readonly Write[]): Promise<boolean> {
  return commitIfUnchanged(db.client, transactItems(db.tableName, writes));
}
