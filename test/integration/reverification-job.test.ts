import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { personKey, PersonItem } from '../../shared/directory/entities/person';
import { SiteItem, siteKey } from '../../shared/directory/entities/site';
import { readItem } from '../../shared/directory/reads';
import { completeVerification, openVerificationLink } from '../../shared/directory/reverification';
import { createSite } from '../../shared/directory/sites';
import { createSpace } from '../../shared/directory/spaces';
import { REVERIFY_GRACE_DAYS } from '../../shared/domain/external';
import { accessFor } from '../../shared/usecases/access';
import { runReverification, type ReverificationDeps } from '../../shared/usecases/reverification';
import { freshDirectory, scanAll } from '../support/directory';
import { countItemsRead } from '../support/read-counter';
import { storePeople } from '../../bench/seed';

/**
 * The re-verification job against DynamoDB Local with a controllable clock: reads only the people
 * due, mails each one once, suspends after the grace, and a used link restores access.
 */
const DAY = 86_400_000;
const NOW = new Date('2026-11-01T09:00:00.000Z');
const daysBefore = (days: number, at = NOW) => new Date(at.getTime() - days * DAY).toISOString();
const SITE = 'rv-big';
const PEOPLE = 10_000;
const DUE = 100;

const sesMock = mockClient(SESClient);
let db: Directory;
let deps: ReverificationDeps;

function guest(siteId: string, n: number, activatedAt: string, over: Partial<PersonItem> = {}): PersonItem {
  return {
    siteId,
    userId: `usr_${siteId}_${String(n).padStart(5, '0')}`,
    email: `guest${n}@partner${n % 7}.example`,
    displayName: `Guest ${n}`,
    kind: 'guest',
    status: 'active',
    roles: { wiki: 'guest' },
    groups: [],
    spaceKey: 'ENG',
    invitedAt: daysBefore(90),
    activatedAt,
    twoStepEnrolled: false,
    ...over,
  };
}

/** People written straight into the table (seat counters are not what this test is about). */
const store = (people: readonly PersonItem[]) => storePeople(db, people);

async function newSite(siteId: string): Promise<void> {
  await createSite(db, { siteId, name: `Site ${siteId}`, orgId: `org-${siteId}`, plan: 'premium', userLimit: 50_000, guestRatio: 50, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] }, 'operator', daysBefore(365));
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, 'admin', daysBefore(365));
}

const sentTo = () => sesMock.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses?.[0]);
/** The link each address was last mailed, kept across tests (the mock's history is reset per test). */
const mailed = new Map<string, string>();
const tokenMailedTo = async (siteId: string, userId: string): Promise<string> => {
  const token = mailed.get((await person(siteId, userId)).email);
  if (!token) throw new Error(`no verify link mailed to ${userId}`);
  return token;
};
const person = async (siteId: string, userId: string) => (await readItem(db, personKey(siteId, userId), PersonItem))!;
const decision = (siteId: string, userId: string, at: Date) => accessFor(db, siteId, { userId, spaceKey: 'ENG', client: 'web' }, at);

beforeAll(async () => {
  db = await freshDirectory('reverify');
  deps = { db, ses: new SESClient({ region: 'us-east-1' }), senderAddress: 'no-reply@guestpass.test', publicBaseUrl: 'https://guestpass.test/' };
  await newSite(SITE);
  // 9,900 verified 10 days ago, 100 activated 31 days ago (the default interval is 30 days).
  const people = Array.from({ length: PEOPLE }, (_, n) => guest(SITE, n, daysBefore(n % (PEOPLE / DUE) === 0 ? 31 : 10)));
  await store(people);
}, 300_000);

beforeEach(() => {
  sesMock.reset();
  sesMock.on(SendEmailCommand).callsFake((input: { Destination?: { ToAddresses?: string[] }; Message?: { Body?: { Text?: { Data?: string } } } }) => {
    const token = /\/verify\/([A-Za-z0-9_-]{43})/.exec(input.Message?.Body?.Text?.Data ?? '')?.[1];
    const to = input.Destination?.ToAddresses?.[0];
    if (token && to) mailed.set(to, token);
    return { MessageId: `msg-${mailed.size}` };
  });
});

