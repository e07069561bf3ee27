import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_STATE_MACHINE_ARN } from '../../infra/local/stack';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** The guest lifecycle after the invitation, over HTTP on the local stack. */
let given: TestStack;
beforeAll(async () => {
  given = await startTestStack();
});
afterAll(() => given?.close());

type Person = Record<string, unknown> & { userId: string; status: string };
type InviteResult = { results: Record<string, string>[]; seats: Record<string, number> };

async function siteWithSpaces(overrides: Record<string, unknown> = {}): Promise<TestSite> {
  const site = await given.createSite(overrides);
  for (const space of [{ key: 'ENG', name: 'Engineering' }, { key: 'MKT', name: 'Marketing' }]) {
    await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: space });
  }
  return site;
}

const withLink = (mails: Awaited<ReturnType<TestStack['mailTo']>>) => mails.filter((mail) => /\/invitations\//.test(mail.body.text ?? ''));

async function inviteGuest(site: TestSite, email: string, extra: Record<string, unknown> = {}) {
  const before = withLink(await given.mailTo(email)).length;
  const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], roles: { wiki: 'guest' }, ...extra } });
  const row = invited.json.results[0]!;
  expect(row.status).toBe('invited');
  const mails = await eventually(async () => {
    const sent = withLink(await given.mailTo(email));
    return sent.length > before && sent;
  });
  return { userId: row.userId!, invitationId: row.invitationId!, token: linkIn(mails[mails.length - 1]!) };
}

async function activeGuest(site: TestSite, email: string, spaceKey = 'ENG') {
  const invited = await inviteGuest(site, email, { spaceKey });
  await given.api('POST', `/invitations/${invited.token}/accept`, { body: {} });
  await eventually(async () => (await given.api<Person>('GET', `/sites/${site.siteId}/users/${invited.userId}`, { token: site.adminToken })).json.status === 'active');
  return invited.userId;
}

const guestIds = async (site: TestSite, query = '') =>
  (await given.api<{ guests: Person[] }>('GET', `/sites/${site.siteId}/guests${query}`, { token: site.adminToken })).json.guests.map((guest) => guest.userId);
const userIds = async (site: TestSite, query = '') =>
  (await given.api<{ users: Person[] }>('GET', `/sites/${site.siteId}/users${query}`, { token: site.adminToken })).json.users.map((person) => person.userId);
