import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/domain/errors';
import type { Directory } from '../../shared/directory/directory';
import { InvitationItem, invitationKey } from '../../shared/directory/entities/invitation';
import type { SiteItem } from '../../shared/directory/entities/site';
import { listAuditEvents } from '../../shared/directory/audit-log';
import { listInvitations } from '../../shared/directory/invitation-list';
import { getInvitation } from '../../shared/directory/invitations';
import { claimInvitationSend, recordInvitationSent } from '../../shared/directory/onboarding/email-lease';
import { recordResend } from '../../shared/directory/onboarding/resend';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding/links';
import { deletePerson, endPendingInvitation, removeAppAccess } from '../../shared/directory/people/departure';
import { readItem } from '../../shared/directory/reads';
import { createSite, getSite } from '../../shared/directory/sites';
import type { SesEmailEvent } from '../../shared/email/events';
import { recordEmailEvent } from '../../shared/usecases/delivery';
import { inviteBatch } from '../../shared/usecases/invite';
import { resendInvitation, withdrawInvitation, type InvitationAdminDeps } from '../../shared/usecases/invitations';
import { freshDirectory } from '../support/directory';

/**
 * Invitations an admin manages, against DynamoDB Local: the list by status follows every status
 * change, resends respect the rolling limit under concurrency, and SES events move delivery only
 * forward, once each. Step Functions is mocked: only its calls are checked here (the local stack's
 * end-to-end tests run the real workflow).
 */
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding';
const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const HOUR = 3_600_000;

let db: Directory;
let deps: InvitationAdminDeps;
beforeAll(async () => {
  db = await freshDirectory('invitations');
  deps = { db, sfn, stateMachineArn: STATE_MACHINE_ARN };
});
beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() }));
  sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });
});
afterEach(() => sfnMock.reset());

let sites = 0;
async function newSite(overrides: { userLimit?: number; inviteExpiryDays?: number } = {}): Promise<SiteItem> {
  const siteId = `inv-${++sites}-${Date.now().toString(36)}`;
  const { site } = await createSite(
    db,
    { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: overrides.userLimit ?? 50, guestRatio: 20, inviteExpiryDays: overrides.inviteExpiryDays ?? 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] },
    'operator',
    new Date().toISOString(),
  );
  return site;
}

async function invite(site: SiteItem, emails: string[], now = new Date()) {
  const { results } = await inviteBatch({ db, sfn, stateMachineArn: STATE_MACHINE_ARN }, { site: (await getSite(db, site.siteId))!, body: { emails, roles: { wiki: 'guest' }, groups: [] }, inviter: { userId: 'admin', name: 'Ada' } }, now);
  return results.map((row) => {
    if (row.status !== 'invited') throw new Error(`not invited: ${JSON.stringify(row)}`);
    return row;
  });
}

/** What SendInvitation does: claim (issuing a link), then record the send. Returns the link token. */
async function sendEmail(site: SiteItem, invitationId: string, execution?: string): Promise<string> {
  const claim = await claimInvitationSend(db, site.siteId, invitationId, new Date(), execution);
  if (claim.kind !== 'claimed') throw new Error(`claim: ${claim.kind}`);
  await recordInvitationSent(db, site.siteId, invitationId, claim.invitation.tokenDigest!, `msg-${invitationId}`, new Date().toISOString());
  return claim.token;
}

