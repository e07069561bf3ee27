import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/errors';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
export type TransactItem = TransactItems[number];

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

const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);
const MAX_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * TransactWriteItems with our own retry: the SDK does not retry a cancelled transaction, and under
 * contention for one counter item DynamoDB cancels with `TransactionConflict`. Retries reuse the
 * ClientRequestToken, so a transaction that did commit before a lost reply is not applied twice.
 * A condition failure is final and surfaces as TransactionRefused with the failing items' images.
 */
export async function transactWrite(client: DynamoDBDocumentClient, items: TransactItems): Promise<void> {
  const clientRequestToken = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: clientRequestToken }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) && (error as Error).name !== 'TransactionCanceledException') {
        throw error;
      }
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      if (failed.length > 0) {
        const oldItems = new Map<number, Record<string, unknown>>();
        for (const index of failed) {
          const image = reasons[index]?.Item;
          if (image) oldItems.set(index, unmarshall(image));
        }
        throw new TransactionRefused(failed, oldItems);
      }
      const retryable = reasons.length === 0 || reasons.some((reason) => RETRYABLE_REASONS.has(reason.Code ?? ''));
      if (!retryable || attempt >= MAX_ATTEMPTS) throw error;
      // Full jitter keeps a crowd of writers on one counter from colliding again in lockstep.
      await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
    }
  }
}

/** Returned by a decision step whose transaction was refused: re-read and decide again. */
export const RETRY = Symbol('retry');

/**
 * Optimistic concurrency: `attempt` reads, decides and writes one transaction conditioned on what
 * it read. A refused condition means someone changed that state meanwhile, so it starts over.
 */
export async function decideAndCommit<T>(attempt: () => Promise<T | typeof RETRY>, what: string, maxAttempts = 6): Promise<T> {
  for (let round = 1; round <= maxAttempts; round++) {
    const result = await attempt();
    if (result !== RETRY) return result;
  }
  throw new AppError('service_unavailable', `The ${what} is changing too fast to update; try again.`);
}

/** TransactWrite that answers false, instead of throwing, when one of its conditions refuses it. */
export async function commitIfUnchanged(client: DynamoDBDocumentClient, items: TransactItems): Promise<boolean> {
  try {
    await transactWrite(client, items);
    return true;
  } catch (error) {
    if (error instanceof TransactionRefused) return false;
    throw error;
  }
}
