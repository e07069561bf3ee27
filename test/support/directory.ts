import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
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