const statusIds = async (site: SiteItem, status: InvitationItem['status']) => (await listInvitations(db, site.siteId, { status, limit: 100 })).invitations.map((i) => i.invitationId);

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the list of invitations by status', () => {
  it('follows every status change: accept, expire, withdraw, remove app access, delete', async () => {
    const site = await newSite();
    const rows = await invite(site, ['a@p.example', 'b@p.example', 'c@p.example', 'd@p.example', 'e@p.example']);
    const [a, b, c, d, e] = rows.map((row) => row.invitationId) as [string, string, string, string, string];
    expect(await statusIds(site, 'pending')).toEqual([e, d, c, b, a]);

    const token = await sendEmail(site, a);
    await acceptInvitation(db, await openInvitationLink(db, token, new Date()), 'Ann', new Date());
    await endPendingInvitation(db, (await getInvitation(db, site.siteId, b))!, 'expired', 'workflow', new Date().toISOString());
    await withdrawInvitation(deps, site.siteId, c, 'admin', new Date());
    await removeAppAccess(db, site.siteId, rows[3]!.userId, 'admin', new Date().toISOString());
    await deletePerson(db, site.siteId, rows[4]!.userId, 'admin', new Date().toISOString());

    expect(await statusIds(site, 'pending')).toEqual([]);
    expect(await statusIds(site, 'accepted')).toEqual([a]);
    expect(await statusIds(site, 'expired')).toEqual([b]);
    expect(await statusIds(site, 'revoked')).toEqual([e, d, c]);
    // Each item's index key agrees with its status (the list is read from the index key alone)
    for (const row of rows) {
      const stored = (await readItem(db, invitationKey(site.siteId, row.invitationId), { parse: (item: unknown) => item as Record<string, string> }))!;
      expect(stored.gsi1pk).toBe(`SITE#${site.siteId}#INVITATIONS#${stored.status}`);
    }
  });

  it('pages newest first with a cursor, reading one index partition (no Scan)', async () => {
    const site = await newSite();
    const rows = await invite(site, Array.from({ length: 7 }, (_, n) => `page${n}@p.example`));
    const newestFirst = rows.map((row) => row.invitationId).reverse();
    const commands: string[] = [];
    db.client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(`${context.commandName} ${JSON.stringify((args.input as { IndexName?: string }).IndexName ?? '')}`);
        return next(args);
      },
      { step: 'initialize', name: `recordCommands-${site.siteId}` },
    );
    try {
      const seen: string[] = [];
      let cursor: string | undefined;
      const sizes: number[] = [];
      do {
        const page = await listInvitations(db, site.siteId, { status: 'pending', limit: 3, cursor });
        sizes.push(page.invitations.length);
        seen.push(...page.invitations.map((i) => i.invitationId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(newestFirst);
      expect(commands.every((command) => command === 'QueryCommand "gsi1"')).toBe(true);
      expect(commands.some((command) => command.startsWith('Scan'))).toBe(false);
    } finally {
      db.client.middlewareStack.remove(`recordCommands-${site.siteId}`);
    }
    // A cursor of one status's list is no cursor of another's
    const first = await listInvitations(db, site.siteId, { status: 'pending', limit: 3 });
    const wrong = await refusal(listInvitations(db, site.siteId, { status: 'revoked', limit: 3, cursor: first.nextCursor }));
    expect(wrong.code).toBe('validation_failed');
  });

  it('leaves out invitations written before the list existed (no index key)', async () => {
    const site = await newSite();
    const [row] = await invite(site, ['old@p.example']);
    // As such an item is: the index key attributes were never written
    await db.client.send(new UpdateCommand({ TableName: db.tableName, Key: invitationKey(site.siteId, row!.invitationId), UpdateExpression: 'REMOVE gsi1pk, gsi1sk' }));
    expect(await statusIds(site, 'pending')).toEqual([]);
  });
});

