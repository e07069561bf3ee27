import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import { required } from '../config';
import type { Key } from './key';
import { readItem, type Parser } from './reads';

export { epochSeconds } from './time';

/** What every directory operation needs; passed in so tests can point it at any table. */
export interface Directory {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function directoryFromEnvironment(): Directory {
  return { client: documentClient, tableName: required('TABLE_NAME') };
}

/** Strongly consistent read of one item, parsed with its schema. */
export async function getItem<T>(db: Directory, key: Key, schema: Parser<T>): Promise<T | null> {
  return readItem(db, key, schema);
}
