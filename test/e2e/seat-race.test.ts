import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestStack, type TestStack } from '../support/stack';

/** The seat rules over HTTP with everything running: exactly N of 10×N racing invites get in, and only they get email. */
let given: TestStack;
beforeAll(async () => {
  given = await startTestStack();
});
afterAll(() => given?.close());

type InviteResult = { results: { email: string; status: string; reason?: string }[] };

async function race(siteId: string, token: string, count: number, kind: 'guest' | 'user') {
  const emails = Array.from({ length: count }, (_, index) => `${kind}${index}.${siteId}@race.example`);
  const responses = await Promise.all(
    emails.map((email) => given.api<InviteResult>('POST', `/sites/${siteId}/invitations`, { token, body: { emails: [email], roles: { wiki: kind } } })),
  );
  expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
  return { emails, rows: responses.map((response) => response.json.results[0]!) };
}

async function mailCount(emails: string[]) {
  let total = 0;
  for (const email of emails) total += (await given.mailTo(email)).length;
  return total;
}

describe('seat race over HTTP', () => {
  it('gives the 4 free guest seats to exactly 4 of 40 concurrent invites', async () => {
    const site = await given.createSite({ userLimit: 100, guestRatio: 4 });
    const { emails, rows } = await race(site.siteId, site.adminToken, 40, 'guest');
    const invited = rows.filter((row) => row.status === 'invited');
    expect(invited).toHaveLength(4);
    expect(rows.filter((row) => row.reason === 'guest_limit_reached')).toHaveLength(36);
    await eventually(async () => (await mailCount(invited.map((row) => row.email))) === 4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await mailCount(emails)).toBe(4);
    const seats = await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken });
    expect(seats.json).toMatchObject({ paid: 1, guests: 4, guestLimit: 4 });
  });

  it('gives the last 3 places under the user limit to exactly 3 of 30 concurrent paid invites', async () => {
    const site = await given.createSite({ userLimit: 4 });
    const { emails, rows } = await race(site.siteId, site.adminToken, 30, 'user');
    expect(rows.filter((row) => row.status === 'invited')).toHaveLength(3);
    expect(rows.filter((row) => row.reason === 'user_limit_reached')).toHaveLength(27);
    await eventually(async () => (await mailCount(emails)) === 3);
    const seats = await given.api('GET', `/sites/${site.siteId}/seats`, { token: site.adminToken });
    expect(seats.json).toMatchObject({ paid: 4, guests: 0, userLimit: 4, guestLimit: 0 });
  });

  it('takes seats in request order within one call', async () => {
    const site = await given.createSite({ userLimit: 100, guestRatio: 3 });
    const emails = ['o1@order.example', 'o2@order.example', 'o3@order.example', 'o4@order.example', 'o5@order.example'];
    const response = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails, roles: { wiki: 'guest' } } });
    expect(response.json.results.map((row) => row.status)).toEqual(['invited', 'invited', 'invited', 'rejected', 'rejected']);
    expect(response.json.results.slice(3).map((row) => row.reason)).toEqual(['guest_limit_reached', 'guest_limit_reached']);
  });
});