describe('resending', () => {
  it('replaces the link and the lifetime, starts a new execution and stops the old one', async () => {
    const site = await newSite({ inviteExpiryDays: 3 });
    const [row] = await invite(site, ['re@p.example']);
    const oldToken = await sendEmail(site, row!.invitationId);
    const later = new Date(Date.now() + HOUR);

    const resent = await resendInvitation(deps, (await getSite(db, site.siteId))!, row!.invitationId, 'admin', later);

    expect(resent).toMatchObject({ status: 'pending', resends: 1, expiresAt: new Date(later.getTime() + 3 * 24 * HOUR).toISOString() });
    expect(resent.tokenDigest).toBeUndefined();
    expect(resent.emailSentAt).toBeUndefined();
    // The old link is revoked at once, before the new email exists
    await expect(openInvitationLink(db, oldToken, later)).rejects.toMatchObject({ code: 'invitation_revoked' });
    const started = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input).filter((input) => input.name !== row!.invitationId);
    expect(started).toHaveLength(1);
    expect(started[0]!.name).toBe(resent.execution);
    expect(started[0]!.name).toMatch(new RegExp(`^${row!.invitationId}-resend-1-[a-z0-9]{8}$`));
    expect(JSON.parse(started[0]!.input!)).toMatchObject({ invitationId: row!.invitationId, acceptWithinSeconds: 3 * 86_400, needsSpace: true });
    expect(sfnMock.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([
      `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${row!.invitationId}`,
    ]);
    // Only the new execution may now send; its link works, the old execution can claim nothing
    expect((await claimInvitationSend(db, site.siteId, row!.invitationId, later)).kind).toBe('superseded');
    const newToken = await sendEmail(site, row!.invitationId, resent.execution);
    await expect(openInvitationLink(db, newToken, later)).resolves.toMatchObject({ invitation: { invitationId: row!.invitationId } });
    const audit = await listAuditEvents(db, site.siteId, { limit: 100 });
    expect(audit.events.filter((event) => event.action === 'invitation.resent')).toEqual([
      expect.objectContaining({ actor: 'admin', target: row!.userId, details: expect.objectContaining({ invitationId: row!.invitationId, resends: 1 }) }),
    ]);
  });

  it('allows 3 resends per rolling 24 hours: 4 in parallel at 2 used, exactly one succeeds, the others get 429', async () => {
    const site = await newSite();
    const [row] = await invite(site, ['race@p.example']);
    const t0 = Date.now();
    const siteItem = (await getSite(db, site.siteId))!;
    await resendInvitation(deps, siteItem, row!.invitationId, 'admin', new Date(t0));
    await resendInvitation(deps, siteItem, row!.invitationId, 'admin', new Date(t0 + HOUR));
    sfnMock.resetHistory();

    const at = new Date(t0 + 2 * HOUR);
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => resendInvitation(deps, siteItem, row!.invitationId, 'admin', at)));

    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as AppError] : []));
    expect(succeeded).toHaveLength(1);
    expect(refused.map((error) => [error.code, error.status])).toEqual(Array.from({ length: 3 }, () => ['rate_limited', 429]));
    // The first of the three resends in the window frees up 24 h after it happened
    expect(refused.map((error) => error.retryAfterSeconds)).toEqual(Array.from({ length: 3 }, () => 22 * 3600));
    const stored = (await getInvitation(db, site.siteId, row!.invitationId))!;
    expect(stored.resends).toBe(3);
    // Every execution a refused resend started was stopped again; the winner's is the invitation's
    const started = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    const stopped = sfnMock.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn!.split(':').at(-1));
    expect(started.filter((name) => name !== stored.execution).sort()).toEqual(stopped.filter((name) => started.includes(name)).sort());
    expect(stopped).not.toContain(stored.execution);
    const audit = await listAuditEvents(db, site.siteId, { limit: 100 });
    expect(audit.events.filter((event) => event.action === 'invitation.resent')).toHaveLength(3);

    // A fourth within the day is refused; once the first resend is a day old, one more is allowed
    await expect(resendInvitation(deps, siteItem, row!.invitationId, 'admin', new Date(t0 + 23 * HOUR))).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 3600 });
    await expect(resendInvitation(deps, siteItem, row!.invitationId, 'admin', new Date(t0 + 24 * HOUR))).resolves.toMatchObject({ resends: 4 });
    await expect(resendInvitation(deps, siteItem, row!.invitationId, 'admin', new Date(t0 + 24 * HOUR + 1000))).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('keeps the limit in the write’s own condition: a resend decided on a stale read is refused', async () => {
    const site = await newSite();
    const [row] = await invite(site, ['stale@p.example']);
    const siteItem = (await getSite(db, site.siteId))!;
    const t0 = Date.now();
    for (let n = 0; n < 3; n++) await resendInvitation(deps, siteItem, row!.invitationId, 'admin', new Date(t0 + n * 1000));
    const stored = (await getInvitation(db, site.siteId, row!.invitationId))!;
    // A caller that believes the slot is free (its copy lost the time) still cannot write the fourth
    const { resentAt0: _forgotten, ...stale } = stored;
    const expiresAt = new Date(t0 + 7 * 24 * HOUR).toISOString();
    expect(await recordResend(db, { invitation: stale, execution: `${row!.invitationId}-resend-4-stale000`, expiresAt, actor: 'admin', now: new Date(t0 + 4000) })).toBe(false);
    expect((await getInvitation(db, site.siteId, row!.invitationId))!.resends).toBe(3);
    // …and a day after the first, the same write goes through
    expect(await recordResend(db, { invitation: stored, execution: `${row!.invitationId}-resend-4-fresh000`, expiresAt, actor: 'admin', now: new Date(t0 + 24 * HOUR) })).toBe(true);
  });

  it('refuses what is not a pending, unexpired invitation, and one whose email is being sent', async () => {
    const site = await newSite();
    const siteItem = (await getSite(db, site.siteId))!;
    const [accepted, withdrawn, sending] = await invite(site, ['acc@p.example', 'wd@p.example', 'busy@p.example']);
    const token = await sendEmail(site, accepted!.invitationId);
    await acceptInvitation(db, await openInvitationLink(db, token, new Date()), undefined, new Date());
    await withdrawInvitation(deps, site.siteId, withdrawn!.invitationId, 'admin', new Date());
    await claimInvitationSend(db, site.siteId, sending!.invitationId, new Date());

    await expect(resendInvitation(deps, siteItem, accepted!.invitationId, 'admin', new Date())).rejects.toMatchObject({ code: 'conflict', status: 409 });
    await expect(resendInvitation(deps, siteItem, withdrawn!.invitationId, 'admin', new Date())).rejects.toMatchObject({ code: 'conflict' });
    await expect(resendInvitation(deps, siteItem, sending!.invitationId, 'admin', new Date())).rejects.toMatchObject({ code: 'conflict' });
    await expect(resendInvitation(deps, siteItem, sending!.invitationId, 'admin', new Date(Date.now() + 8 * 24 * HOUR))).rejects.toMatchObject({ code: 'conflict', details: { status: 'expired' } });
    await expect(resendInvitation(deps, siteItem, 'inv_nope', 'admin', new Date())).rejects.toMatchObject({ code: 'not_found' });
    await expect(withdrawInvitation(deps, site.siteId, accepted!.invitationId, 'admin', new Date())).rejects.toMatchObject({ code: 'conflict' });
    await expect(withdrawInvitation(deps, site.siteId, withdrawn!.invitationId, 'admin', new Date())).rejects.toMatchObject({ code: 'conflict' });
    await expect(withdrawInvitation(deps, site.siteId, 'inv_nope', 'admin', new Date())).rejects.toMatchObject({ code: 'not_found' });
    // Nothing was started for any refused resend
    expect(sfnMock.commandCalls(StartExecutionCommand).filter((call) => call.args[0].input.name!.includes('-resend-'))).toHaveLength(0);
  });

  it('withdraws: the seat is freed, the person leaves, the link is revoked and the execution stopped', async () => {
    const site = await newSite();
    const [row] = await invite(site, ['gone@p.example']);
    const token = await sendEmail(site, row!.invitationId);
    expect((await getSite(db, site.siteId))!.guests).toBe(1);
    await withdrawInvitation(deps, site.siteId, row!.invitationId, 'admin', new Date());
    expect((await getSite(db, site.siteId))!.guests).toBe(0);
    await expect(openInvitationLink(db, token, new Date())).rejects.toMatchObject({ code: 'invitation_revoked' });
    expect(sfnMock.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([
      `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${row!.invitationId}`,
    ]);
    const audit = await listAuditEvents(db, site.siteId, { limit: 100 });
    expect(audit.events.filter((event) => event.action === 'invitation.withdrawn')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

function sesEvent(eventType: 'Send' | 'Delivery' | 'Bounce' | 'Complaint', mail: { messageId: string; site: string; invitation: string; resend?: string; kind?: string }, at = new Date()): SesEmailEvent {
  const detailType = { Send: 'Email Sent', Delivery: 'Email Delivered', Bounce: 'Email Bounced', Complaint: 'Email Complaint Received' }[eventType];
  return {
    version: '0',
    id: `${eventType}-${mail.messageId}`,
    'detail-type': detailType,
    source: 'aws.ses',
    time: at.toISOString(),
    detail: {
      eventType,
      mail: {
        messageId: mail.messageId,
        timestamp: at.toISOString(),
        tags: { kind: [mail.kind ?? 'invitation'], site: [mail.site], invitation: [mail.invitation], resend: [mail.resend ?? '0'], 'ses:configuration-set': ['set'] },
      },
      ...(eventType === 'Bounce' ? { bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: at.toISOString() } } : {}),
      ...(eventType === 'Complaint' ? { complaint: { complaintFeedbackType: 'abuse', timestamp: at.toISOString() } } : {}),
      ...(eventType === 'Delivery' ? { delivery: { timestamp: at.toISOString() } } : {}),
    },
  };
}

describe('delivery from SES events', () => {
  async function sentInvitation() {
    const site = await newSite();
    const [row] = await invite(site, [`d${Date.now()}@p.example`]);
    await sendEmail(site, row!.invitationId);
    return { site, row: row!, mail: { messageId: `msg-${row!.invitationId}`, site: site.siteId, invitation: row!.invitationId } };
  }
  const deliveryOf = async (siteId: string, invitationId: string) => (await getInvitation(db, siteId, invitationId))!;
  const auditActions = async (siteId: string) => (await listAuditEvents(db, siteId, { limit: 100 })).events.map((event) => event.action);

  it('moves sent → delivered → bounced, and a late Delivery after the Bounce keeps bounced', async () => {
    const { site, row, mail } = await sentInvitation();
    expect(await recordEmailEvent(db, sesEvent('Send', mail))).toBe('recorded');
    expect(await recordEmailEvent(db, sesEvent('Delivery', mail))).toBe('recorded');
    expect((await deliveryOf(site.siteId, row.invitationId)).delivery).toBe('delivered');
    expect(await recordEmailEvent(db, sesEvent('Bounce', mail))).toBe('recorded');
    expect(await recordEmailEvent(db, sesEvent('Delivery', mail))).toBe('unchanged');
    expect(await recordEmailEvent(db, sesEvent('Send', mail))).toBe('unchanged');
    expect(await recordEmailEvent(db, sesEvent('Complaint', mail))).toBe('unchanged');
    expect(await deliveryOf(site.siteId, row.invitationId)).toMatchObject({ delivery: 'bounced', bounceType: 'Permanent', bounceSubType: 'General', deliveryMessageId: mail.messageId });
    expect((await auditActions(site.siteId)).filter((action) => action.startsWith('invitation.bounced') || action === 'invitation.complained')).toEqual(['invitation.bounced']);
  });

  it('records one bounce once, however often (and however concurrently) its event arrives', async () => {
    const { site, row, mail } = await sentInvitation();
    const event = sesEvent('Bounce', mail);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => recordEmailEvent(db, event)));
    expect(outcomes.filter((outcome) => outcome === 'recorded')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'unchanged')).toHaveLength(5);
    expect((await auditActions(site.siteId)).filter((action) => action === 'invitation.bounced')).toHaveLength(1);
    expect((await deliveryOf(site.siteId, row.invitationId)).delivery).toBe('bounced');
  });

  it('records a complaint after the delivery, with one audit event', async () => {
    const { site, row, mail } = await sentInvitation();
    await recordEmailEvent(db, sesEvent('Delivery', mail));
    expect(await recordEmailEvent(db, sesEvent('Complaint', mail))).toBe('recorded');
    expect(await recordEmailEvent(db, sesEvent('Complaint', mail))).toBe('unchanged');
    expect((await deliveryOf(site.siteId, row.invitationId)).delivery).toBe('complained');
    expect((await auditActions(site.siteId)).filter((action) => action === 'invitation.complained')).toHaveLength(1);
  });

  it('starts over with a resend, and ignores late events about the email it replaced', async () => {
    const { site, row, mail } = await sentInvitation();
    await recordEmailEvent(db, sesEvent('Delivery', mail));
    const resent = await resendInvitation(deps, (await getSite(db, site.siteId))!, row.invitationId, 'admin', new Date());
    expect(resent.delivery).toBeUndefined();
    expect(await recordEmailEvent(db, sesEvent('Bounce', mail))).toBe('stale');
    await sendEmail(site, row.invitationId, resent.execution);
    expect(await recordEmailEvent(db, sesEvent('Bounce', { ...mail, messageId: 'msg-second', resend: '1' }))).toBe('recorded');
    expect(await deliveryOf(site.siteId, row.invitationId)).toMatchObject({ delivery: 'bounced', deliveryMessageId: 'msg-second' });
  });

  it('ignores events about other emails and event types that say nothing about delivery', async () => {
    const { site, row, mail } = await sentInvitation();
    expect(await recordEmailEvent(db, sesEvent('Bounce', { ...mail, kind: 'welcome' }))).toBe('ignored');
    const open = sesEvent('Delivery', mail);
    expect(await recordEmailEvent(db, { ...open, detail: { ...open.detail, eventType: 'Open' } })).toBe('ignored');
    expect(await recordEmailEvent(db, sesEvent('Bounce', { ...mail, invitation: 'inv_unknown' }))).toBe('unknown');
    expect((await deliveryOf(site.siteId, row.invitationId)).delivery).toBeUndefined();
  });
});
