import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_STATE_MACHINE_ARN } from '../../infra/local/stack';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * Invitations an admin manages, over HTTP on the local stack: the list by status, resend (new
 * link, one new email, a fresh onboarding that still activates), the rolling limit, withdrawal,
 * and delivery status from the SES events the local stack publishes for the mailbox simulator.
 */
let given: TestStack;
beforeAll(async () => {
  given = await startTestStack();
});
afterAll(() => given?.close());

type InviteResult = { results: Record<string, string>[] };
type Invitation = Record<string, unknown> & { invitationId: string; status: string; delivery: string; resends: number };
type InvitationList = { invitations: Invitation[]; nextCursor?: string };

const withLink = (mails: Awaited<ReturnType<TestStack['mailTo']>>) => mails.filter((mail) => /\/invitations\//.test(mail.body.text ?? ''));
const executionArn = (name: string) => `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

async function siteWithSpace(): Promise<TestSite> {
  const site = await given.createSite({ userLimit: 50, guestRatio: 20 });
  expect((await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } })).status).toBe(201);
  return site;
}

/** Invites one guest (with a space, so accepting activates) and waits for the invitation email. */
async function inviteGuest(site: TestSite, email: string) {
  const before = withLink(await given.mailTo(email)).length;
  const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], roles: { wiki: 'guest' }, spaceKey: 'ENG' } });
  const row = invited.json.results[0]!;
  expect(row.status, JSON.stringify(row)).toBe('invited');
  const token = await nextLink(email, before);
  // The email is recorded as sent (the lease is given back) before a resend may replace it
  await eventually(async () => (await invitation(site, row.invitationId!, 'pending'))?.delivery === 'sent');
  return { userId: row.userId!, invitationId: row.invitationId!, token };
}

async function nextLink(email: string, before: number): Promise<string> {
  const mails = await eventually(async () => {
    const sent = withLink(await given.mailTo(email));
    return sent.length > before && sent;
  });
  return linkIn(mails[mails.length - 1]!);
}

const list = (site: TestSite, query: string) => given.api<InvitationList>('GET', `/sites/${site.siteId}/invitations${query}`, { token: site.adminToken });
async function invitation(site: TestSite, invitationId: string, status: string): Promise<Invitation | undefined> {
  const found: Invitation[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(site, `?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status, page.text).toBe(200);
    found.push(...page.json.invitations);
    cursor = page.json.nextCursor;
  } while (cursor);
  return found.find((entry) => entry.invitationId === invitationId);
}
const resend = (site: TestSite, invitationId: string) => given.api<Invitation>('POST', `/sites/${site.siteId}/invitations/${invitationId}/resend`, { token: site.adminToken });
const seats = async (site: TestSite) => (await given.api<Record<string, number>>('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resending an invitation', () => {
  it('revokes the old link, sends exactly one new email, and the new link still activates the person', async () => {
    const site = await siteWithSpace();
    const email = 'again@partner.example';
    const { userId, invitationId, token: oldToken } = await inviteGuest(site, email);

    const resent = await resend(site, invitationId);
    expect(resent.status, resent.text).toBe(200);
    expect(resent.json).toMatchObject({ invitationId, userId, status: 'pending', resends: 1, delivery: 'sending' });
    expect(resent.json).not.toHaveProperty('tokenDigest');

    // The old link is refused at once, on the page and on accept
    const oldView = await given.api('GET', `/invitations/${oldToken}`, { headers: { accept: 'application/json' } });
    expect([oldView.status, (oldView.json as { error?: { code?: string } }).error?.code]).toEqual([410, 'invitation_revoked']);
    const oldAccept = await given.api('POST', `/invitations/${oldToken}/accept`, { body: {} });
    expect([oldAccept.status, (oldAccept.json as { error?: { code?: string } }).error?.code]).toEqual([410, 'invitation_revoked']);

    // Exactly one new email, with a new link; the first execution was stopped
    const newToken = await nextLink(email, 1);
    expect(newToken).not.toBe(oldToken);
    expect((await given.stack.stepFunctions.waitForExecution(executionArn(invitationId), 10_000)).status).toBe('ABORTED');
    await eventually(async () => (await invitation(site, invitationId, 'pending'))?.delivery === 'sent');
    await pause(500);
    expect(withLink(await given.mailTo(email))).toHaveLength(2);

    // The new link accepts, and the fresh onboarding activates the person
    const accepted = await given.api('POST', `/invitations/${newToken}/accept`, { body: { displayName: 'Agnes' } });
    expect(accepted.status, accepted.text).toBe(200);
    await eventually(async () => (await given.api<{ status: string }>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json.status === 'active');
    expect(await eventually(async () => invitation(site, invitationId, 'accepted'))).toMatchObject({ status: 'accepted', resends: 1 });
    expect(await invitation(site, invitationId, 'pending')).toBeUndefined();
    expect(withLink(await given.mailTo(email))).toHaveLength(2);
    const audit = await given.api<{ events: { action: string }[] }>('GET', `/sites/${site.siteId}/audit-events?limit=100`, { token: site.adminToken });
    expect(audit.json.events.filter((event) => event.action === 'invitation.resent')).toHaveLength(1);
  }, 60_000);

  it('refuses the fourth resend within a day with 429 and retry-after', async () => {
    const site = await siteWithSpace();
    const email = 'often@partner.example';
    const { invitationId } = await inviteGuest(site, email);
    for (let n = 1; n <= 3; n++) {
      const resent = await resend(site, invitationId);
      expect(resent.status, resent.text).toBe(200);
      expect(resent.json.resends).toBe(n);
      await nextLink(email, n);
      await eventually(async () => (await invitation(site, invitationId, 'pending'))?.delivery === 'sent');
    }
    const fourth = await resend(site, invitationId);
    expect(fourth.status).toBe(429);
    expect(fourth.json).toMatchObject({ error: { code: 'rate_limited' } });
    const retryAfter = Number(fourth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(23 * 3600);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    await pause(300);
    expect(withLink(await given.mailTo(email))).toHaveLength(4);
  }, 60_000);

  it('answers 404 for an unknown invitation and 409 for one that is not pending', async () => {
    const site = await siteWithSpace();
    expect((await resend(site, 'inv_unknown')).status).toBe(404);
    const { invitationId, token } = await inviteGuest(site, 'done@partner.example');
    expect((await given.api('POST', `/invitations/${token}/accept`, { body: {} })).status).toBe(200);
    const refused = await resend(site, invitationId);
    expect([refused.status, (refused.json as { error?: { code?: string } }).error?.code]).toEqual([409, 'conflict']);
  });
});

describe('withdrawing an invitation', () => {
  it('frees the seat, stops the onboarding and revokes the link', async () => {
    const site = await siteWithSpace();
    const { userId, invitationId, token } = await inviteGuest(site, 'never@partner.example');
    expect(await seats(site)).toMatchObject({ guests: 1 });

    const withdrawn = await given.api('DELETE', `/sites/${site.siteId}/invitations/${invitationId}`, { token: site.adminToken });
    expect(withdrawn.status, withdrawn.text).toBe(204);
    expect(await seats(site)).toMatchObject({ guests: 0 });
    const link = await given.api('POST', `/invitations/${token}/accept`, { body: {} });
    expect([link.status, (link.json as { error?: { code?: string } }).error?.code]).toEqual([410, 'invitation_revoked']);
    expect((await given.stack.stepFunctions.waitForExecution(executionArn(invitationId), 10_000)).status).toBe('ABORTED');
    expect((await given.api('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).status).toBe(404);
    expect(await eventually(async () => invitation(site, invitationId, 'revoked'))).toMatchObject({ status: 'revoked' });

    const again = await given.api('DELETE', `/sites/${site.siteId}/invitations/${invitationId}`, { token: site.adminToken });
    expect([again.status, (again.json as { error?: { code?: string } }).error?.code]).toEqual([409, 'conflict']);
    expect((await given.api('DELETE', `/sites/${site.siteId}/invitations/inv_unknown`, { token: site.adminToken })).status).toBe(404);
  });
});

describe('delivery status from SES events', () => {
  it('marks a mail to the mailbox simulator’s bounce address bounced, with exactly one audit event', async () => {
    const site = await siteWithSpace();
    const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['bounce@simulator.amazonses.com', 'complaint@simulator.amazonses.com', 'success@simulator.amazonses.com'], roles: { wiki: 'guest' } },
    });
    const [bounced, complained, delivered] = invited.json.results.map((row) => row.invitationId!);
    expect(invited.json.results.map((row) => row.status)).toEqual(['invited', 'invited', 'invited']);

    const entry = await eventually(async () => {
      const found = await invitation(site, bounced!, 'pending');
      return found?.delivery === 'bounced' && found;
    });
    expect(entry).toMatchObject({ delivery: 'bounced', bounce: { type: 'Permanent', subType: 'General', at: expect.any(String) } });
    await eventually(async () => (await invitation(site, complained!, 'pending'))?.delivery === 'complained');
    await eventually(async () => (await invitation(site, delivered!, 'pending'))?.delivery === 'delivered');

    await given.stack.sesEvents.settled();
    const audit = await given.api<{ events: { action: string; details: Record<string, unknown> }[] }>('GET', `/sites/${site.siteId}/audit-events?limit=100`, { token: site.adminToken });
    expect(audit.json.events.filter((event) => event.action === 'invitation.bounced')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ invitationId: bounced, bounceType: 'Permanent' }) }),
    ]);
    expect(audit.json.events.filter((event) => event.action === 'invitation.complained')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ invitationId: complained }) }),
    ]);
    // A late Delivery does not undo the bounce
    expect((await invitation(site, bounced!, 'pending'))?.delivery).toBe('bounced');
  }, 60_000);
});

