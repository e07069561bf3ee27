import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** The invite slice over real HTTP on the local stack: API, workflow, DynamoDB Local and SES stand-in. */
let given: TestStack;
let site: TestSite;

beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite({ userLimit: 50 });
  for (const space of [
    { key: 'ENG', name: 'Engineering' },
    { key: 'PUB', name: 'Public handbook', anonymousAccess: true },
  ]) {
    expect((await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: space })).status).toBe(201);
  }
});
afterAll(() => given?.close());

type InviteResult = { results: Record<string, string>[]; seats: Record<string, number> };

describe('invite → accept → assign space → active', () => {
  it('onboards three guests end to end with personalised emails and working links', async () => {
    const emails = ['Ann@Partner.example', 'bob@agency.example', 'cy@vendor.example'];
    const invite = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails, roles: { wiki: 'guest' }, message: 'Welcome <b>aboard</b> — the plan is in ENG.' },
    });
    expect(invite.status).toBe(200);
    expect(invite.json.results.map((row) => [row.email, row.status, row.kind])).toEqual([
      ['ann@partner.example', 'invited', 'guest'],
      ['bob@agency.example', 'invited', 'guest'],
      ['cy@vendor.example', 'invited', 'guest'],
    ]);
    expect(invite.json.seats).toMatchObject({ paid: 1, guests: 3, guestLimit: 5, userLimit: 50 });

    for (const row of invite.json.results) {
      const [mail] = await eventually(async () => {
        const sent = await given.mailTo(row.email!);
        return sent.length > 0 && sent;
      });
      expect(mail!.subject).toContain(`Site ${site.siteId}`);
      expect(mail!.body.text).toContain('Welcome <b>aboard</b> — the plan is in ENG.');
      expect(mail!.body.html).toContain('Welcome &lt;b&gt;aboard&lt;/b&gt;');
      expect(mail!.body.html).toContain('Ada Admin');
      const token = linkIn(mail!);

      const page = await given.api('GET', `/invitations/${token}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.text).toContain('Ada Admin invited you');
      expect(page.text).toContain(row.email!);
      const view = await given.api('GET', `/invitations/${token}`, { headers: { accept: 'application/json' } });
      expect(view.json).toMatchObject({ email: row.email, inviterName: 'Ada Admin', siteName: `Site ${site.siteId}`, twoStepRequired: false });

      const accepted = await given.api('POST', `/invitations/${token}/accept`, { body: { displayName: `Guest ${row.email}` } });
      expect(accepted.status).toBe(200);
      expect(accepted.json).toEqual({ userId: row.userId, status: 'invited' });

      const assigned = await given.api('PUT', `/sites/${site.siteId}/guests/${row.userId}/space`, { token: site.adminToken, body: { spaceKey: 'ENG' } });
      expect(assigned.status).toBe(200);
      expect(assigned.json).toMatchObject({ spaceKey: 'ENG', kind: 'guest' });

      const person = await eventually(async () => {
        const got = await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken });
        return got.json.status === 'active' && got.json;
      });
      expect(person).toMatchObject({ email: row.email, displayName: `Guest ${row.email}`, spaceKey: 'ENG', status: 'active', invitedBy: site.adminUserId });
      const welcome = await eventually(async () => (await given.mailTo(row.email!)).find((m) => m.subject.includes('Welcome')));
      expect(welcome.body.text).toContain('Engineering');
    }
    const spaces = await given.api<{ spaces: { key: string; guestCount: number }[] }>('GET', `/sites/${site.siteId}/spaces`, { token: site.adminToken });
    expect(spaces.json.spaces.find((space) => space.key === 'ENG')?.guestCount).toBe(3);
  });

  it('activates a guest whose space was given at invite time as soon as they accept', async () => {
    const invite = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['dee@partner.example'], roles: { wiki: 'guest' }, spaceKey: 'ENG' },
    });
    const row = invite.json.results[0]!;
    const [mail] = await eventually(async () => (await given.mailTo('dee@partner.example')).length > 0 && given.mailTo('dee@partner.example'));
    expect(mail!.body.text).toContain('Engineering');
    const token = linkIn(mail!);
    expect((await given.api('POST', `/invitations/${token}/accept`, { body: {} })).status).toBe(200);
    await eventually(async () => (await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken })).json.status === 'active');
  });

  it('accepts the HTML form post from the invitation page', async () => {
    await given.api('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['form@partner.example'], roles: { wiki: 'guest' } } });
    const [mail] = await eventually(async () => (await given.mailTo('form@partner.example')).length > 0 && given.mailTo('form@partner.example'));
    const token = linkIn(mail!);
    const posted = await given.api('POST', `/invitations/${token}/accept`, {
      rawBody: 'displayName=Fran+Form',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('content-type')).toContain('text/html');
    expect(posted.text).toContain('Your invitation is accepted');
    const again = await given.api('POST', `/invitations/${token}/accept`, {
      rawBody: 'displayName=',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(again.status).toBe(410);
    expect(again.text).toContain('already been used');
  });

  it('onboards a paid invitee without waiting for a space', async () => {
    const invite = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['paula@corp.example'], roles: { wiki: 'user' }, spaceKey: 'ENG' },
    });
    const row = invite.json.results[0]!;
    expect(row).toMatchObject({ status: 'invited', kind: 'paid' });
    const [mail] = await eventually(async () => (await given.mailTo('paula@corp.example')).length > 0 && given.mailTo('paula@corp.example'));
    await given.api('POST', `/invitations/${linkIn(mail!)}/accept`, { body: {} });
    const person = await eventually(async () => {
      const got = await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken });
      return got.json.status === 'active' && got.json;
    });
    expect(person).not.toHaveProperty('spaceKey');
    const assign = await given.api('PUT', `/sites/${site.siteId}/guests/${row.userId}/space`, { token: site.adminToken, body: { spaceKey: 'ENG' } });
    expect(assign.status).toBe(409);
    expect(assign.json).toMatchObject({ error: { code: 'conflict' } });
  });
});
