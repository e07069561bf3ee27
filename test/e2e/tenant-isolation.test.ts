import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDeclaration } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { validBodies, validBodyFor } from '../support/route-bodies';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * Tenant isolation over HTTP on the local stack: an admin of site A can do nothing on site B, on
 * any admin route of the route table (new routes are covered as they are added), and nothing that
 * B's ids reach from A's own site either. B is compared in full before and after.
 */
let given: TestStack;
beforeAll(async () => {
  given = await startTestStack();
});
afterAll(() => given?.close());

type InviteResult = { results: Record<string, string>[] };
type Person = Record<string, unknown> & { userId: string; status: string };

// One valid body per route (test/support/route-bodies.ts), each of which would change B if let through.
const ADMIN_BODIES = validBodies;
const OPERATOR_BODIES = validBodies({ spaceKey: 'BENG', otherSpaceKey: 'BPUB', userId: 'usr_x' });
const SERVICE_BODIES = (b: { spaceKey: string; userId: string }) => validBodies({ ...b, otherSpaceKey: b.spaceKey });
const bodyFor = validBodyFor;

function pathFor(route: RouteDeclaration, params: Record<string, string>): string {
  return route.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for path parameter {${name}} of ${route.method} ${route.path}`);
    return encodeURIComponent(value);
  });
}

interface Populated {
  readonly site: TestSite;
  readonly spaceKey: string;
  readonly otherSpaceKey: string;
  readonly groupId: string;
  readonly invitedGuest: string;
  readonly activeGuest: string;
  readonly paidUser: string;
  /** The invited guest's pending invitation. */
  readonly invitationId: string;
}

const withLink = (mails: Awaited<ReturnType<TestStack['mailTo']>>) => mails.filter((mail) => /\/invitations\//.test(mail.body.text ?? ''));

async function invite(site: TestSite, email: string, body: Record<string, unknown>) {
  const invited = await given.api<InviteResult>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], ...body } });
  expect(invited.status).toBe(200);
  const row = invited.json.results[0]!;
  expect(row.status, JSON.stringify(row)).toBe('invited');
  return row.userId!;
}

/** Site B: two spaces, a guest group, an invited guest, an active guest with a space and a paid user. */
async function populatedSite(): Promise<Populated> {
  const site = await given.createSite({ userLimit: 20, guestRatio: 5 });
  for (const space of [{ key: 'BENG', name: 'B Engineering', anonymousAccess: false }, { key: 'BPUB', name: 'B Public', anonymousAccess: false }]) {
    expect((await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: space })).status).toBe(201);
  }
  const group = await given.api<{ groupId: string }>('POST', `/sites/${site.siteId}/groups`, { token: site.adminToken, body: { name: 'B partners', role: 'guest' } });
  expect(group.status).toBe(201);
  const pendingBefore = given.stack.stepFunctions.pendingTaskTokens().length;
  const invitedGuest = await invite(site, 'waiting@b-partner.example', { groups: [group.json.groupId] });
  const activeGuest = await invite(site, 'working@b-partner.example', { roles: { wiki: 'guest' }, spaceKey: 'BENG' });
  const paidUser = await invite(site, 'colleague@b-corp.example', { roles: { wiki: 'user' } });
  const mails = await eventually(async () => {
    const sent = withLink(await given.mailTo('working@b-partner.example'));
    return sent.length > 0 && sent;
  });
  const accepted = await given.api('POST', `/invitations/${linkIn(mails[0]!)}/accept`, { body: { displayName: 'Wanda Working' } });
  expect(accepted.status).toBe(200);
  await eventually(async () => (await given.api<Person>('GET', `/sites/${site.siteId}/users/${activeGuest}`, { token: site.adminToken })).json.status === 'active');
  // The other two onboardings are parked, each waiting for its acceptance: nothing moves on its own.
  await eventually(async () => given.stack.stepFunctions.pendingTaskTokens().length >= pendingBefore + 2);
  await eventually(async () => withLink(await given.mailTo('waiting@b-partner.example')).length > 0 && withLink(await given.mailTo('colleague@b-corp.example')).length > 0);
  // Both pending emails recorded as sent, so B's invitation list stands still from here
  const pending = await eventually(async () => {
    const list = await given.api<{ invitations: { invitationId: string; userId: string; delivery: string }[] }>('GET', `/sites/${site.siteId}/invitations?status=pending`, { token: site.adminToken });
    return list.json.invitations.length === 2 && list.json.invitations.every((entry) => entry.delivery === 'sent') && list.json.invitations;
  });
  const invitationId = pending.find((entry) => entry.userId === invitedGuest)!.invitationId;
  return { site, spaceKey: 'BENG', otherSpaceKey: 'BPUB', groupId: group.json.groupId, invitedGuest, activeGuest, paidUser, invitationId };
}

/** Everything B's admin can read about B. */
async function snapshot(b: Populated) {
  const read = async <T = unknown>(path: string): Promise<T> => {
    const response = await given.api<T>('GET', `/sites/${b.site.siteId}${path}`, { token: b.site.adminToken });
    expect(response.status, `GET ${path}: ${response.text}`).toBe(200);
    return response.json;
  };
  const events: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await read<{ events: unknown[]; nextCursor?: string }>(`/audit-events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  const people: Record<string, unknown> = {};
  for (const userId of [b.site.adminUserId, b.invitedGuest, b.activeGuest, b.paidUser]) people[userId] = await read(`/users/${userId}`);
  return {
    policy: await read('/external-user-policy'),
    seats: await read('/seats'),
    spaces: await read('/spaces'),
    groups: await read('/groups'),
    guests: await read('/guests?limit=100'),
    invitations: Object.fromEntries(await Promise.all(['pending', 'accepted', 'expired', 'revoked'].map(async (status) => [status, await read(`/invitations?status=${status}&limit=100`)]))),
    people,
    events,
  };
}

