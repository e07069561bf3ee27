import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** Inputs a client can send that once got through: each is a 400 that changes nothing. */
let given: TestStack;
let site: TestSite;

beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite();
});
afterAll(() => given?.close());

async function invitedToken(email: string): Promise<string> {
  const invite = await given.api('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], roles: { wiki: 'guest' } } });
  expect(invite.status).toBe(200);
  const [mail] = await eventually(async () => {
    const sent = await given.mailTo(email);
    return sent.length > 0 && sent;
  });
  return linkIn(mail!);
}

describe('a JSON body is an object or absent', () => {
  it.each(['null', '[]', '"yes"', '7'])('refuses %s on accept with 400 validation_failed and leaves the link usable', async (raw) => {
    const token = await invitedToken(`edge-${Buffer.from(raw).toString('hex')}@partner.example`);
    const refused = await given.api('POST', `/invitations/${token}/accept`, { rawBody: raw, headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'validation_failed' } });

    const still = await given.api('GET', `/invitations/${token}`, { headers: { accept: 'application/json' } });
    expect(still.status).toBe(200);
    const accepted = await given.api<{ status: string }>('POST', `/invitations/${token}/accept`, { body: {} });
    expect(accepted.status).toBe(200);
  });
});

describe('path parameters whose percent-encoding is not UTF-8', () => {
  it.each([
    ['GET', '/sites/%FF/seats', 'siteId'],
    ['GET', '/sites/demo/users/%C0%AF', 'userId'],
    ['GET', '/invitations/%FF%FE', 'token'],
    ['POST', '/invitations/%C0%AF/accept', 'token'],
  ])('%s %s answers 400 validation_failed naming path.%s', async (method, path, name) => {
    const response = await given.api<{ error: { code: string; details: { issues: { path: string }[] } } }>(method, path, { token: site.adminToken });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('validation_failed');
    expect(response.json.error.details.issues.map((issue) => issue.path)).toEqual([`path.${name}`]);
  });
});
