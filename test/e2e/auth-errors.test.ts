import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSigner } from '../../infra/local/jwt';
import { startTestStack, type TestSite, type TestStack } from '../support/stack';

/** Refusals that say what to fix: each kind of bad token its own 401 message, a missing scope named. */
let given: TestStack;
let site: TestSite;
beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite();
});
afterAll(() => given?.close());

type ErrorJson = { error: { code: string; message: string; details?: Record<string, unknown> } };
const seats = (authorization?: string) =>
  given.api<ErrorJson>('GET', `/sites/${site.siteId}/seats`, authorization === undefined ? {} : { headers: { authorization } });

describe('401 and 403 answers', () => {
  it('tells a missing header, another scheme, a malformed, an expired and a wrongly signed token apart', async () => {
    const expired = await given.stack.signer.sign({ sub: site.adminUserId, expiresIn: '10s ago' });
    const stranger = await localSigner(join(mkdtempSync(join(tmpdir(), 'guestpass-other-key-')), 'key.json'), given.stack.issuer);
    const forged = await stranger.sign({ sub: site.adminUserId });
    const cases: [string | undefined, RegExp][] = [
      [undefined, /Authorization: Bearer <token>" header is required/],
      ['Basic YWRtaW46YWRtaW4=', /must be "Bearer <token>"/],
      ['Bearer not-a-jwt', /malformed/],
      [`Bearer ${expired}`, /expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/],
      [`Bearer ${forged}`, /signature does not match/],
    ];
    const messages = new Set<string>();
    for (const [authorization, message] of cases) {
      const answer = await seats(authorization);
      expect(answer.status, String(authorization)).toBe(401);
      expect(answer.json.error.code).toBe('unauthorized');
      expect(answer.json.error.message).toMatch(message);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      messages.add(answer.json.error.message);
    }
    expect(messages.size).toBe(cases.length);
    // The valid token, for contrast.
    expect((await seats(`Bearer ${site.adminToken}`)).status).toBe(200);
  });

  it('names the scope a route needs when the token lacks it', async () => {
    const decision = await given.api<ErrorJson>('POST', `/sites/${site.siteId}/access-decisions`, { token: site.adminToken, body: { userId: site.adminUserId, spaceKey: 'ENG', client: 'web' } });
    expect(decision.status).toBe(403);
    expect(decision.json.error).toEqual({ code: 'forbidden', message: 'This route needs a token with the scope "access:decide".', details: { requiredScope: 'access:decide' } });
    const service = await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' });
    const patched = await given.api<ErrorJson>('PATCH', `/sites/${site.siteId}`, { token: service, body: { userLimit: 20 } });
    expect(patched.status).toBe(403);
    expect(patched.json.error.details).toEqual({ requiredScope: 'sites:manage' });
  });

  it('answers an admin of another site, and a site that does not exist, the same 403', async () => {
    const other = await given.createSite();
    const elsewhere = await given.api<ErrorJson>('GET', `/sites/${site.siteId}/seats`, { token: other.adminToken });
    const nowhere = await given.api<ErrorJson>('GET', '/sites/no-such-site/seats', { token: other.adminToken });
    expect(elsewhere.status).toBe(403);
    expect(nowhere.status).toBe(403);
    expect(nowhere.json).toEqual(elsewhere.json);
  });
});