const seats = async (site: TestSite) => (await given.api<Record<string, number>>('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json;

describe('the whole guest lifecycle', () => {
  it('invite → accept → assign → unassign → reassign → remove app access (kept as removed) → re-invite the same person → active', async () => {
    const site = await siteWithSpaces();
    const { userId, token } = await inviteGuest(site, 'life@partner.example');
    expect(await guestIds(site, '?status=invited')).toEqual([userId]);
    await given.api('POST', `/invitations/${token}/accept`, { body: { displayName: 'Liv' } });
    await given.api('PUT', `/sites/${site.siteId}/guests/${userId}/space`, { token: site.adminToken, body: { spaceKey: 'ENG' } });
    await eventually(async () => (await guestIds(site, '?status=active')).includes(userId));
    expect(await guestIds(site, '?spaceKey=ENG')).toEqual([userId]);

    const unassigned = await given.api<Person>('DELETE', `/sites/${site.siteId}/guests/${userId}/space`, { token: site.adminToken });
    expect(unassigned.status).toBe(200);
    expect(unassigned.json).not.toHaveProperty('spaceKey');
    expect(unassigned.json).toMatchObject({ kind: 'guest', status: 'active' });
    expect(await guestIds(site, '?noSpace=true')).toEqual([userId]);
    expect(await guestIds(site, '?spaceKey=ENG')).toEqual([]);

    const reassigned = await given.api<Person>('PUT', `/sites/${site.siteId}/guests/${userId}/space`, { token: site.adminToken, body: { spaceKey: 'MKT' } });
    expect(reassigned.json).toMatchObject({ spaceKey: 'MKT' });
    expect(await guestIds(site, '?noSpace=true')).toEqual([]);
    expect(await guestIds(site, '?spaceKey=MKT&status=active')).toEqual([userId]);
    expect(await seats(site)).toMatchObject({ guests: 1 });

    const removed = await given.api('DELETE', `/sites/${site.siteId}/guests/${userId}/app-access`, { token: site.adminToken });
    expect(removed.status).toBe(204);
    expect(await guestIds(site)).toEqual([]);
    expect(await seats(site)).toMatchObject({ guests: 0 });
    // The person stays, removed (rule 11): listed by the users list, not by the guest list
    const kept = await given.api<Person>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken });
    expect(kept.status).toBe(200);
    expect(kept.json).toMatchObject({ userId, email: 'life@partner.example', displayName: 'Liv', kind: 'guest', status: 'removed', groups: [], removedAt: expect.any(String) });
    expect(kept.json).not.toHaveProperty('spaceKey');
    expect(await userIds(site, '?status=removed')).toEqual([userId]);
    expect(await userIds(site, '?q=LIV')).toEqual([userId]);
    expect(await userIds(site, '?kind=guest&status=active')).toEqual([]);
    const spaces = await given.api<{ spaces: { key: string; guestCount: number }[] }>('GET', `/sites/${site.siteId}/spaces`, { token: site.adminToken });
    expect(spaces.json.spaces.map((space) => [space.key, space.guestCount])).toEqual([['ENG', 0], ['MKT', 0]]);
    const decision = await given.api<{ allowed: boolean; reason: string }>('POST', `/sites/${site.siteId}/access-decisions`, {
      token: await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' }),
      body: { userId, spaceKey: 'MKT', client: 'web' },
    });
    expect(decision.json).toEqual({ allowed: false, reason: 'not_active' });

    // Invited again: the same person, onboarded afresh to active
    const again = await inviteGuest(site, 'life@partner.example', { spaceKey: 'ENG' });
    expect(again.userId).toBe(userId);
    expect(await guestIds(site, '?status=invited')).toEqual([userId]);
    expect(await userIds(site, '?status=removed')).toEqual([]);
    expect((await given.api('POST', `/invitations/${again.token}/accept`, { body: {} })).status).toBe(200);
    await eventually(async () => (await given.api<Person>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json.status === 'active');
    expect((await given.api<Person>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json).toMatchObject({ status: 'active', spaceKey: 'ENG' });
    expect(await seats(site)).toMatchObject({ guests: 1 });
    const events = await given.api<{ events: { action: string; target: string }[] }>('GET', `/sites/${site.siteId}/audit-events?limit=100`, { token: site.adminToken });
    expect(events.json.events.filter((event) => event.target === userId).map((event) => event.action).reverse()).toEqual([
      'person.invited',
      'invitation.accepted',
      'guest.space_assigned',
      'person.activated',
      'guest.space_unassigned',
      'guest.space_assigned',
      'guest.app_access_removed',
      'person.invited',
      'invitation.accepted',
      'person.activated',
    ]);
  });

  it('lists everyone with GET /users, by kind, status and the start of a name or address; bad queries are 400s', async () => {
    const site = await siteWithSpaces();
    const guest = await inviteGuest(site, 'uma@partner.example');
    const paid = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['paul@corp.example'], roles: { wiki: 'user' } } });
    const paidId = paid.json.results[0]!.userId!;
    expect(await userIds(site)).toEqual([paidId, guest.userId, site.adminUserId]);
    expect(await userIds(site, '?kind=paid')).toEqual([paidId, site.adminUserId]);
    expect(await userIds(site, '?kind=guest&status=invited')).toEqual([guest.userId]);
    expect(await userIds(site, '?q=PA')).toEqual([paidId]);
    const first = await given.api<{ users: Person[]; nextCursor?: string }>('GET', `/sites/${site.siteId}/users?limit=2`, { token: site.adminToken });
    expect(first.json.users).toHaveLength(2);
    const rest = await given.api<{ users: Person[]; nextCursor?: string }>('GET', `/sites/${site.siteId}/users?limit=2&cursor=${first.json.nextCursor!}`, { token: site.adminToken });
    expect(rest.json).toEqual({ users: [expect.objectContaining({ userId: site.adminUserId })] });
    for (const query of ['?status=gone', '?kind=everyone', '?limit=0', '?q=', '?cursor=nope', `?kind=guest&cursor=${first.json.nextCursor!}`, '?extra=1']) {
      const bad = await given.api('GET', `/sites/${site.siteId}/users${query}`, { token: site.adminToken });
      expect(bad.status, query).toBe(400);
      expect(bad.json, query).toMatchObject({ error: { code: 'validation_failed' } });
    }
    // The guest list has no removed people to filter by
    expect((await given.api('GET', `/sites/${site.siteId}/guests?status=removed`, { token: site.adminToken })).status).toBe(400);
  });

  it('revokes a pending onboarding: the workflow ends as revoked and the link answers 410 invitation_revoked', async () => {
    const site = await siteWithSpaces();
    const { userId, invitationId, token } = await inviteGuest(site, 'pending@partner.example');
    const executionArn = LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:') + `:${invitationId}`;
    // Both callback tasks of this execution are waiting (the other files' executions live in other processes)
    await eventually(async () => given.stack.stepFunctions.pendingTaskTokens().length >= 2, { timeoutMs: 20_000 });
    expect((await given.api('DELETE', `/sites/${site.siteId}/guests/${userId}/app-access`, { token: site.adminToken })).status).toBe(204);
    const ended = await given.stack.stepFunctions.waitForExecution(executionArn, 30_000);
    expect(ended.status).toBe('SUCCEEDED');
    const link = await given.api('POST', `/invitations/${token}/accept`, { body: {} });
    expect(link.status).toBe(410);
    expect(link.json).toMatchObject({ error: { code: 'invitation_revoked' } });
    expect(await seats(site)).toMatchObject({ guests: 0 });
  }, 60_000);

  it('promotes a guest: the seat moves to paid and the guest allowance grows by the ratio', async () => {
    const site = await siteWithSpaces({ userLimit: 8, guestRatio: 2 });
    const userId = await activeGuest(site, 'promo@partner.example');
    expect(await seats(site)).toMatchObject({ paid: 1, guests: 1, guestLimit: 2 });
    const promoted = await given.api<Person>('POST', `/sites/${site.siteId}/guests/${userId}/promote`, { token: site.adminToken });
    expect(promoted.status).toBe(200);
    expect(promoted.json).toMatchObject({ kind: 'paid', status: 'active', roles: { wiki: 'user' } });
    expect(promoted.json).not.toHaveProperty('spaceKey');
    expect(await seats(site)).toMatchObject({ paid: 2, guests: 0, guestLimit: 4 });
    const twice = await given.api('POST', `/sites/${site.siteId}/guests/${userId}/promote`, { token: site.adminToken });
    expect(twice.status).toBe(409);
    expect(twice.json).toMatchObject({ error: { code: 'conflict' } });
    // A former guest who is now paid can never be invited as a guest again
    const back = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['promo@partner.example'], roles: { wiki: 'guest' } } });
    expect(back.json.results[0]).toMatchObject({ status: 'rejected', reason: 'paid_user_conversion_forbidden' });
  });

  it('caps the grown guest allowance by the user limit', async () => {
    const site = await siteWithSpaces({ userLimit: 3, guestRatio: 5 });
    const userId = await activeGuest(site, 'capped@partner.example');
    await given.api('POST', `/sites/${site.siteId}/guests/${userId}/promote`, { token: site.adminToken });
    expect(await seats(site)).toMatchObject({ paid: 2, guests: 0, guestLimit: 1 });
  });

  it('deactivates (seat freed) and reactivates only when a seat is free', async () => {
    const site = await siteWithSpaces({ userLimit: 10, guestRatio: 1 });
    const first = await activeGuest(site, 'first@partner.example');
    const deactivated = await given.api<Person>('POST', `/sites/${site.siteId}/users/${first}/deactivate`, { token: site.adminToken });
    expect(deactivated.json).toMatchObject({ status: 'deactivated' });
    expect(await seats(site)).toMatchObject({ guests: 0 });
    expect(await guestIds(site, '?status=deactivated')).toEqual([first]);
    // Someone else takes the only guest seat
    await activeGuest(site, 'second@partner.example');
    const refused = await given.api('POST', `/sites/${site.siteId}/users/${first}/reactivate`, { token: site.adminToken });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'guest_limit_reached' } });
    expect(await seats(site)).toMatchObject({ guests: 1 });
    // Re-inviting a deactivated person is refused: they are still a member
    const reinvite = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['first@partner.example'], roles: { wiki: 'guest' } } });
    expect(reinvite.json.results[0]).toMatchObject({ status: 'rejected', reason: 'already_member' });
  });

  it('deletes a paid user at once; the address can never come back as a guest', async () => {
    const site = await siteWithSpaces();
    const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['gone@corp.example'], roles: { wiki: 'user' } } });
    const userId = invited.json.results[0]!.userId!;
    const deleted = await given.api('DELETE', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken });
    expect(deleted.status).toBe(202);
    expect(deleted.json).toMatchObject({ userId, eraseAfter: expect.any(String) });
    expect((await given.api('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).status).toBe(404);
    expect(await seats(site)).toMatchObject({ paid: 1 });
    const asGuest = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['gone@corp.example'], roles: { wiki: 'guest' } } });
    expect(asGuest.json.results[0]).toMatchObject({ status: 'rejected', reason: 'paid_user_conversion_forbidden' });
    expect((await given.api('DELETE', `/sites/${site.siteId}/users/${site.adminUserId}`, { token: site.adminToken })).status).toBe(409);
  });
});
