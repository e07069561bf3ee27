import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, freePort, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type RunningDynamo } from '../infra/local/services';
import type { Directory } from '../shared/directory/directory';
import { newPersonWrite, type PersonItem } from '../shared/directory/entities/person';
import { createSite } from '../shared/directory/sites';
import { createSpace } from '../shared/directory/spaces';

/** DynamoDB Local in this process's care, with a directory table and a way to fill it fast. */
export interface BenchDirectory {
  readonly dynamo: RunningDynamo;
  readonly endpoint: string;
  /** A document client for the bench's own set-up; meter a client of its own for what is measured. */
  readonly setup: Directory;
  client(): DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export async function benchDirectory(tableName: string): Promise<BenchDirectory> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  await ensureTable(dynamo.endpoint, tableName);
  const client = () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), {
      marshallOptions: { removeUndefinedValues: true },
    });
  return { dynamo, endpoint: dynamo.endpoint, setup: { client: client(), tableName }, client, stop: () => dynamo.stop() };
}

export async function benchSite(db: Directory, siteId: string, at: string, userLimit = 200_000): Promise<void> {
  await createSite(db, { siteId, name: `Site ${siteId}`, orgId: `org-${siteId}`, plan: 'premium', userLimit, guestRatio: 100, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] }, 'operator', at);
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, 'operator', at);
}

/** An active guest of the ENG space, numbered so a bench can pick any of them again. */
export function benchGuest(siteId: string, n: number, activatedAt: string): PersonItem {
  return {
    siteId,
    userId: `usr_${siteId}_${String(n).padStart(6, '0')}`,
    email: `guest${n}@partner${n % 7}.example`,
    displayName: `Guest ${n}`,
    kind: 'guest',
    status: 'active',
    roles: { wiki: 'guest' },
    groups: [],
    spaceKey: 'ENG',
    invitedAt: activatedAt,
    activatedAt,
    twoStepEnrolled: false,
  };
}

/**
 * People written straight into the table with every index attribute their entity gives them, 25
 * to a BatchWriteItem and eight batches at a time; seat counters are not what these benches read.
 */
export async function storePeople(db: Directory, people: readonly PersonItem[]): Promise<void> {
  const items = people.map((person) => {
    const write = newPersonWrite(person);
    if (!('put' in write)) throw new Error('a new person is a put');
    return write.item;
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (;;) {
        const start = next;
        next += 25;
        if (start >= items.length) return;
        let pending: Record<string, unknown>[] = items.slice(start, start + 25);
        while (pending.length > 0) {
          const answer = await db.client.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } }));
          pending = (answer.UnprocessedItems?.[db.tableName] ?? []).map((request) => request.PutRequest!.Item!);
        }
      }
    }),
  );
}