let siteA: TestSite;
let orgAdminToken: string;
let b: Populated;
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  // Site A has a site admin and an org admin (of A's org, not B's)
  const siteId = `site-a-${Date.now().toString(36)}`;
  const created = await given.api<{ admins: { userId: string; role: string }[] }>('POST', '/sites', {
    token: given.operatorToken,
    body: {
      siteId,
      name: 'Site A',
      orgId: `org-${siteId}`,
      plan: 'standard',
      userLimit: 20,
      admins: [{ email: `admin@${siteId}.example` }, { email: `owner@${siteId}.example`, role: 'org-admin' }],
    },
  });
  expect(created.status, created.text).toBe(201);
  const [siteAdmin, orgAdmin] = created.json.admins;
  siteA = { siteId, adminUserId: siteAdmin!.userId, adminToken: await given.stack.signer.sign({ sub: siteAdmin!.userId }) };
  orgAdminToken = await given.stack.signer.sign({ sub: orgAdmin!.userId });
  expect((await given.api('POST', `/sites/${siteId}/spaces`, { token: siteA.adminToken, body: { key: 'AENG', name: 'A Engineering' } })).status).toBe(201);
  b = await populatedSite();
  before = await snapshot(b);
}, 60_000);

const adminRoutes = ROUTES.filter((route) => route.auth === 'admin');

describe('an admin of site A on site B', () => {
  it('covers every admin route of the route table', () => {
    const bodies = ADMIN_BODIES({ spaceKey: 'BENG', otherSpaceKey: 'BPUB', userId: 'usr_x' });
    expect(adminRoutes.length).toBeGreaterThanOrEqual(20);
    for (const route of adminRoutes) expect(() => bodyFor(bodies, route)).not.toThrow();
  });

  it('gets 403 forbidden on every admin route, and B is unchanged', async () => {
    const params = { siteId: b.site.siteId, userId: b.activeGuest, groupId: b.groupId, key: b.spaceKey, invitationId: b.invitationId };
    const bodies = ADMIN_BODIES({ spaceKey: b.spaceKey, otherSpaceKey: b.otherSpaceKey, userId: b.invitedGuest });
    const answers: string[] = [];
    for (const [who, token] of [['site admin of A', siteA.adminToken], ['org admin of A', orgAdminToken]] as const) {
      for (const route of adminRoutes) {
        // Person routes are tried on each of B's people
        const userIds = route.path.includes('{userId}') ? [b.activeGuest, b.invitedGuest, b.paidUser, b.site.adminUserId] : [b.activeGuest];
        for (const userId of userIds) {
          const path = pathFor(route, { ...params, userId });
          const body = bodyFor(bodies, route);
          const response = await given.api(route.method, path, { token, ...(body !== undefined ? { body } : {}) });
          answers.push(`${who}: ${route.method} ${path} → ${response.status} ${(response.json as { error?: { code?: string } }).error?.code ?? response.text.slice(0, 80)}`);
        }
      }
    }
    // All at once, so one failure shows every route that let A through
    expect(answers.filter((answer) => !answer.endsWith('→ 403 forbidden'))).toEqual([]);
    expect(await snapshot(b)).toEqual(before);
  });

  it('also gets 403 with a query string, an idempotency key or a bad cursor', async () => {
    const responses = await Promise.all([
      given.api('GET', `/sites/${b.site.siteId}/guests?status=active&spaceKey=${b.spaceKey}&limit=5`, { token: siteA.adminToken }),
      given.api('GET', `/sites/${b.site.siteId}/audit-events?limit=5&cursor=abc`, { token: siteA.adminToken }),
      given.api('POST', `/sites/${b.site.siteId}/invitations`, {
        token: siteA.adminToken,
        headers: { 'idempotency-key': 'same-key' },
        body: { emails: ['again@evil.example'], roles: { wiki: 'user' } },
      }),
    ]);
    expect(responses.map((response) => [response.status, (response.json as { error?: { code?: string } }).error?.code])).toEqual([
      [403, 'forbidden'],
      [403, 'forbidden'],
      [403, 'forbidden'],
    ]);
    expect(await snapshot(b)).toEqual(before);
  });
});