describe('re-verification job on a site of 10,000 external users, 100 of them due', () => {
  const due = Array.from({ length: DUE }, (_, i) => `usr_${SITE}_${String(i * (PEOPLE / DUE)).padStart(5, '0')}`);

  it('does not lock anyone out before a link was sent (the 30-day lock-out)', async () => {
    // Overdue by a day, but never asked: the guest can still work, and the job will ask.
    expect(await decision(SITE, due[0]!, NOW)).toEqual({ allowed: true, reason: 'assigned_space' });
  });

  it('mails exactly the 100 due people, reading at most 110 items; a second run the same day sends none', async () => {
    const reads = countItemsRead(db);
    const run = await runReverification(deps, NOW, { batchSize: 25 });
    expect(run).toMatchObject({ sent: DUE, suspended: 0, failed: 0, finished: true });
    expect(sentTo()).toHaveLength(DUE);
    expect(new Set(sentTo()).size).toBe(DUE);
    expect(reads.total()).toBeLessThanOrEqual(110);

    sesMock.resetHistory();
    reads.reset();
    const again = await runReverification(deps, new Date(NOW.getTime() + 6 * 3_600_000), { batchSize: 25 });
    expect(again).toMatchObject({ sent: 0, suspended: 0 });
    expect(sentTo()).toHaveLength(0);
    expect(reads.total()).toBeLessThanOrEqual(10);
  }, 120_000);

  it('denies the asked people until they verify; the grace ends in suspension, the link restores them', async () => {
    const [verifier, suspended, ...others] = due;
    expect(await decision(SITE, suspended!, NOW)).toEqual({ allowed: false, reason: 'reverification_required' });
    // A fresh one was never asked and is not denied.
    expect(await decision(SITE, `usr_${SITE}_00001`, NOW)).toEqual({ allowed: true, reason: 'assigned_space' });

    // One verifies within the grace with the link the job mailed (read again from the first run's email).
    const firstRunMail = await tokenMailedTo(SITE, verifier!);
    const open = await openVerificationLink(db, firstRunMail, new Date(NOW.getTime() + DAY));
    expect(await completeVerification(db, open, new Date(NOW.getTime() + DAY))).not.toBeNull();
    expect(await decision(SITE, verifier!, new Date(NOW.getTime() + DAY))).toEqual({ allowed: true, reason: 'assigned_space' });
    await expect(openVerificationLink(db, firstRunMail, new Date(NOW.getTime() + DAY))).rejects.toMatchObject({ code: 'invitation_used' });

    const beforeGraceEnds = new Date(NOW.getTime() + REVERIFY_GRACE_DAYS * DAY - 60_000);
    expect(await runReverification(deps, beforeGraceEnds)).toMatchObject({ sent: 0, suspended: 0 });

    const afterGrace = new Date(NOW.getTime() + REVERIFY_GRACE_DAYS * DAY + 60_000);
    expect(await runReverification(deps, afterGrace)).toMatchObject({ sent: 0, suspended: DUE - 1 });
    expect(await runReverification(deps, afterGrace)).toMatchObject({ sent: 0, suspended: 0 });
    expect((await person(SITE, suspended!)).status).toBe('suspended');
    expect((await person(SITE, verifier!)).status).toBe('active');
    expect(await decision(SITE, others[0]!, afterGrace)).toEqual({ allowed: false, reason: 'not_active' });
    // The seat stays taken: suspension moves no counter.
    expect((await readItem(db, siteKey(SITE), SiteItem))?.paid).toBe(1);

    // The mailed link still works after suspension, and lifts it.
    const open2 = await openVerificationLink(db, await tokenMailedTo(SITE, suspended!), afterGrace);
    const restored = await completeVerification(db, open2, afterGrace);
    expect(restored).toMatchObject({ status: 'active', lastVerifiedAt: afterGrace.toISOString() });
    expect(await decision(SITE, suspended!, afterGrace)).toEqual({ allowed: true, reason: 'assigned_space' });

    const audit = (await scanAll(db)).filter((item) => item.type === 'audit').map((item) => item.action);
    expect(audit.filter((action) => action === 'person.reverification_requested')).toHaveLength(DUE);
    expect(audit.filter((action) => action === 'person.suspended')).toHaveLength(DUE - 1);
    expect(audit.filter((action) => action === 'person.reverified')).toHaveLength(2);
  }, 120_000);
});


