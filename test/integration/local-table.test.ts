import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import { TABLE_DEFINITION } from '../../shared/directory/table';
import { freshDirectory } from '../support/directory';

/** The local table is the deployed table's twin: same keys and indexes (from one definition), and TTL on. */
describe('the local directory table', () => {
  it('has TTL enabled on the same attribute as the CDK table', async () => {
    const db = await freshDirectory('ttl');
    const client = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: db.tableName }));
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE_DEFINITION.ttlAttribute });
    client.destroy();
  });
});
