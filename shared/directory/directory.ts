import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import { required } from '../config';

/** What every directory operation needs; passed in so tests can point it at any table. */
export interface Directory {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function directoryFromEnvironment(): Directory {
  return { client: documentClient, tableName: required('TABLE_NAME') };
}
