import { BatchGetCommand, GetCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/errors';
import type { Directory } from './directory';
import { render, type Condition } from './expressions';
import type { Key } from './key';
import { again, retryWithBackoff, THROTTLE_BACKOFF, type Backoff } from './retry';
import type { IndexName } from './table';

/**
 * Every read of the directory goes through here: one consistent GetItem, one BatchGet helper that
 * always finishes what DynamoDB left unprocessed, and one query paginator.
 */

/** A classic or mini zod schema: both parse. */
export interface Parser<T> {
  parse(value: unknown): T;
}

/** Strongly consistent read of one item, parsed with its schema. */
export async function readItem<T>(db: Directory, key: Key, schema: Parser<T>): Promise<T | null> {
  const { Item } = await db.client.send(new GetCommand({ TableName: db.tableName, Key: { ...key }, ConsistentRead: true }));
  return Item ? schema.parse(Item) : null;
}

/** DynamoDB's limit on the keys of one BatchGetItem call. */
const BATCH_GET_KEYS = 100;

const keyId = (item: { readonly pk?: unknown; readonly sk?: unknown }) => JSON.stringify([item.pk, item.sk]);

/**
 * Strongly consistent BatchGetItem of any number of keys (duplicates asked once). Unprocessed keys
 * mean the partition is throttled right now: they are asked again with full-jitter backoff, and when
 * the attempts run out the read fails with 503. It never answers as if an unread item were absent.
 * Items come back keyed by `pk`/`sk`; BatchGet answers in any order.
 */
export async function batchGetItems(db: Directory, keys: readonly Key[], backoff: Backoff = THROTTLE_BACKOFF): Promise<Map<string, Record<string, unknown>>> {
  const unique = [...new Map(keys.map((key) => [keyId(key), { pk: key.pk, sk: key.sk }])).values()];
  const found = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] = unique.slice(start, start + BATCH_GET_KEYS);
    await retryWithBackoff(
      backoff,
      async () => {
        const page = await db.client.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of page.Responses?.[db.tableName] ?? []) found.set(keyId(item), item);
        pending = page.UnprocessedKeys?.[db.tableName]?.Keys ?? [];
        return pending.length > 0 ? again() : undefined;
      },
      () => new AppError('service_unavailable', 'The directory is busy; try again shortly.'),
    );
  }
  return found;
}

/** The item read for `key` by {@link batchGetItems}, if it exists. */
export const foundItem = (found: ReadonlyMap<string, Record<string, unknown>>, key: Key) => found.get(keyId(key));

/** The item read for `key`, parsed with its schema, or null when it does not exist. */
export function foundParsed<T>(found: ReadonlyMap<string, Record<string, unknown>>, key: Key, schema: Parser<T>): T | null {
  const item = foundItem(found, key);
  return item ? schema.parse(item) : null;
}

export interface Query {
  readonly index?: IndexName | undefined;
  readonly keyCondition: Condition;
  readonly filter?: Condition | undefined;
  readonly projection?: readonly string[] | undefined;
  readonly newestFirst?: boolean | undefined;
  readonly consistent?: boolean | undefined;
  /** Items per page DynamoDB evaluates. */
  readonly pageSize?: number | undefined;
  readonly startKey?: Record<string, unknown> | undefined;
}

function queryInput(db: Directory, query: Query): QueryCommandInput {
  return {
    TableName: db.tableName,
    ...(query.index ? { IndexName: query.index } : {}),
    ...(render({ keyCondition: query.keyCondition, filter: query.filter, projection: query.projection }) as { KeyConditionExpression: string }),
    ...(query.newestFirst ? { ScanIndexForward: false } : {}),
    ...(query.consistent ? { ConsistentRead: true } : {}),
    ...(query.pageSize ? { Limit: query.pageSize } : {}),
    ...(query.startKey ? { ExclusiveStartKey: query.startKey } : {}),
  };
}

/** The pages of a query, each with the key to continue after it. */
export async function* queryPages(db: Directory, query: Query): AsyncGenerator<{ items: Record<string, unknown>[]; lastKey: Record<string, unknown> | undefined }> {
  for await (const page of paginateQuery({ client: db.client, ...(query.startKey ? { startingToken: query.startKey } : {}) }, queryInput(db, query))) {
    yield { items: page.Items ?? [], lastKey: page.LastEvaluatedKey };
  }
}

/** One page of a query: DynamoDB's own page, for lists that hand out their own cursor. */
export async function queryOnePage(db: Directory, query: Query): Promise<{ items: Record<string, unknown>[]; lastKey: Record<string, unknown> | undefined }> {
  for await (const page of queryPages(db, query)) return page;
  return { items: [], lastKey: undefined };
}

/** Every item a query finds, across all pages. */
export async function queryAll(db: Directory, query: Query): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, query)) items.push(...page.items);
  return items;
}
