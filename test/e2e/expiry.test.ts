import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** The expiry path with invitations that live two seconds (set through the stack's test configuration). */
let given: TestStack;
let site: TestSite;

beforeAll(async () => {
  given = await startTestStack({ inviteExpirySeconds: 2 });
  site = await given.createSite({ userLimit: 3, guestRatio: 1 });
});
afterAll(() => given?.close());

describe('an invitation nobody accepts', () => {
  it('expires, frees the seat, and its link answers 410 invitation_expired', async () => {
    const invited = await given.api<{ results: Record<string, string>[]; seats: Record<string, number> }>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['late@partner.example'], roles: { wiki: 'guest' } },
    });
    expect(invited.json.seats).toMatchObject({ guests: 1, guestLimit: 1 });
    const row = invited.json.results[0]!;
    const [mail] = await eventually(async () => (await given.mailTo('late@partner.example')).length > 0 && given.mailTo('late@partner.example'));
    const token = linkIn(mail!);

    // The seat is taken, so a second guest does not fit (ratio 1 × 1 paid user)
    const full = await given.api<{ results: Record<string, string>[] }>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['waiting@partner.example'], roles: { wiki: 'guest' } },
    });
    expect(full.json.results[0]).toMatchObject({ status: 'rejected', reason: 'guest_limit_reached' });

    await eventually(async () => (await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json.guests === 0, { timeoutMs: 10_000 });
    expect((await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken })).status).toBe(404);
    const expired = await given.api('POST', `/invitations/${token}/accept`, { body: {} });
    expect(expired.status).toBe(410);
    expect(expired.json).toMatchObject({ error: { code: 'invitation_expired' } });
    const page = await given.api('GET', `/invitations/${token}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(410);
    expect(page.text).toContain('expired');

    // The freed seat and the address can be used again
    const again = await given.api<{ results: Record<string, string>[] }>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['late@partner.example'], roles: { wiki: 'guest' } },
    });
    expect(again.json.results[0]).toMatchObject({ status: 'invited', kind: 'guest' });
  });

  it('activates an accepted guest without a space when the deadline passes, listed as having no space', async () => {
    // Free the seat the previous test took again
    await eventually(async () => (await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json.guests === 0, { timeoutMs: 10_000 });
    const invited = await given.api<{ results: Record<string, string>[] }>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['prompt@partner.example'], roles: { wiki: 'guest' } },
    });
    const row = invited.json.results[0]!;
    const [mail] = await eventually(async () => (await given.mailTo('prompt@partner.example')).length > 0 && given.mailTo('prompt@partner.example'));
    expect((await given.api('POST', `/invitations/${linkIn(mail!)}/accept`, { body: {} })).status).toBe(200);
    const person = await eventually(async () => {
      const got = await given.api('GET', `/sites/${site.siteId}/users/${row.userId}`, { token: site.adminToken });
      return got.json.status === 'active' && got.json;
    }, { timeoutMs: 10_000 });
    expect(person).not.toHaveProperty('spaceKey');
    expect((await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken })).json).toMatchObject({ guests: 1 });
  });
});