describe('the list of invitations', () => {
  it('filters by status and pages newest first', async () => {
    const site = await siteWithSpace();
    const emails = Array.from({ length: 5 }, (_, n) => `list${n}@partner.example`);
    const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails, roles: { wiki: 'guest' } } });
    const ids = invited.json.results.map((row) => row.invitationId!);
    await eventually(async () => (await given.api<InvitationList>('GET', `/sites/${site.siteId}/invitations?limit=100`, { token: site.adminToken })).json.invitations.length === 5);
    expect((await given.api('DELETE', `/sites/${site.siteId}/invitations/${ids[1]}`, { token: site.adminToken })).status).toBe(204);

    const pages: string[][] = [];
    let cursor: string | undefined;
    await eventually(async () => (await list(site, '?status=pending&limit=100')).json.invitations.length === 4);
    do {
      const page = await list(site, `?status=pending&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status, page.text).toBe(200);
      pages.push(page.json.invitations.map((entry) => entry.invitationId));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[ids[4], ids[3]], [ids[2], ids[0]]]);
    const first = (await list(site, '?status=pending&limit=1')).json.invitations[0]!;
    expect(first).toMatchObject({ invitationId: ids[4], email: emails[4], kind: 'guest', status: 'pending', resends: 0, invitedBy: site.adminUserId, invitedAt: expect.any(String), expiresAt: expect.any(String) });
    expect(['sending', 'sent']).toContain(first.delivery);

    expect((await list(site, '?status=revoked')).json.invitations.map((entry) => entry.invitationId)).toEqual([ids[1]]);
    expect((await list(site, '?status=accepted')).json.invitations).toEqual([]);
    const bad = await list(site, '?status=lost');
    expect([bad.status, (bad.json as unknown as { error: { code: string } }).error.code]).toEqual([400, 'validation_failed']);
    const badCursor = await list(site, '?status=pending&cursor=abc');
    expect(badCursor.status).toBe(400);
  }, 60_000);
});
