import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import type { Directory } from '../../shared/directory/directory';

/** A fresh table in the shared DynamoDB Local, so test files never see each other's data. */
export async function freshDirectory(prefix = 'test'): Promise<Directory> {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(inject('dynamoEndpoint'), tableName);
  return directoryOf(tableName);
}

/** An existing table of the shared DynamoDB Local (a local stack's), for setting up and checking state directly. */
export function directoryOf(tableName: string): Directory {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 5 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, tableName };
}

/** Every item of the table; tests use it to check invariants, never the code under test. */
export async function scanAll(db: Directory): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.client.send(new ScanCommand({ TableName: db.tableName, ExclusiveStartKey: cursor, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** The same table through a client whose `send` is intercepted: a crash or a concurrent change on cue. */
export function intercepted(db: Directory, on: (command: unknown, forward: () => Promise<unknown>) => Promise<unknown>): Directory {
  const client = Object.create(db.client) as Directory['client'];
  const send = db.client.send.bind(db.client) as (command: unknown) => Promise<unknown>;
  client.send = ((command: unknown) => on(command, () => send(command))) as Directory['client']['send'];
  return { client, tableName: db.tableName };
}

/** The same table, with `meanwhile` run once just before the first transaction: a writer between a read and its write. */
export function beforeFirstTransaction(db: Directory, meanwhile: () => Promise<unknown>): Directory {
  let raced = false;
  return intercepted(db, async (command, forward) => {
    if (!raced && command instanceof TransactWriteCommand) {
      raced = true;
      await meanwhile();
    }
    return forward();
  });
}
