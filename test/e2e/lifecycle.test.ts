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
const seats = async (site: TestSite) => (await given.api<Record<string, number>>('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json;

describe('the whole guest lifecycle', () => {
  it('invite → accept → assign → unassign → reassign → remove app access → re-invite', async () => {
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
    expect((await given.api('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).status).toBe(404);
    const spaces = await given.api<{ spaces: { key: string; guestCount: number }[] }>('GET', `/sites/${site.siteId}/spaces`, { token: site.adminToken });
    expect(spaces.json.spaces.map((space) => [space.key, space.guestCount])).toEqual([['ENG', 0], ['MKT', 0]]);

    const again = await inviteGuest(site, 'life@partner.example');
    expect(again.userId).not.toBe(userId);
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
