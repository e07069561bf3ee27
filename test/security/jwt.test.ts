import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE } from '../../infra/local/jwt';
import type { RouteDeclaration } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { tableState, validBodies, validBodyFor } from '../support/route-bodies';
import { eventually, startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * Bearer tokens that are each one defect away from a good one — unsigned (`alg: none`), signed
 * HS256 with the issuer's public key as the HMAC secret, expired, not yet valid, another issuer,
 * another audience, no `sub` — are refused with 401 and the contract's error body on every route
 * that takes a token. A good token of another site's admin gets 403 on every admin route. The
 * site they aim at is compared item by item before and after: none of them changed anything.
 */
let given: TestStack;
let siteA: TestSite;
let siteB: TestSite;
let targets: { spaceKey: string; otherSpaceKey: string; groupId: string; guest: string; paid: string; invitationId: string };
let privateKey: Awaited<ReturnType<typeof importJWK>>;
let publicJwk: JWK;

type ErrorJson = { error?: { code?: unknown; message?: unknown; details?: unknown } };
type InviteResult = { results: { status: string; userId?: string; invitationId?: string }[] };

beforeAll(async () => {
  given = await startTestStack();
  // The local issuer's key, as the stack stores it (the identity provider's key in AWS)
  const stored = JSON.parse(readFileSync(join(given.stateDir, 'signing-key.json'), 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
  privateKey = await importJWK(stored.privateJwk, 'ES256');
  publicJwk = stored.publicJwk;

  siteA = await given.createSite();
  siteB = await given.createSite();
  const b = `/sites/${siteB.siteId}`;
  for (const key of ['BENG', 'BPUB']) expect((await given.api('POST', `${b}/spaces`, { token: siteB.adminToken, body: { key, name: key } })).status).toBe(201);
  const group = await given.api<{ groupId: string }>('POST', `${b}/groups`, { token: siteB.adminToken, body: { name: 'Partners', role: 'guest' } });
  const invite = async (email: string, roles: Record<string, string>) => {
    const answer = await given.api<InviteResult>('POST', `${b}/invitations`, { token: siteB.adminToken, body: { emails: [email], roles, spaceKey: 'BENG' } });
    expect(answer.json.results[0]?.status, answer.text).toBe('invited');
    return answer.json.results[0]!;
  };
  const guest = await invite('guest@b-partner.example', { wiki: 'guest' });
  const paid = await invite('paid@b-corp.example', { wiki: 'user' });
  // Both emails out and recorded, both onboardings parked: from here B stands still on its own
  await eventually(async () => {
    const list = await given.api<{ invitations: { delivery: string }[] }>('GET', `${b}/invitations?status=pending`, { token: siteB.adminToken });
    return list.json.invitations.length === 2 && list.json.invitations.every((entry) => entry.delivery === 'sent');
  });
  await eventually(async () => {
    const parked = (await tableState(given.db)).filter((item) => String(item.pk) === `SITE#${siteB.siteId}` && String(item.sk).startsWith('INVITATION#') && typeof item.acceptTaskToken === 'string');
    return parked.length === 2;
  });
  targets = { spaceKey: 'BENG', otherSpaceKey: 'BPUB', groupId: group.json.groupId, guest: guest.userId!, paid: paid.userId!, invitationId: guest.invitationId! };
}, 60_000);
afterAll(() => given?.close());

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims the local gateway accepts for this subject, with `changes` applied (undefined removes one). */
function claims(sub: string, changes: Partial<Record<keyof JWTPayload | 'scope', unknown>> = {}): Record<string, unknown> {
  const good = { iss: given.stack.issuer, aud: LOCAL_AUDIENCE, sub, iat: nowSeconds(), exp: nowSeconds() + 3600 };
  return Object.fromEntries(Object.entries({ ...good, ...changes }).filter(([, value]) => value !== undefined));
}

const signed = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(privateKey);

/** Each bad token for this subject and scope, named by its one defect. */
async function badTokens(sub: string, scope: string | undefined): Promise<[string, string][]> {
  const payload = claims(sub, { scope });
  const goodToken = await signed(payload);
  const publicPem = createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const hmacWith = (secret: string) => new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
  return [
    ['alg none, no signature', `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`],
    ['alg None, a good token’s signature', `${base64url({ alg: 'None', typ: 'JWT' })}.${base64url(payload)}.${goodToken.split('.')[2]}`],
    ['HS256, the public JWK as the secret', await hmacWith(JSON.stringify(publicJwk))],
    ['HS256, the public key PEM as the secret', await hmacWith(publicPem)],
    ['expired', await signed(claims(sub, { scope, iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }))],
    ['not yet valid (nbf in an hour)', await signed(claims(sub, { scope, nbf: nowSeconds() + 3600 }))],
    ['another issuer', await signed(claims(sub, { scope, iss: 'https://attacker.example/' }))],
    ['another audience', await signed(claims(sub, { scope, aud: 'another-api' }))],
    ['no sub', await signed(claims(sub, { scope, sub: undefined }))],
    ['empty sub', await signed(claims(sub, { scope, sub: '' }))],
  ];
}

function pathFor(route: RouteDeclaration, params: Record<string, string>): string {
  return route.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for path parameter {${name}} of ${route.method} ${route.path}`);
    return encodeURIComponent(value);
  });
}

const params = () => ({ siteId: siteB.siteId, userId: targets.guest, groupId: targets.groupId, key: targets.spaceKey, invitationId: targets.invitationId });
const bodies = () => validBodies({ spaceKey: targets.spaceKey, otherSpaceKey: targets.otherSpaceKey, userId: targets.guest });
const SCOPE: Record<string, string | undefined> = { admin: undefined, operator: 'sites:manage', service: 'access:decide' };

describe('bad bearer tokens', () => {
  it('are one defect away from a good token: the same claims, well signed, are let through', async () => {
    const seats = await given.api('GET', `/sites/${siteB.siteId}/seats`, { token: await signed(claims(siteB.adminUserId)) });
    expect(seats.status, seats.text).toBe(200);
    const decision = await given.api('POST', `/sites/${siteB.siteId}/access-decisions`, {
      token: await signed(claims('wiki', { scope: 'access:decide' })),
      body: { userId: targets.paid, spaceKey: targets.spaceKey, client: 'web' },
    });
    expect(decision.status, decision.text).toBe(200);
  });

  it('get 401 unauthorized in the contract’s error shape on every route that takes a token, and change nothing', async () => {
    const before = await tableState(given.db);
    const routes = ROUTES.filter((route) => route.auth !== 'public');
    expect(routes.length).toBeGreaterThanOrEqual(30);
    const wrong: string[] = [];
    for (const auth of ['admin', 'operator', 'service'] as const) {
      const sub = auth === 'admin' ? siteB.adminUserId : auth === 'operator' ? 'operator' : 'wiki';
      const tokens = await badTokens(sub, SCOPE[auth]);
      for (const route of routes.filter((entry) => entry.auth === auth)) {
        const body = validBodyFor(bodies(), route);
        for (const [defect, token] of tokens) {
          const answer = await given.api<ErrorJson>(route.method, pathFor(route, params()), { token, ...(body !== undefined ? { body } : {}) });
          const error = answer.json.error;
          const fine =
            answer.status === 401 &&
            Object.keys(answer.json).join() === 'error' &&
            error?.code === 'unauthorized' &&
            typeof error.message === 'string' &&
            error.message.length > 0;
          if (!fine) wrong.push(`${defect}: ${route.method} ${route.path} → ${answer.status} ${answer.text.slice(0, 120)}`);
        }
      }
    }
    // All at once, so one failure shows every route and token that got through
    expect(wrong).toEqual([]);
    expect(await tableState(given.db)).toEqual(before);
  }, 60_000);
});

describe('a good admin token of another site', () => {
  it('gets 403 forbidden on every admin route of the route table, and that site is unchanged', async () => {
    const before = await tableState(given.db);
    const adminRoutes = ROUTES.filter((route) => route.auth === 'admin');
    expect(adminRoutes.length).toBeGreaterThanOrEqual(20);
    const wrong: string[] = [];
    for (const route of adminRoutes) {
      // Person routes are tried on each of B's people: a guest, a paid user and B's own admin
      const userIds = route.path.includes('{userId}') ? [targets.guest, targets.paid, siteB.adminUserId] : [targets.guest];
      for (const userId of userIds) {
        const body = validBodyFor(bodies(), route);
        const answer = await given.api<ErrorJson>(route.method, pathFor(route, { ...params(), userId }), { token: siteA.adminToken, ...(body !== undefined ? { body } : {}) });
        if (answer.status !== 403 || answer.json.error?.code !== 'forbidden' || typeof answer.json.error.message !== 'string') {
          wrong.push(`${route.method} ${route.path} (${userId}) → ${answer.status} ${answer.text.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await tableState(given.db)).toEqual(before);
  }, 60_000);
});
