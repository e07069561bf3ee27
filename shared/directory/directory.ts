import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { documentClient } from '../clients/dynamodb';
import { required } from '../config';
import type { Key } from './keys';

/** What every directory operation needs; passed in so tests can point it at any table. */
export interface Directory {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function directoryFromEnvironment(): Directory {
  return { client: documentClient, tableName: required('TABLE_NAME') };
}

/** Strongly consistent read of one item, parsed with its schema. */
export async function getItem<T extends z.ZodType>(db: Directory, key: Key, schema: T): Promise<z.infer<T> | null> {
  const { Item } = await db.client.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }));
  return Item ? schema.parse(Item) : null;
}

export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
