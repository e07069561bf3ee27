import { randomBytes } from 'node:crypto';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, freePort, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../infra/local/services';
import type { Directory } from '../shared/directory/directory';
import { inviteOne } from '../shared/directory/invitations';
import { claimInvitationSend } from '../shared/directory/onboarding/email-lease';
import { storeAcceptTaskToken, storeSpaceTaskToken } from '../shared/directory/onboarding/task-tokens';
import { createSite, getSite } from '../shared/directory/sites';
import { createSpace } from '../shared/directory/spaces';
import { hashToken } from '../shared/domain/tokens';
import { newInvitationId, newUserId } from '../shared/ids';
import { localSealer } from '../shared/security/sealing';
import { accessFor } from '../shared/usecases/access';
import { inviteBatch } from '../shared/usecases/invite';
import { acceptThroughLink, assignGuestSpace } from '../shared/usecases/onboarding';
import { describeCalls, meterDynamo, recordCalls, type RecordedCall } from './meter';
import { fixed, percentile, printTable } from './stats';

/**
 * The hot paths against DynamoDB Local, each next to the DynamoDB calls it must make at minimum,
 * sent raw in the same run. Each round builds two identical sites (a twin pair, same ids, same
 * items); the path runs on one while its calls are recorded, and the minimum of those very calls
 * is then sent with the bare low-level client to the twin, site id and link digest swapped. So the
 * ratio is what our code (reads beyond the minimum, validation, marshalling, retries) costs on top
 * of the same DynamoDB work, on the same machine, in the same minute.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const WARM_ROUNDS = 5;
const TARGET_RATIO = 1.3;

export interface HotPathResult {
  readonly path: string;
  readonly rounds: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly minimumP50Ms: number;
  readonly ratio: number;
  readonly targetRatio: number;
  readonly calls: string;
  readonly minimumCalls: string;
  readonly readUnits: number;
  readonly writeUnits: number;
}

const NOW = new Date('2026-12-01T10:00:00.000Z');
const EXPIRES = new Date(NOW.getTime() + 7 * 86_400_000).toISOString();
const INVITER = { userId: 'usr_bench_admin', name: 'Ada Admin' };

/** The Step Functions calls a path makes answer at once: the bench is about DynamoDB work. */
const quietStepFunctions = { send: async () => ({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:Onboarding:bench' }) } as unknown as SFNClient;

interface Prepared<T> {
  readonly input: T;
  /** Strings of this twin that differ from the other's (its site id, a link digest), by role. */
  readonly names: Readonly<Record<string, string>>;
}

interface HotPath<T> {
  readonly name: string;
  /** What the minimum is, in words, for the table. */
  readonly minimum: string;
  /** Builds one twin's state; `shared` holds the ids both twins of a round use. */
  prepare(db: Directory, siteId: string, shared: Readonly<Record<string, string>>): Promise<Prepared<T>>;
  run(db: Directory, input: T): Promise<unknown>;
  /** The calls of a recorded run the path could not do without. */
  pickMinimum(calls: readonly RecordedCall[]): RecordedCall[];
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);
const writesOf = (calls: readonly RecordedCall[]) => calls.filter((call) => WRITES.has(call.command));
const firstReadAndWrites = (calls: readonly RecordedCall[]) => {
  const firstRead = calls.find((call) => !WRITES.has(call.command));
  return [...(firstRead ? [firstRead] : []), ...writesOf(calls)];
};

async function newSite(db: Directory, siteId: string): Promise<void> {
  await createSite(db, { siteId, name: `Site ${siteId}`, orgId: `org-${siteId}`, plan: 'premium', userLimit: 10_000, guestRatio: 100, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] }, 'operator', NOW.toISOString());
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, 'operator', NOW.toISOString());
}

async function invitedGuest(db: Directory, siteId: string, shared: Readonly<Record<string, string>>, spaceKey?: string): Promise<void> {
  const site = (await getSite(db, siteId))!;
  const outcome = await inviteOne(db, {
    site, email: `guest@${siteId}.example`, kind: 'guest', roles: { wiki: 'guest' }, groups: [], invitedBy: INVITER.userId, inviterName: INVITER.name,
    userId: shared.userId!, invitationId: shared.invitationId!, now: NOW.toISOString(), expiresAt: EXPIRES, ...(spaceKey ? { spaceKey } : {}),
  });
  if (!outcome.invited) throw new Error(`bench set-up: invite refused (${outcome.reason})`);
}

const accessDecision: HotPath<{ siteId: string; userId: string }> = {
  name: 'access decision',
  minimum: 'BatchGetItem of person, space, site',
  async prepare(db, siteId, shared) {
    await newSite(db, siteId);
    await invitedGuest(db, siteId, shared, 'ENG');
    return { input: { siteId, userId: shared.userId! }, names: { site: siteId } };
  },
  run: (db, { siteId, userId }) => accessFor(db, siteId, { userId, spaceKey: 'ENG', client: 'web' }, NOW),
  pickMinimum: (calls) => calls.filter((call) => call.command === 'BatchGetItem'),
};

const inviteTen: HotPath<{ siteId: string }> = {
  name: 'invite 10 guests',
  minimum: 'the 10 invite transactions',
  async prepare(db, siteId) {
    await newSite(db, siteId);
    return { input: { siteId }, names: { site: siteId } };
  },
  async run(db, { siteId }) {
    const site = (await getSite(db, siteId))!;
    const emails = Array.from({ length: 10 }, (_, index) => `guest${index}@${siteId}.example`);
    const outcome = await inviteBatch({ db, sfn: quietStepFunctions, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding' }, { site, body: { emails, roles: { wiki: 'guest' }, groups: [] }, inviter: INVITER }, NOW);
    if (!outcome.results.every((row) => row.status === 'invited')) throw new Error(`bench: invite refused ${JSON.stringify(outcome.results)}`);
  },
  pickMinimum: writesOf,
};

const sealer = localSealer(randomBytes(32));

const accept: HotPath<{ token: string }> = {
  name: 'accept an invitation',
  minimum: 'the link read + the acceptance transaction',
  async prepare(db, siteId, shared) {
    await newSite(db, siteId);
    await invitedGuest(db, siteId, shared, 'ENG');
    const claim = await claimInvitationSend(db, siteId, shared.invitationId!, NOW);
    if (claim.kind !== 'claimed') throw new Error(`bench set-up: claim ${claim.kind}`);
    await storeAcceptTaskToken(db, siteId, shared.invitationId!, `task-token-${siteId}`);
    return { input: { token: claim.token }, names: { site: siteId, digest: hashToken(claim.token) } };
  },
  async run(db, { token }) {
    const outcome = await acceptThroughLink({ db, sfn: quietStepFunctions, sealer }, token, { displayName: 'Guest' }, NOW);
    if (outcome.kind !== 'accepted') throw new Error(`bench: accept answered ${outcome.kind}`);
  },
  pickMinimum: firstReadAndWrites,
};

const assignSpace: HotPath<{ siteId: string; userId: string }> = {
  name: 'assign a space',
  minimum: 'the person read + the assignment transaction',
  async prepare(db, siteId, shared) {
    await newSite(db, siteId);
    await invitedGuest(db, siteId, shared);
    await storeSpaceTaskToken(db, siteId, shared.userId!, `task-token-${siteId}`);
    return { input: { siteId, userId: shared.userId! }, names: { site: siteId } };
  },
  run: (db, { siteId, userId }) => assignGuestSpace({ db, sfn: quietStepFunctions }, siteId, userId, 'ENG', INVITER.userId, NOW),
  pickMinimum: firstReadAndWrites,
};

const RAW_COMMANDS = {
  GetItem: GetItemCommand,
  BatchGetItem: BatchGetItemCommand,
  Query: QueryCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
} as const;

/** The recorded calls, for the twin: its names swapped in, no idempotency token (its input differs). */
function forTwin(calls: readonly RecordedCall[], from: Prepared<unknown>['names'], to: Prepared<unknown>['names']): RecordedCall[] {
  return calls.map((call) => {
    let text = JSON.stringify(call.input);
    for (const [role, value] of Object.entries(from)) text = text.replaceAll(value, to[role]!);
    const input = JSON.parse(text) as Record<string, unknown>;
    delete input.ClientRequestToken;
    return { command: call.command, input };
  });
}

async function sendRaw(client: DynamoDBClient, calls: readonly RecordedCall[]): Promise<void> {
  for (const call of calls) {
    const Command = RAW_COMMANDS[call.command as keyof typeof RAW_COMMANDS];
    if (!Command) throw new Error(`bench: no raw command for ${call.command}`);
    await client.send(new (Command as typeof GetItemCommand)(call.input as never));
  }
}

export async function benchHotPaths(): Promise<HotPathResult[]> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    const tableName = 'bench-hot-paths';
    await ensureTable(dynamo.endpoint, tableName);
    const config = { endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    // The path's client, recorded; set-up and metering use clients of their own so neither is timed.
    const pathClient = DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
    const recorder = recordCalls(pathClient);
    const setupDb: Directory = { client: DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } }), tableName };
    const meteredClient = DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
    const meter = meterDynamo(meteredClient);
    const rawClient = new DynamoDBClient(config);
    const pathDb: Directory = { client: pathClient, tableName };
    const meteredDb: Directory = { client: meteredClient, tableName };

    const results: HotPathResult[] = [];
    for (const path of [accessDecision, inviteTen, accept, assignSpace] as HotPath<unknown>[]) {
      const pathMs: number[] = [];
      const minimumMs: number[] = [];
      let calls: RecordedCall[] = [];
      let minimum: RecordedCall[] = [];
      const slug = path.name.replace(/\W+/g, '-');
      for (let round = -WARM_ROUNDS; round < ROUNDS; round++) {
        const shared = { userId: newUserId(), invitationId: newInvitationId() };
        const tag = `${slug}-${round + WARM_ROUNDS}`;
        const main = await path.prepare(setupDb, `hp-${tag}-a`, shared);
        const twin = await path.prepare(setupDb, `hp-${tag}-b`, shared);
        recorder.start();
        let started = performance.now();
        await path.run(pathDb, main.input);
        const pathTook = performance.now() - started;
        calls = recorder.stop();
        minimum = forTwin(path.pickMinimum(calls), main.names, twin.names);
        started = performance.now();
        await sendRaw(rawClient, minimum);
        const minimumTook = performance.now() - started;
        if (round >= 0) {
          pathMs.push(pathTook);
          minimumMs.push(minimumTook);
        }
      }
      // Units from one more metered run: what DynamoDB bills for the path, per call.
      const shared = { userId: newUserId(), invitationId: newInvitationId() };
      const metered = await path.prepare(setupDb, `hp-${slug}-metered`, shared);
      meter.reset();
      await path.run(meteredDb, metered.input);
      pathMs.sort((a, b) => a - b);
      minimumMs.sort((a, b) => a - b);
      const p50 = percentile(pathMs, 50);
      const minimumP50 = percentile(minimumMs, 50);
      results.push({
        path: path.name,
        rounds: ROUNDS,
        p50Ms: p50,
        p95Ms: percentile(pathMs, 95),
        minimumP50Ms: minimumP50,
        ratio: p50 / minimumP50,
        targetRatio: TARGET_RATIO,
        calls: describeCalls(calls),
        minimumCalls: `${path.minimum}: ${describeCalls(minimum)}`,
        readUnits: meter.readUnits(),
        writeUnits: meter.writeUnits(),
      });
    }
    printTable(
      `Hot paths against DynamoDB Local (${ROUNDS} rounds each; the minimum is the path's own calls that it could not do without, sent raw to a twin state)`,
      ['path', 'p50 ms', 'p95 ms', 'minimum p50 ms', '× minimum', `target`, 'calls the path makes', 'the minimum', 'RRU', 'WRU'],
      results.map((row) => [row.path, fixed(row.p50Ms), fixed(row.p95Ms), fixed(row.minimumP50Ms), fixed(row.ratio), `≤ ${row.targetRatio}`, row.calls, row.minimumCalls, fixed(row.readUnits, 1), fixed(row.writeUnits, 1)]),
    );
    return results;
  } finally {
    await dynamo.stop();
  }
}