describe('an admin of site A reaching B’s ids through site A', () => {
  it('finds none of them (404) and changes nothing on B', async () => {
    const params = { siteId: siteA.siteId, userId: b.activeGuest, groupId: b.groupId, key: b.spaceKey, invitationId: b.invitationId };
    const bodies = ADMIN_BODIES({ spaceKey: 'AENG', otherSpaceKey: 'AENG', userId: siteA.adminUserId });
    const answers: string[] = [];
    for (const route of adminRoutes.filter((r) => /\{(userId|groupId|key|invitationId)\}/.test(r.path))) {
      const userIds = route.path.includes('{userId}') ? [b.activeGuest, b.invitedGuest, b.paidUser, b.site.adminUserId] : [b.activeGuest];
      for (const userId of userIds) {
        const path = pathFor(route, { ...params, userId });
        const body = bodyFor(bodies, route);
        const response = await given.api(route.method, path, { token: siteA.adminToken, ...(body !== undefined ? { body } : {}) });
        answers.push(`${route.method} ${path} → ${response.status} ${(response.json as { error?: { code?: string } }).error?.code ?? response.text.slice(0, 80)}`);
      }
    }
    expect(answers.length).toBeGreaterThanOrEqual(10);
    expect(answers.filter((answer) => !answer.endsWith('→ 404 not_found'))).toEqual([]);
    expect(await snapshot(b)).toEqual(before);
  });
});

describe('admin tokens on operator and service routes', () => {
  it('get 403 on every operator route, for A’s admins and for B’s own admin, and B is unchanged', async () => {
    const answers: string[] = [];
    for (const [who, token] of [['A', siteA.adminToken], ['A org', orgAdminToken], ['B', b.site.adminToken]] as const) {
      for (const route of ROUTES.filter((r) => r.auth === 'operator')) {
        const path = pathFor(route, { siteId: b.site.siteId });
        const body = bodyFor(OPERATOR_BODIES, route);
        const response = await given.api(route.method, path, { token, ...(body !== undefined ? { body } : {}) });
        answers.push(`${who}: ${route.method} ${path} → ${response.status} ${(response.json as { error?: { code?: string } }).error?.code ?? ''}`);
      }
    }
    expect(answers.filter((answer) => !answer.endsWith('→ 403 forbidden'))).toEqual([]);
    expect(await snapshot(b)).toEqual(before);
    // The site an admin tried to create does not exist: the operator can still create it
    const created = await given.api('POST', '/sites', { token: given.operatorToken, body: OPERATOR_BODIES['create-site'] });
    expect(created.status, created.text).toBe(201);
  });

  it('get 403 on the service route without the access:decide scope', async () => {
    const answers: string[] = [];
    const bodies = SERVICE_BODIES({ userId: b.activeGuest, spaceKey: b.spaceKey });
    for (const [who, token] of [['A', siteA.adminToken], ['A org', orgAdminToken], ['B', b.site.adminToken]] as const) {
      for (const route of ROUTES.filter((r) => r.auth === 'service')) {
        const path = pathFor(route, { siteId: b.site.siteId });
        const body = bodyFor(bodies, route);
        const response = await given.api(route.method, path, { token, ...(body !== undefined ? { body } : {}) });
        answers.push(`${who}: ${route.method} ${path} → ${response.status} ${(response.json as { error?: { code?: string } }).error?.code ?? ''}`);
      }
    }
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(answers.filter((answer) => !answer.endsWith('→ 403 forbidden'))).toEqual([]);
    // With the scope the same call is answered (so the 403 above was the scope, not the request)
    const service = await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' });
    const decided = await given.api('POST', `/sites/${b.site.siteId}/access-decisions`, { token: service, body: bodies['access-decision'] });
    expect(decided.status).toBe(200);
    expect(decided.json).toEqual({ allowed: true, reason: 'assigned_space' });
    // Asked on site A, B's guest is nobody, even for a space key A also has
    const crossSite = await Promise.all(
      [b.spaceKey, 'AENG'].map((spaceKey) =>
        given.api('POST', `/sites/${siteA.siteId}/access-decisions`, { token: service, body: { userId: b.activeGuest, spaceKey, client: 'web' } }),
      ),
    );
    expect(crossSite.map((response) => [response.status, response.json])).toEqual([
      [200, { allowed: false, reason: 'not_a_member' }],
      [200, { allowed: false, reason: 'not_a_member' }],
    ]);
  });

  it('B’s own admin is answered on B, so the ids and bodies used above are real', async () => {
    const params = { siteId: b.site.siteId, userId: b.activeGuest, groupId: b.groupId, key: b.spaceKey, invitationId: b.invitationId };
    for (const route of adminRoutes.filter((r) => r.method === 'GET')) {
      const response = await given.api(route.method, pathFor(route, params), { token: b.site.adminToken });
      expect(response.status, `${route.method} ${route.path}: ${response.text}`).toBe(200);
    }
    expect(before.guests).toMatchObject({ guests: expect.arrayContaining([expect.objectContaining({ userId: b.activeGuest, spaceKey: b.spaceKey, status: 'active' })]) });
    expect((before.guests as { guests: unknown[] }).guests).toHaveLength(2);
    expect(before.events.length).toBeGreaterThanOrEqual(6);
  });
});
