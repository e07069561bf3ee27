import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** Group roles, promotion and membership over HTTP on the local stack. */
let given: TestStack;
beforeAll(async () => {
  given = await startTestStack();
});
afterAll(() => given?.close());

type Group = { groupId: string; name: string; role: string; memberCount: number };
type Person = Record<string, unknown> & { userId: string; kind: string; status: string };
type InviteResult = { results: Record<string, string>[]; seats: Record<string, number> };
type AuditEvent = { at: string; actor: string; action: string; target: string; details: Record<string, unknown> };

async function createGroup(site: TestSite, role: string, name = `${role} group`): Promise<Group> {
  const created = await given.api<Group>('POST', `/sites/${site.siteId}/groups`, { token: site.adminToken, body: { name, role } });
  expect(created.status).toBe(201);
  return created.json;
}

async function inviteOne(site: TestSite, email: string, body: Record<string, unknown>) {
  const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], ...body } });
  expect(invited.status).toBe(200);
  const row = invited.json.results[0]!;
  expect(row.status, JSON.stringify(row)).toBe('invited');
  return row;
}

const person = async (site: TestSite, userId: string) => (await given.api<Person>('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json;
const seats = async (site: TestSite) => (await given.api<Record<string, number>>('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json;
const groups = async (site: TestSite) => (await given.api<{ groups: Group[] }>('GET', `/sites/${site.siteId}/groups`, { token: site.adminToken })).json.groups;
const auditEvents = async (site: TestSite) =>
  (await given.api<{ events: AuditEvent[] }>('GET', `/sites/${site.siteId}/audit-events?limit=100`, { token: site.adminToken })).json.events;

describe('group roles', () => {
  it('a guest group invited through, then given the User role: both guests paid, seats moved, onboarding goes on', async () => {
    const site = await given.createSite({ userLimit: 50, guestRatio: 5 });
    const group = await createGroup(site, 'guest', 'Partners');
    const pendingBefore = given.stack.stepFunctions.pendingTaskTokens().length;
    const ann = await inviteOne(site, 'ann@partner.example', { groups: [group.groupId] });
    const bob = await inviteOne(site, 'bob@partner.example', { groups: [group.groupId] });
    expect([ann.kind, bob.kind]).toEqual(['guest', 'guest']);
    expect(await seats(site)).toMatchObject({ paid: 1, guests: 2, guestLimit: 5 });
    expect((await groups(site)).find((g) => g.groupId === group.groupId)).toMatchObject({ role: 'guest', memberCount: 2 });
    // Both onboardings wait for acceptance (the space wait comes after it)
    await eventually(async () => given.stack.stepFunctions.pendingTaskTokens().length >= pendingBefore + 2);

    const changed = await given.api<Group>('PUT', `/sites/${site.siteId}/groups/${group.groupId}/role`, { token: site.adminToken, body: { role: 'user' } });
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual({ groupId: group.groupId, name: 'Partners', role: 'user', memberCount: 2 });
    for (const row of [ann, bob]) {
      const promoted = await person(site, row.userId!);
      expect(promoted).toMatchObject({ kind: 'paid', status: 'invited', roles: { wiki: 'user' }, groups: [group.groupId] });
      expect(promoted).not.toHaveProperty('spaceKey');
    }
    expect(await seats(site)).toMatchObject({ paid: 3, guests: 0, guestLimit: 15 });
    expect((await groups(site)).find((g) => g.groupId === group.groupId)).toMatchObject({ role: 'user', memberCount: 2 });

    // Paid now: after the acceptance the space wait ends at once, so accepting is all that is left
    const mail = await eventually(async () => (await given.mailTo('ann@partner.example')).find((m) => /\/invitations\//.test(m.body.text ?? '')));
    expect((await given.api('POST', `/invitations/${linkIn(mail)}/accept`, { body: {} })).status).toBe(200);
    await eventually(async () => (await person(site, ann.userId!)).status === 'active');
    expect(await person(site, ann.userId!)).toMatchObject({ kind: 'paid', status: 'active' });

    // Never back to a guest group, and a later change to the same role writes nothing
    const back = await given.api('PUT', `/sites/${site.siteId}/groups/${group.groupId}/role`, { token: site.adminToken, body: { role: 'guest' } });
    expect(back.status).toBe(409);
    expect(back.json).toMatchObject({ error: { code: 'paid_user_conversion_forbidden' } });

    const events = await auditEvents(site);
    expect(events.filter((event) => event.action === 'group.role_changed')).toEqual([
      expect.objectContaining({ actor: site.adminUserId, target: group.groupId, details: { before: { role: 'guest' }, after: { role: 'user' } } }),
    ]);
    expect(events.filter((event) => event.action === 'guest.promoted').map((event) => event.target).sort()).toEqual([ann.userId, bob.userId].sort());
  });

  it('refuses to turn a group with a paid member into a guest group, and changes nothing', async () => {
    const site = await given.createSite();
    const group = await createGroup(site, 'none');
    const guest = await inviteOne(site, 'gina@partner.example', { roles: { wiki: 'guest' }, groups: [group.groupId] });
    const paid = await inviteOne(site, 'paul@corp.example', { roles: { wiki: 'user' }, groups: [group.groupId] });
    expect(paid.kind).toBe('paid');

    const refused = await given.api('PUT', `/sites/${site.siteId}/groups/${group.groupId}/role`, { token: site.adminToken, body: { role: 'guest' } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'paid_user_conversion_forbidden', details: { userIds: [paid.userId] } } });
    expect((await groups(site)).find((g) => g.groupId === group.groupId)).toMatchObject({ role: 'none', memberCount: 2 });
    expect((await person(site, paid.userId!)).kind).toBe('paid');
    expect((await person(site, guest.userId!)).kind).toBe('guest');
    expect((await auditEvents(site)).filter((event) => event.action === 'group.role_changed')).toEqual([]);

    // It is a none group already: asking for none changes and writes nothing; to App admin the guest becomes paid
    const none = await given.api<Group>('PUT', `/sites/${site.siteId}/groups/${group.groupId}/role`, { token: site.adminToken, body: { role: 'none' } });
    expect(none.status).toBe(200);
    expect((await person(site, guest.userId!)).kind).toBe('guest');
    const admins = await given.api<Group>('PUT', `/sites/${site.siteId}/groups/${group.groupId}/role`, { token: site.adminToken, body: { role: 'app-admin' } });
    expect(admins.json).toMatchObject({ role: 'app-admin', memberCount: 2 });
    expect((await person(site, guest.userId!)).kind).toBe('paid');
    expect((await auditEvents(site)).filter((event) => event.action === 'group.role_changed').map((event) => event.details)).toEqual([{ before: { role: 'none' }, after: { role: 'app-admin' } }]);
  });

  it('promotes a whole guest group with POST …/promote', async () => {
    const site = await given.createSite({ userLimit: 10, guestRatio: 2 });
    const group = await createGroup(site, 'guest');
    const rows = [await inviteOne(site, 'p1@partner.example', { groups: [group.groupId] }), await inviteOne(site, 'p2@partner.example', { groups: [group.groupId] })];
    expect(await seats(site)).toMatchObject({ paid: 1, guests: 2, guestLimit: 2 });

    const promoted = await given.api<Group>('POST', `/sites/${site.siteId}/groups/${group.groupId}/promote`, { token: site.adminToken });
    expect(promoted.status).toBe(200);
    expect(promoted.json).toMatchObject({ groupId: group.groupId, role: 'user', memberCount: 2 });
    for (const row of rows) expect((await person(site, row.userId!)).kind).toBe('paid');
    expect(await seats(site)).toMatchObject({ paid: 3, guests: 0, guestLimit: 6 });
    // Promoting again is harmless: nothing left to do, nothing written
    expect((await given.api<Group>('POST', `/sites/${site.siteId}/groups/${group.groupId}/promote`, { token: site.adminToken })).json).toMatchObject({ role: 'user' });
    const events = await auditEvents(site);
    expect(events.filter((event) => event.action === 'group.promoted')).toEqual([
      expect.objectContaining({ actor: site.adminUserId, target: group.groupId, details: { before: { role: 'guest' }, after: { role: 'user' } } }),
    ]);
    expect(events.filter((event) => event.action === 'guest.promoted')).toHaveLength(2);
  });
});

describe('group members', () => {
  it('a guest added to a paid group becomes paid; a paid user added to a guest group is refused with 409', async () => {
    const site = await given.createSite({ userLimit: 10, guestRatio: 2 });
    const paidGroup = await createGroup(site, 'user');
    const guestGroup = await createGroup(site, 'guest');
    const guest = await inviteOne(site, 'gus@partner.example', { roles: { wiki: 'guest' } });
    const paid = await inviteOne(site, 'pam@corp.example', { roles: { wiki: 'user' } });

    const joined = await given.api<Group>('POST', `/sites/${site.siteId}/groups/${paidGroup.groupId}/members`, { token: site.adminToken, body: { userIds: [guest.userId] } });
    expect(joined.status).toBe(200);
    expect(joined.json).toMatchObject({ groupId: paidGroup.groupId, role: 'user', memberCount: 1 });
    expect(await person(site, guest.userId!)).toMatchObject({ kind: 'paid', groups: [paidGroup.groupId], roles: { wiki: 'user' } });
    expect(await seats(site)).toMatchObject({ paid: 3, guests: 0 });

    // The guest is paid now, like the paid invitee: neither joins a guest group, and nobody of the call is added
    const refused = await given.api('POST', `/sites/${site.siteId}/groups/${guestGroup.groupId}/members`, { token: site.adminToken, body: { userIds: [paid.userId, guest.userId] } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'paid_user_conversion_forbidden', details: { userIds: [paid.userId, guest.userId] } } });
    expect(await person(site, paid.userId!)).toMatchObject({ kind: 'paid', groups: [] });
    expect((await groups(site)).find((g) => g.groupId === guestGroup.groupId)).toMatchObject({ role: 'guest', memberCount: 0 });
    // A guest joins it; already a member: skipped
    const newcomer = await inviteOne(site, 'gia@partner.example', { roles: { wiki: 'guest' } });
    const joined2 = await given.api<Group>('POST', `/sites/${site.siteId}/groups/${guestGroup.groupId}/members`, { token: site.adminToken, body: { userIds: [newcomer.userId] } });
    expect(joined2.json).toMatchObject({ role: 'guest', memberCount: 1 });
    const again = await given.api<Group>('POST', `/sites/${site.siteId}/groups/${guestGroup.groupId}/members`, { token: site.adminToken, body: { userIds: [newcomer.userId] } });
    expect(again.json).toMatchObject({ memberCount: 1 });
    expect(await person(site, newcomer.userId!)).toMatchObject({ kind: 'guest', groups: [guestGroup.groupId] });

    const events = await auditEvents(site);
    expect(events.filter((event) => event.action === 'group.members_added').map((event) => [event.target, event.details.userIds])).toEqual([
      [guestGroup.groupId, [newcomer.userId]],
      [paidGroup.groupId, [guest.userId]],
    ]);
    expect(events.filter((event) => event.action === 'guest.promoted').map((event) => event.target)).toEqual([guest.userId]);
  });

  it('answers 404 for unknown users and groups, 400 for bad bodies, 403 for non-admins', async () => {
    const site = await given.createSite();
    const group = await createGroup(site, 'user');
    const guest = await inviteOne(site, 'nel@partner.example', { roles: { wiki: 'guest' } });
    const call = (method: string, path: string, body?: unknown, token = site.adminToken) =>
      given.api(method, `/sites/${site.siteId}/groups${path}`, { token, ...(body !== undefined ? { body } : {}) });

    const unknownUser = await call('POST', `/${group.groupId}/members`, { userIds: [guest.userId, 'usr_nobody'] });
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.json).toMatchObject({ error: { code: 'not_found' } });
    expect((await person(site, guest.userId!)).kind).toBe('guest');
    for (const [method, path, body] of [
      ['PUT', '/grp_missing/role', { role: 'user' }],
      ['POST', '/grp_missing/members', { userIds: [guest.userId] }],
      ['POST', '/grp_missing/promote', undefined],
    ] as const) {
      const missing = await call(method, path, body);
      expect(missing.status, `${method} ${path}`).toBe(404);
      expect(missing.json).toMatchObject({ error: { code: 'not_found' } });
    }
    for (const body of [{ role: 'owner' }, { role: 'user', extra: true }, {}]) {
      const bad = await call('PUT', `/${group.groupId}/role`, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json).toMatchObject({ error: { code: 'validation_failed' } });
    }
    for (const body of [{ userIds: [] }, { userIds: Array.from({ length: 51 }, (_, index) => `usr_${index}`) }, { userIds: ['bad id!'] }, { userIds: [guest.userId], role: 'user' }]) {
      expect((await call('POST', `/${group.groupId}/members`, body)).status, JSON.stringify(body)).toBe(400);
    }
    const stranger = await given.stack.signer.sign({ sub: 'usr_stranger' });
    expect((await call('POST', `/${group.groupId}/promote`, undefined, stranger)).status).toBe(403);
    expect((await call('PUT', `/${group.groupId}/role`, { role: 'guest' }, stranger)).status).toBe(403);
    expect((await call('POST', `/${group.groupId}/members`, { userIds: [guest.userId] }, stranger)).status).toBe(403);
    expect((await person(site, guest.userId!)).kind).toBe('guest');
  });
});
