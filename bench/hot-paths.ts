import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, freePort } from '../infra/local/services';
import type { Directory } from '../shared/directory/directory';
import { inviteOne } from '../shared/directory/invitations';
import { personKey } from '../shared/directory/entities/person';
import { siteKey } from '../shared/directory/entities/site';
import { spaceKey as spaceItemKey } from '../shared/directory/entities/space';
import { createSpace } from '../shared/directory/spaces';
import { createSite, getSite } from '../shared/directory/sites';
import { accessFor } from '../shared/usecases/access';
import { newInvitationId, newUserId } from '../shared/ids';

/**
 * The hot paths against DynamoDB Local, each next to a baseline measured in the
 * same run (one plain PutItem for writes, one GetItem for reads), so the ratios say what our
 * transactions and reads cost on top of the cheapest possible call, whatever the machine.
 * Request units are computed from the calls each path makes (DynamoDB bills a transactional
 * write of an item under 1 KB as 2 write units, a strongly consistent read under 4 KB as 1).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);

/** One row of a hot-path table, as written to `bench/results.json`. */
export interface HotPathResult {
  readonly table: string;
  readonly path: string;
  readonly rounds: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** p50 over the p50 of the table's baseline row (the baseline's own row is 1). */
  readonly baselineRatio: number;
  readonly requestUnits: string;
}


interface Sample {
  readonly name: string;
  readonly millis: number[];
  readonly requestUnits: string;
}

async function measure(name: string, requestUnits: string, run: (round: number) => Promise<unknown>): Promise<Sample> {
  for (let warm = 0; warm < 20; warm++) await run(-1 - warm);
  const millis: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    await run(round);
    millis.push(performance.now() - started);
  }
  return { name, millis: millis.sort((a, b) => a - b), requestUnits };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function table(title: string, baseline: Sample, rows: Sample[]): HotPathResult[] {
  const base = percentile(baseline.millis, 50);
  console.log(`\n${title}  (${ROUNDS} rounds each, DynamoDB Local)`);
  console.log('| path | p50 ms | p95 ms | × baseline p50 | request units per call |');
  console.log('|---|---:|---:|---:|---|');
  return [baseline, ...rows].map((row) => {
    const p50 = percentile(row.millis, 50);
    const p95 = percentile(row.millis, 95);
    console.log(`| ${row.name} | ${p50.toFixed(2)} | ${p95.toFixed(2)} | ${(p50 / base).toFixed(2)} | ${row.requestUnits} |`);
    return { table: title, path: row.name, rounds: ROUNDS, p50Ms: p50, p95Ms: p95, baselineRatio: p50 / base, requestUnits: row.requestUnits };
  });
}

export async function benchHotPaths(): Promise<HotPathResult[]> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    const tableName = 'bench-directory';
    await ensureTable(dynamo.endpoint, tableName);
    process.env.TABLE_NAME = tableName;
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const db: Directory = { client, tableName };
    const now = new Date().toISOString();
    await createSite(db, { siteId: 'bench', name: 'Bench', orgId: 'org-bench', plan: 'premium', userLimit: 100_000, guestRatio: 100, inviteExpiryDays: 7, admins: Array.from({ length: 10 }, (_, index) => ({ email: `admin${index}@bench.example`, role: 'site-admin' as const })) }, 'operator', now);
    await createSpace(db, { siteId: 'bench', key: 'ENG', name: 'Engineering', anonymousAccess: false }, 'admin', now);
    await createSpace(db, { siteId: 'bench', key: 'PUB', name: 'Public', anonymousAccess: true }, 'admin', now);

    const personLike = (round: number) => ({
      ...personKey('baseline', `usr_${round}`),
      userId: `usr_${round}`,
      email: `baseline${round}@partner.example`,
      kind: 'guest',
      status: 'invited',
      roles: { wiki: 'guest' },
      groups: [],
      invitedAt: now,
    });
    const putBaseline = await measure('baseline: one PutItem (a person)', '1 WRU', (round) => client.send(new PutCommand({ TableName: tableName, Item: personLike(round) })));
    const invites: string[] = [];
    const inviteGuest = await measure('invite one guest (site read + 1 transaction of 6 items)', '1 RRU + 12 WRU', async (round) => {
      const site = (await getSite(db, 'bench'))!;
      const userId = newUserId();
      const outcome = await inviteOne(db, {
        site, email: `g${round}@partner.example`, kind: 'guest', roles: { wiki: 'guest' }, groups: [], invitedBy: 'admin', inviterName: 'Admin',
        userId, invitationId: newInvitationId(), now, expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      if (!outcome.invited) throw new Error(`invite refused: ${outcome.reason}`);
      if (round >= 0) invites.push(userId);
    });
    const inviteWithSpace = await measure('… with a space given at invite (7 items)', '1 RRU + 14 WRU', async (round) => {
      const site = (await getSite(db, 'bench'))!;
      await inviteOne(db, {
        site, email: `s${round}@partner.example`, kind: 'guest', roles: { wiki: 'guest' }, groups: [], spaceKey: 'ENG', invitedBy: 'admin', inviterName: 'Admin',
        userId: newUserId(), invitationId: newInvitationId(), now, expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    });
    const writes = table('Writes: one invitee', putBaseline, [inviteGuest, inviteWithSpace]);

    const getBaseline = await measure('baseline: one consistent GetItem', '1 RRU', (round) => client.send(new GetCommand({ TableName: tableName, Key: personKey('bench', invites[Math.abs(round) % invites.length]!), ConsistentRead: true })));
    const decision = await measure('access decision (one BatchGetItem of 3 items + rule)', '3 RRU', async (round) => {
      const userId = invites[Math.abs(round) % invites.length]!;
      return accessFor(db, 'bench', { userId, spaceKey: round % 2 === 0 ? 'PUB' : 'ENG', client: 'web' }, new Date());
    });
    const threeGets = await measure('for contrast: the same 3 items as 3 sequential GetItems', '3 RRU', async (round) => {
      const userId = invites[Math.abs(round) % invites.length]!;
      for (const key of [personKey('bench', userId), spaceItemKey('bench', 'ENG'), siteKey('bench')]) {
        await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      }
    });
    const batch = await measure('for contrast: BatchGetItem alone (3 items)', '3 RRU', (round) =>
      client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [personKey('bench', invites[Math.abs(round) % invites.length]!), spaceItemKey('bench', 'ENG'), siteKey('bench')], ConsistentRead: true } } })),
    );
    const reads = table('Reads: one guest page view', getBaseline, [decision, batch, threeGets]);
    console.log('\nRequest units are what DynamoDB bills on demand; local latencies only compare paths with each other.');
    return [...writes, ...reads];
  } finally {
    await dynamo.stop();
  }
}
