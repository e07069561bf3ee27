import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { transactWrite, TransactionRefused } from '../../shared/directory/transact';
import type { TransactItem } from '../../shared/directory/writes';

const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const TABLE = 'guestpass-test';
const items: TransactItem[] = [
  { Update: { TableName: TABLE, Key: { pk: 'SITE#acme', sk: 'SITE' }, UpdateExpression: 'ADD guests :one', ExpressionAttributeValues: { ':one': 1 } } },
  { Put: { TableName: TABLE, Item: { pk: 'SITE#acme', sk: 'USER#usr_1', type: 'person' } } },
  { Put: { TableName: TABLE, Item: { pk: 'SITE#acme', sk: 'EMAIL#pat@example.com' }, ConditionExpression: 'attribute_not_exists(pk)' } },
];

const cancelled = (reasons: CancellationReason[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons });

const conflict = () => cancelled([{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' }]);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

beforeEach(() => {
  // Full-jitter backoff: Math.random() = 0 makes every sleep 0 ms.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  ddbMock.reset();
  vi.restoreAllMocks();
});

describe('transactWrite', () => {
  it('sends the items once with a ClientRequestToken when the transaction commits', async () => {
    // Prepare
    ddbMock.on(TransactWriteCommand).resolves({});
    // Act
    await transactWrite(client, items);
    // Assess
    const calls = ddbMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TransactItems).toEqual(items);
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries TransactionConflict with the same ClientRequestToken and resolves on the third attempt', async () => {
    // Prepare
    ddbMock.on(TransactWriteCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});
    // Act
    await expect(transactWrite(client, items)).resolves.toBeUndefined();
    // Assess
    const calls = ddbMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(3);
    const tokens = calls.map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens[0]).toEqual(expect.any(String));
    expect(new Set(tokens).size).toBe(1);
    for (const call of calls) expect(call.args[0].input.TransactItems).toEqual(items);
  });

  it('uses a fresh ClientRequestToken for each separate transaction', async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await transactWrite(client, items);
    await transactWrite(client, items);
    const [first, second] = ddbMock.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.ClientRequestToken);
    expect(first).not.toBe(second);
  });

  it('waits with jittered exponential backoff between attempts', async () => {
    // Prepare: Math.random() = 1 gives the upper bound of each wait
    vi.spyOn(Math, 'random').mockReturnValue(1);
    vi.useFakeTimers();
    try {
      ddbMock.on(TransactWriteCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});
      // Act
      const done = transactWrite(client, items);
      await vi.advanceTimersByTimeAsync(49); // first wait: 25 × 2¹ = 50 ms
      const afterFirstWindow = ddbMock.commandCalls(TransactWriteCommand).length;
      await vi.advanceTimersByTimeAsync(1);
      const afterFirstSleep = ddbMock.commandCalls(TransactWriteCommand).length;
      await vi.advanceTimersByTimeAsync(100); // second wait: 25 × 2² = 100 ms
      await done;
      // Assess
      expect(afterFirstWindow).toBe(1);
      expect(afterFirstSleep).toBe(2);
      expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('turns ConditionalCheckFailed into TransactionRefused with the failed index and the unmarshalled old image', async () => {
    // Prepare
    ddbMock.on(TransactWriteCommand).rejects(
      cancelled([
        { Code: 'None' },
        { Code: 'None' },
        {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          Item: { pk: { S: 'SITE#acme' }, sk: { S: 'EMAIL#pat@example.com' }, userId: { S: 'usr_9' }, ratioRoom: { N: '0' }, tags: { L: [{ S: 'a' }] } },
        },
      ]),
    );
    // Act
    const error = await rejection(transactWrite(client, items));
    // Assess
    expect(error).toBeInstanceOf(TransactionRefused);
    const refused = error as TransactionRefused;
    expect(refused.name).toBe('TransactionRefused');
    expect(refused.failedIndexes).toEqual([2]);
    expect([...refused.oldItems.keys()]).toEqual([2]);
    expect(refused.oldItems.get(2)).toEqual({ pk: 'SITE#acme', sk: 'EMAIL#pat@example.com', userId: 'usr_9', ratioRoom: 0, tags: ['a'] });
    expect(refused.message).toContain('2');
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('reports every failed index; an image is only present where DynamoDB returned one', async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'ConditionalCheckFailed', Item: { pk: { S: 'SITE#acme' }, userRoom: { N: '3' } } }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
    const refused = (await rejection(transactWrite(client, items))) as TransactionRefused;
    expect(refused).toBeInstanceOf(TransactionRefused);
    expect(refused.failedIndexes).toEqual([0, 2]);
    expect(refused.oldItems.get(0)).toEqual({ pk: 'SITE#acme', userRoom: 3 });
    expect(refused.oldItems.has(2)).toBe(false);
  });

  it('a condition failure is final even when another item conflicted: no retry', async () => {
    ddbMock.on(TransactWriteCommand).rejects(cancelled([{ Code: 'TransactionConflict' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }]));
    const refused = await rejection(transactWrite(client, items));
    expect(refused).toBeInstanceOf(TransactionRefused);
    expect((refused as TransactionRefused).failedIndexes).toEqual([1]);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('gives up after 8 attempts of persistent conflict and rethrows the cancellation', async () => {
    // Prepare
    const persistent = conflict();
    ddbMock.on(TransactWriteCommand).rejects(persistent);
    // Act
    const error = await rejection(transactWrite(client, items));
    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error).not.toBeInstanceOf(TransactionRefused);
    expect((error as TransactionCanceledException).CancellationReasons?.[1]?.Code).toBe('TransactionConflict');
    const calls = ddbMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(8);
    expect(new Set(calls.map((call) => call.args[0].input.ClientRequestToken)).size).toBe(1);
  });

  it('also retries throttled items inside a cancelled transaction', async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'ThrottlingError' }, { Code: 'None' }, { Code: 'None' }]))
      .resolves({});
    await transactWrite(client, items);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('rethrows a cancellation for a non-retryable reason (ValidationError) after one attempt', async () => {
    const invalid = cancelled([{ Code: 'None' }, { Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' }, { Code: 'None' }]);
    ddbMock.on(TransactWriteCommand).rejects(invalid);
    const error = await rejection(transactWrite(client, items));
    expect(error).toBe(invalid);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('rethrows a non-cancellation error untouched, without retrying', async () => {
    // Prepare
    const throttled = Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), {
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    ddbMock.on(TransactWriteCommand).rejects(throttled);
    // Act
    const error = await rejection(transactWrite(client, items));
    // Assess
    expect(error).toBe(throttled);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
