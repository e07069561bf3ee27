import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** Spaces changing under their guests, and the downgrade to Free, over HTTP on the local stack. */
let given: TestStack;
beforeAll(async () => {
  given = await startTestStack();
});
afterAll(() => given?.close());

type InviteResult = { results: Record<string, string>[] };

async function activeGuest(site: TestSite, email: string, spaceKey?: string): Promise<string> {
  const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, {
    token: site.adminToken,
    body: { emails: [email], roles: { wiki: 'guest' }, ...(spaceKey ? { spaceKey } : {}) },
  });
  const row = invited.json.results[0]!;
  const [mail] = await eventually(async () => (await given.mailTo(email)).length > 0 && given.mailTo(email));
  await given.api('POST', `/invitations/${linkIn(mail!)}/accept`, { body: {} });
  if (!spaceKey) await given.api('PUT', `/sites/${site.siteId}/guests/${row.userId}/space`, { token: site.adminToken, body: { spaceKey: 'ENG' } });
  await eventually(async () => (await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken })).json.status === 'active');
  return row.userId!;
}

async function decide(site: TestSite, userId: string, spaceKey: string) {
  const serviceToken = await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' });
  return (await given.api('POST', `/sites/${site.siteId}/access-decisions`, { token: serviceToken, body: { userId, spaceKey, client: 'web' } })).json;
}

describe('spaces', () => {
  it('opening a space to anonymous users lets every guest in; deleting a space unassigns its guests', async () => {
    const site = await given.createSite();
    for (const space of [{ key: 'ENG', name: 'Engineering' }, { key: 'DOCS', name: 'Docs' }]) {
      await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: space });
    }
    const guest = await activeGuest(site, 'spacey@partner.example');
    expect(await decide(site, guest, 'DOCS')).toEqual({ allowed: false, reason: 'no_space_access' });

    const opened = await given.api('PATCH', `/sites/${site.siteId}/spaces/DOCS`, { token: site.adminToken, body: { anonymousAccess: true, name: 'Public docs' } });
    expect(opened.status).toBe(200);
    expect(opened.json).toEqual({ key: 'DOCS', name: 'Public docs', anonymousAccess: true, guestCount: 0 });
    expect(await decide(site, guest, 'DOCS')).toEqual({ allowed: true, reason: 'anonymous_space' });
    expect(await decide(site, guest, 'ENG')).toEqual({ allowed: true, reason: 'assigned_space' });
    expect((await given.api('PATCH', `/sites/${site.siteId}/spaces/DOCS`, { token: site.adminToken, body: {} })).status).toBe(400);
    expect((await given.api('PATCH', `/sites/${site.siteId}/spaces/NOPE`, { token: site.adminToken, body: { name: 'x' } })).status).toBe(404);

    expect((await given.api('DELETE', `/sites/${site.siteId}/spaces/ENG`, { token: site.adminToken })).status).toBe(204);
    const person = await given.api('GET', `/sites/${site.siteId}/users/${guest}`, { token: site.adminToken });
    expect(person.json).toMatchObject({ kind: 'guest', status: 'active' });
    expect(person.json).not.toHaveProperty('spaceKey');
    expect(await decide(site, guest, 'ENG')).toEqual({ allowed: false, reason: 'no_space_access' });
    const listed = await given.api<{ guests: { userId: string }[] }>('GET', `/sites/${site.siteId}/guests?noSpace=true`, { token: site.adminToken });
    expect(listed.json.guests.map((g) => g.userId)).toEqual([guest]);
    // A space of the same key created again does not bring its old guests back
    await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering again' } });
    expect(await decide(site, guest, 'ENG')).toEqual({ allowed: false, reason: 'no_space_access' });
    expect((await given.api('DELETE', `/sites/${site.siteId}/spaces/GONE`, { token: site.adminToken })).status).toBe(404);
  });
});

describe('downgrade to Free', () => {
  it('previews who loses access, then removes every guest and switches the plan', async () => {
    const site = await given.createSite({ userLimit: 50, guestRatio: 5 });
    await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } });
    const active = await activeGuest(site, 'down1@partner.example', 'ENG');
    const pending = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['down2@partner.example'], roles: { wiki: 'guest' } } });
    const pendingId = pending.json.results[0]!.userId!;

    const preview = await given.api<{ affected: { userId: string; effect: string }[]; confirmed: boolean }>('POST', `/sites/${site.siteId}/plan/downgrade`, { token: site.adminToken, body: { plan: 'free' } });
    expect(preview.status).toBe(200);
    expect(preview.json.confirmed).toBe(false);
    expect(preview.json.affected.map((row) => row.userId).sort()).toEqual([active, pendingId].sort());
    expect(new Set(preview.json.affected.map((row) => row.effect))).toEqual(new Set(['app_access_removed']));
    expect((await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json).toMatchObject({ guests: 2, plan: 'standard' });

    const confirmed = await given.api('POST', `/sites/${site.siteId}/plan/downgrade`, { token: site.adminToken, body: { plan: 'free', confirm: true } });
    expect(confirmed.status).toBe(200);
    expect((await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json).toEqual({ paid: 1, guests: 0, guestLimit: 0, userLimit: 10, guestRatio: 5, plan: 'free' });
    expect((await given.api<{ guests: unknown[] }>('GET', `/sites/${site.siteId}/guests`, { token: site.adminToken })).json.guests).toEqual([]);
    const invite = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['after@partner.example'], roles: { wiki: 'guest' } } });
    expect(invite.json.results[0]).toMatchObject({ status: 'rejected', reason: 'guest_limit_reached' });
  });

  it('refuses while the site has more paid users than Free allows', async () => {
    const site = await given.createSite({ userLimit: 50 });
    const emails = Array.from({ length: 10 }, (_, index) => `paid${index}@corp.example`);
    await given.api('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails, roles: { wiki: 'user' } } });
    const refused = await given.api('POST', `/sites/${site.siteId}/plan/downgrade`, { token: site.adminToken, body: { plan: 'free', confirm: true } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ error: { code: 'user_limit_reached', details: { paid: 11, limit: 10 } } });
    expect((await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json).toMatchObject({ plan: 'standard', paid: 11 });
  });
});
