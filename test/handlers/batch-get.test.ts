import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireGroups } from '../../shared/directory/group-catalog';
import type { Directory } from '../../shared/directory/directory';

const ddbMock = mockClient(DynamoDBDocumentClient);
const TABLE = 'guestpass-test';
const db: Directory = { client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), tableName: TABLE };

const groupKey = { pk: 'SITE#acme', sk: 'GROUP#grp_1' };
const groupItem = { ...groupKey, type: 'group', siteId: 'acme', groupId: 'grp_1', name: 'Partners', role: 'guest', memberCount: 0, createdAt: '2030-01-01T00:00:00.000Z' };

beforeEach(() => {
  // Full-jitter backoff: Math.random() = 0 makes every sleep 0 ms.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  ddbMock.reset();
  vi.restoreAllMocks();
});

describe('BatchGet under throttling', () => {
  it('finds a group DynamoDB left unprocessed on the first call, instead of answering 404', async () => {
    ddbMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [groupKey], ConsistentRead: true } } })
      .resolvesOnce({ Responses: { [TABLE]: [groupItem] }, UnprocessedKeys: {} });

    const groups = await requireGroups(db, 'acme', ['grp_1']);

    expect(groups.map((group) => group.groupId)).toEqual(['grp_1']);
    const calls = ddbMock.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    // The retry asks only for what was left over, still strongly consistent.
    expect(calls[1]!.args[0].input.RequestItems?.[TABLE]).toEqual({ Keys: [groupKey], ConsistentRead: true });
  });

  it('gives up with service_unavailable, never not_found, when the keys stay unprocessed', async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [groupKey], ConsistentRead: true } } });

    await expect(requireGroups(db, 'acme', ['grp_1'])).rejects.toMatchObject({ code: 'service_unavailable' });
  });

  it('still answers not_found for a group that does not exist', async () => {
    ddbMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });

    await expect(requireGroups(db, 'acme', ['grp_1'])).rejects.toMatchObject({ code: 'not_found' });
  });
});
