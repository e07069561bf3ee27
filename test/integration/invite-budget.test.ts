import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { createSite, getSite } from '../../shared/directory/sites';
import { certainInviteRefusal } from '../../shared/domain/seats';
import { inviteBatch } from '../../shared/usecases/invite';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * An invite call at the limit, or out of time: rows are decided from a read once the site is
 * full (no transactions queued on the site item in vain), and rows the call cannot reach in its
 * time budget are answered `service_unavailable` with nothing written for them.
 */
const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding';
let db: Directory;

beforeAll(async () => {
  db = await freshDirectory('invite-budget');
});
beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
});

async function site(siteId: string, guestRatio: number) {
  await createSite(db, { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: 50, guestRatio, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] }, 'operator', new Date().toISOString());
  return (await getSite(db, siteId))!;
}

const emails = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}@partner.example`);

describe('invite calls at the limit and out of time', () => {
  it('decides the rows after a seat refusal from a read, with the same answers a transaction would give', async () => {
    const full = await site('at-limit', 2);
    const transactions: number[] = [];
    db.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') transactions.push(1);
        return next(args);
      },
      { step: 'initialize', name: 'countTransactions' },
    );
    const { results } = await inviteBatch({ db, sfn, stateMachineArn: STATE_MACHINE_ARN }, { site: full, body: { emails: emails('g', 6), roles: { wiki: 'guest' }, groups: [] }, inviter: { userId: 'admin', name: 'Ada' } }, new Date());
    expect(results.map((row) => (row.status === 'invited' ? 'invited' : row.reason))).toEqual(['invited', 'invited', 'guest_limit_reached', 'guest_limit_reached', 'guest_limit_reached', 'guest_limit_reached']);
    // Two seats taken, one refused by its transaction, the last three refused from a read.
    expect(transactions).toHaveLength(3);
  });

  it('answers rows it has no time for as service_unavailable, and writes nothing for them', async () => {
    const roomy = await site('no-time', 5);
    const before = (await scanAll(db)).length;
    let left = 10_000;
    const { results } = await inviteBatch(
      { db, sfn, stateMachineArn: STATE_MACHINE_ARN, timeLeftMs: () => (left -= 3_000) },
      { site: roomy, body: { emails: emails('t', 4), roles: { wiki: 'guest' }, groups: [] }, inviter: { userId: 'admin', name: 'Ada' } },
      new Date(),
    );
    // 7 s, then 4 s left: two rows go in; then 1 s and less: the rest are answered, not attempted.
    expect(results.map((row) => (row.status === 'invited' ? 'invited' : row.reason))).toEqual(['invited', 'invited', 'service_unavailable', 'service_unavailable']);
    const people = (await scanAll(db)).filter((item) => item.type === 'person' && item.siteId === 'no-time' && String(item.email).startsWith('t'));
    expect(people.map((item) => item.email).sort()).toEqual(['t0@partner.example', 't1@partner.example']);
    expect((await scanAll(db)).length).toBeGreaterThan(before);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('refuses for certain from a read only what a transaction would refuse', () => {
    const room = (userRoom: number, ratioRoom: number) => ({ userRoom, ratioRoom });
    expect(certainInviteRefusal('guest', { formerPaid: true, claimed: false, room: room(5, 5) })).toBe('paid_user_conversion_forbidden');
    expect(certainInviteRefusal('paid', { formerPaid: true, claimed: false, room: room(5, 5) })).toBeNull();
    expect(certainInviteRefusal('guest', { formerPaid: false, claimed: true, room: room(0, 0) })).toBeNull();
    expect(certainInviteRefusal('guest', { formerPaid: false, claimed: false, room: room(0, 3) })).toBe('user_limit_reached');
    expect(certainInviteRefusal('guest', { formerPaid: false, claimed: false, room: room(3, 0) })).toBe('guest_limit_reached');
    expect(certainInviteRefusal('paid', { formerPaid: false, claimed: false, room: room(1, 0) })).toBeNull();
  });
});
