import { DynamoDBClient, ScanCommand as RawScanCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import { startTtlSweeper, type TtlSweeper } from '../../infra/local/ttl-sweeper';
import type { Directory } from '../../shared/directory/directory';
import { freshDirectory, scanAll } from '../support/directory';
import { eventually } from '../support/stack';

/** DynamoDB Local never expires items; the local stack's sweeper does it as DynamoDB's TTL does. */
const NOW_MS = Date.UTC(2026, 5, 1, 12, 0, 0);
const NOW = NOW_MS / 1000;
const YEAR = 365 * 86_400;

const sweepers: TtlSweeper[] = [];
afterEach(async () => {
  await Promise.all(sweepers.splice(0).map((sweeper) => sweeper.stop()));
});

function sweeperFor(db: Directory, options: { intervalSeconds?: number; pageSize?: number; now?: () => number; client?: DynamoDBClient } = {}): TtlSweeper {
  const sweeper = startTtlSweeper({ endpoint: inject('dynamoEndpoint'), tableName: db.tableName, now: () => NOW_MS, ...options });
  sweepers.push(sweeper);
  return sweeper;
}

const put = (db: Directory, sk: string, extra: Record<string, unknown>) =>
  db.client.send(new PutCommand({ TableName: db.tableName, Item: { pk: 'SWEEP', sk, gsi1pk: 'SWEEP', gsi1sk: sk, ...extra } }));

const keysLeft = async (db: Directory) => (await scanAll(db)).map((item) => item.sk as string).sort();

describe('the TTL sweeper of the local stack', () => {
  it('deletes items whose ttl is past, page by page, and leaves the rest as DynamoDB does', async () => {
    const db = await freshDirectory('ttl-sweep');
    const expired = Array.from({ length: 30 }, (_, i) => `expired-${String(i).padStart(2, '0')}`);
    const kept = Array.from({ length: 30 }, (_, i) => `future-${String(i).padStart(2, '0')}`);
    await Promise.all([
      ...expired.map((sk, i) => put(db, sk, { ttl: NOW - 1 - i })),
      ...kept.map((sk, i) => put(db, sk, { ttl: NOW + 1 + i })),
      put(db, 'exactly-now', { ttl: NOW }),
      put(db, 'no-ttl', {}),
      // TTL only reads Numbers, and leaves items whose ttl is more than five years old.
      put(db, 'string-ttl', { ttl: String(NOW - 100) }),
      put(db, 'six-years-old', { ttl: NOW - 6 * YEAR }),
    ]);

    // Seven items a page: the sixty-odd items take several Scan pages, none of them skipped.
    const deleted = await sweeperFor(db, { pageSize: 7 }).sweep();

    expect(deleted).toBe(30);
    expect(await keysLeft(db)).toEqual([...kept, 'exactly-now', 'no-ttl', 'six-years-old', 'string-ttl'].sort());
    // Gone from the indexes too (a deletion, not a flag).
    const index = await db.client.send(new RawScanCommand({ TableName: db.tableName, IndexName: 'gsi1' }));
    expect(index.Count).toBe(34);
  });

  it('keeps an item whose ttl was renewed after the sweep read it', async () => {
    const db = await freshDirectory('ttl-renew');
    await put(db, 'renewed', { ttl: NOW - 60 });
    await put(db, 'stale', { ttl: NOW - 60 });
    // A writer renews `renewed` between the sweeper's Scan and its DeleteItem.
    const client = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'ScanCommand') {
          await db.client.send(
            new UpdateCommand({ TableName: db.tableName, Key: { pk: 'SWEEP', sk: 'renewed' }, UpdateExpression: 'SET #ttl = :ttl', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':ttl': NOW + 3600 } }),
          );
        }
        return result;
      },
      { step: 'initialize' },
    );

    const deleted = await sweeperFor(db, { client }).sweep();

    expect(deleted).toBe(1);
    expect(await keysLeft(db)).toEqual(['renewed']);
    client.destroy();
  });

  it('sweeps by itself every interval, so an item is gone within a bounded delay of expiring', async () => {
    const db = await freshDirectory('ttl-timer');
    const realNowSeconds = () => Math.floor(Date.now() / 1000);
    await put(db, 'soon', { ttl: realNowSeconds() + 1 });
    await put(db, 'later', { ttl: realNowSeconds() + 3600 });
    sweeperFor(db, { intervalSeconds: 0.25, now: Date.now });

    const started = Date.now();
    await eventually(async () => !(await keysLeft(db)).includes('soon'), { timeoutMs: 5_000 });

    // It expired a second in: one interval and one sweep later it is gone, and nothing else is.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await keysLeft(db)).toEqual(['later']);
  });

  it('refuses an interval longer than a minute (the bound the local stack promises)', () => {
    expect(() => startTtlSweeper({ endpoint: inject('dynamoEndpoint'), tableName: 'unused', intervalSeconds: 61 })).toThrow(RangeError);
    expect(() => startTtlSweeper({ endpoint: inject('dynamoEndpoint'), tableName: 'unused', intervalSeconds: 0 })).toThrow(RangeError);
  });
});