describe('re-verification job: who is asked, and what a failure costs', () => {
  // A table of its own: the job visits every site, and the big site above must not count here.
  beforeAll(async () => {
    db = await freshDirectory('reverify-rules');
    deps = { ...deps, db };
  });
  const setPolicy = async (siteId: string, fields: Record<string, unknown>) => {
    const names = Object.keys(fields);
    await db.client.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: siteKey(siteId),
        UpdateExpression: `SET ${names.map((name, i) => `#f${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, fields[name]])),
      }),
    );
  };
  const paidUser = (siteId: string, n: number, email: string, activatedAt: string): PersonItem => ({
    ...guest(siteId, n, activatedAt),
    email,
    kind: 'paid',
    roles: { wiki: 'user' },
    spaceKey: undefined,
  });

  it('asks external paid users, checks internal ones once per interval, and never the fresh ones', async () => {
    const siteId = 'rv-domains';
    await newSite(siteId);
    await setPolicy(siteId, { verifiedDomains: ['corp.example', 'rv-domains.example'] });
    await store([
      paidUser(siteId, 1, 'insider@corp.example', daysBefore(40)),
      paidUser(siteId, 2, 'contractor@agency.example', daysBefore(40)),
      paidUser(siteId, 3, 'newcomer@agency.example', daysBefore(2)),
    ]);
    const run = await runReverification(deps, NOW);
    expect(sentTo()).toEqual(['contractor@agency.example']);
    expect(run).toMatchObject({ sent: 1, checked: 2 }); // the insider and the site's own admin
    const reads = countItemsRead(db);
    sesMock.resetHistory();
    expect(await runReverification(deps, new Date(NOW.getTime() + DAY))).toMatchObject({ sent: 0, checked: 0 });
    expect(sentTo()).toEqual([]);
    // The internal ones and the asked one are out of every range read: only the site item is read.
    expect(reads.total()).toBe(1);
    expect(await decision(siteId, `usr_${siteId}_00002`, NOW)).toEqual({ allowed: false, reason: 'reverification_required' });
    expect(await decision(siteId, `usr_${siteId}_00001`, NOW)).toEqual({ allowed: true, reason: 'paid_user' });
  });

  it('asks every unenrolled external user once two-step becomes required, and a trial only its people', async () => {
    const siteId = 'rv-twostep';
    await newSite(siteId);
    await store([guest(siteId, 1, daysBefore(2)), guest(siteId, 2, daysBefore(2), { twoStepEnrolled: true }), guest(siteId, 3, daysBefore(2))]);
    const strict = { twoStepRequired: true, reverifyEveryDays: 30, apiTokensAllowed: true };
    await setPolicy(siteId, { policyTrial: { policy: strict, userIds: [`usr_${siteId}_00003`], startedAt: NOW.toISOString() } });
    await runReverification(deps, NOW);
    expect(sentTo()).toEqual([`guest3@partner3.example`]);
    await setPolicy(siteId, { externalUserPolicy: strict });
    sesMock.resetHistory();
    await runReverification(deps, NOW);
    expect(sentTo()).toEqual([`guest1@partner1.example`]);
    expect(await decision(siteId, `usr_${siteId}_00001`, NOW)).toEqual({ allowed: false, reason: 'two_step_required' });
    expect(await decision(siteId, `usr_${siteId}_00002`, NOW)).toEqual({ allowed: true, reason: 'assigned_space' });

    // Relaxed again before the grace ends: the requests are withdrawn, nobody is suspended.
    await setPolicy(siteId, { externalUserPolicy: { ...strict, twoStepRequired: false } });
    await db.client.send(new UpdateCommand({ TableName: db.tableName, Key: siteKey(siteId), UpdateExpression: 'REMOVE policyTrial' }));
    const later = new Date(NOW.getTime() + (REVERIFY_GRACE_DAYS + 1) * DAY);
    await runReverification(deps, later);
    for (const n of ['00001', '00003']) {
      const after = await person(siteId, `usr_${siteId}_${n}`);
      expect(after.status).toBe('active');
      expect(after.verificationRequestedAt).toBeUndefined();
    }
    expect(await decision(siteId, `usr_${siteId}_00001`, later)).toEqual({ allowed: true, reason: 'assigned_space' });
  });

  it('sends each email once when two runs overlap', async () => {
    const siteId = 'rv-overlap';
    await newSite(siteId);
    await store(Array.from({ length: 40 }, (_, n) => guest(siteId, n, daysBefore(45))));
    const [a, b] = await Promise.all([runReverification(deps, NOW, { batchSize: 10 }), runReverification(deps, NOW, { batchSize: 10 })]);
    expect(a.sent + b.sent).toBe(40);
    expect(sentTo().filter((to) => to?.includes('partner'))).toHaveLength(40);
    expect(new Set(sentTo()).size).toBe(sentTo().length);
  });

  it('keeps people due, and undenied, when SES cannot take the email; the retry sends it', async () => {
    const siteId = 'rv-outage';
    await newSite(siteId);
    await store([guest(siteId, 1, daysBefore(45))]);
    sesMock.on(SendEmailCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const failed = await runReverification(deps, NOW);
    expect(failed).toMatchObject({ sent: 0, failed: 1 });
    expect(await decision(siteId, `usr_${siteId}_00001`, NOW)).toEqual({ allowed: true, reason: 'assigned_space' });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'after-outage' });
    expect(await runReverification(deps, NOW)).toMatchObject({ sent: 1, failed: 0 });
    expect(await decision(siteId, `usr_${siteId}_00001`, NOW)).toEqual({ allowed: false, reason: 'reverification_required' });
  });

  it('stops between batches when asked to, and the next run continues', async () => {
    const siteId = 'rv-budget';
    await newSite(siteId);
    await store(Array.from({ length: 30 }, (_, n) => guest(siteId, n, daysBefore(45))));
    let batches = 0;
    const first = await runReverification(deps, NOW, { batchSize: 10, shouldStop: () => batches++ >= 1 });
    expect(first.finished).toBe(false);
    const second = await runReverification(deps, NOW, { batchSize: 10 });
    expect(second.finished).toBe(true);
    expect(sentTo().filter((to) => to?.includes('partner'))).toHaveLength(30);
  });
});
