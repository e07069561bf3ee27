import type { Context } from 'aws-lambda';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAccessFacts } from '../../shared/directory/access';
import { createSpace } from '../../shared/directory/spaces';
import type { Directory } from '../../shared/directory/directory';
import { inviteOne } from '../../shared/directory/invitations';
import { DEFAULT_EXTERNAL_USER_POLICY, type ExternalUserPolicy, type SiteItem, siteKey } from '../../shared/directory/entities/site';
import { personKey } from '../../shared/directory/entities/person';
import { spaceKey as spaceItemKey } from '../../shared/directory/entities/space';
import { createSite } from '../../shared/directory/sites';
import type { AccessClient, AccessDecision } from '../../shared/domain/access';
import { accessFor } from '../../shared/usecases/access';
import { AppError } from '../../shared/domain/errors';
import { newInvitationId, newUserId } from '../../shared/ids';
import { freshDirectory } from '../support/directory';
import { loadRouteHandler, routeEvent, type RouteHandler } from '../support/lambda';

/**
 * Access decisions against DynamoDB Local: the one BatchGet reads the right three items of the
 * asked-about site, and the decisions built on it are the ones the HTTP contract promises.
 */
let db: Directory;
const NOW = new Date();
const DAY = 86_400_000;
const iso = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();

interface Site {
  readonly site: SiteItem;
  readonly adminId: string;
}

async function site(siteId: string, policy: ExternalUserPolicy = DEFAULT_EXTERNAL_USER_POLICY): Promise<Site> {
  const now = iso(90 * DAY);
  const created = await createSite(
    db,
    { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: 50, guestRatio: 5, inviteExpiryDays: 7, admins: [{ email: `admin@${siteId}.example`, role: 'site-admin' }] },
    'operator',
    now,
  );
  // Same spaces on every site, so a wrong-site read would find something to answer with.
  await createSpace(db, { siteId, key: 'ENG', name: 'Engineering', anonymousAccess: false }, 'admin', now);
  await createSpace(db, { siteId, key: 'OPS', name: 'Operations', anonymousAccess: false }, 'admin', now);
  await createSpace(db, { siteId, key: 'PUB', name: 'Public', anonymousAccess: true }, 'admin', now);
  if (policy !== DEFAULT_EXTERNAL_USER_POLICY) {
    // The policy route is someone else's; set the site's policy as it stores it.
    await db.client.send(
      new UpdateCommand({ TableName: db.tableName, Key: siteKey(siteId), UpdateExpression: 'SET externalUserPolicy = :policy', ExpressionAttributeValues: { ':policy': policy } }),
    );
  }
  return { site: { ...created.site, externalUserPolicy: policy }, adminId: created.admins[0]!.userId };
}

/** Invites through the real invite transaction, then moves the person to the state under test. */
async function person(
  on: Site,
  kind: 'guest' | 'paid',
  state: { spaceKey?: string; status?: 'invited' | 'active' | 'suspended'; twoStepEnrolled?: boolean; lastVerifiedAt?: string; activatedAt?: string; verificationRequestedAt?: string } = {},
): Promise<string> {
  const userId = newUserId();
  const invitedAt = iso(60 * DAY);
  const outcome = await inviteOne(db, {
    site: on.site,
    email: `${userId.toLowerCase()}@partner.example`,
    kind,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: [],
    spaceKey: state.spaceKey,
    invitedBy: on.adminId,
    inviterName: 'Admin',
    userId,
    invitationId: newInvitationId(),
    now: invitedAt,
    expiresAt: new Date(NOW.getTime() + DAY).toISOString(),
  });
  expect(outcome).toEqual({ invited: true });
  const status = state.status ?? 'active';
  if (status !== 'invited') {
    await db.client.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: personKey(on.site.siteId, userId),
        UpdateExpression: `SET #status = :status, activatedAt = :activatedAt, twoStepEnrolled = :enrolled${state.lastVerifiedAt ? ', lastVerifiedAt = :verified' : ''}${state.verificationRequestedAt ? ', verificationRequestedAt = :asked' : ''}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':activatedAt': state.activatedAt ?? iso(2 * DAY),
          ':enrolled': state.twoStepEnrolled ?? false,
          ...(state.lastVerifiedAt ? { ':verified': state.lastVerifiedAt } : {}),
          ...(state.verificationRequestedAt ? { ':asked': state.verificationRequestedAt } : {}),
        },
      }),
    );
  }
  return userId;
}

async function decide(siteId: string, userId: string, spaceKey: string, client: AccessClient = 'web', on: Directory = db): Promise<AccessDecision> {
  return accessFor(on, siteId, { userId, spaceKey, client }, NOW);
}

/** The same client with `send` observed (and optionally rewritten) per call. */
function watched(
  rewrite?: (command: unknown, output: Record<string, unknown>, call: number) => Record<string, unknown>,
): { db: Directory; commands: unknown[] } {
  const commands: unknown[] = [];
  const real = db.client;
  const client = new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        commands.push(command);
        const output = (await real.send(command)) as Record<string, unknown>;
        return rewrite ? rewrite(command, output, commands.length) : output;
      };
    },
  });
  return { db: { client, tableName: db.tableName }, commands };
}

let acme: Site;
let strict: Site;

beforeAll(async () => {
  db = await freshDirectory('access');
  [acme, , strict] = await Promise.all([
    site('acme'),
    site('beta'),
    site('strict', { twoStepRequired: true, reverifyEveryDays: 7, apiTokensAllowed: false }),
  ]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('access decisions from the directory', () => {
  it('reads exactly the person, the space and the site in one consistent BatchGet', async () => {
    // Prepare
    const userId = await person(acme, 'guest', { spaceKey: 'ENG' });
    const { db: observed, commands } = watched();
    // Act
    const facts = await readAccessFacts(observed, 'acme', userId, 'ENG');
    // Assess
    expect(commands).toHaveLength(1);
    const command = commands[0];
    expect(command).toBeInstanceOf(BatchGetCommand);
    const request = (command as BatchGetCommand).input.RequestItems?.[db.tableName];
    expect(request?.ConsistentRead).toBe(true);
    expect(request?.Keys).toHaveLength(3);
    expect(request?.Keys).toEqual(expect.arrayContaining([personKey('acme', userId), spaceItemKey('acme', 'ENG'), siteKey('acme')]));
    expect(facts.person).toMatchObject({ userId, kind: 'guest', status: 'active', spaceKey: 'ENG' });
    expect(facts.space).toMatchObject({ key: 'ENG', anonymousAccess: false });
    expect(facts.site).toMatchObject({ siteId: 'acme', externalUserPolicy: DEFAULT_EXTERNAL_USER_POLICY });
  });

  it('answers for an active guest by space and client', async () => {
    const userId = await person(acme, 'guest', { spaceKey: 'ENG' });
    expect(await decide('acme', userId, 'ENG')).toEqual({ allowed: true, reason: 'assigned_space' });
    expect(await decide('acme', userId, 'PUB')).toEqual({ allowed: true, reason: 'anonymous_space' });
    expect(await decide('acme', userId, 'OPS')).toEqual({ allowed: false, reason: 'no_space_access' });
    expect(await decide('acme', userId, 'NOPE')).toEqual({ allowed: false, reason: 'no_space_access' });
    expect(await decide('acme', userId, 'ENG', 'mobile')).toEqual({ allowed: false, reason: 'mobile_not_supported' });
    expect(await decide('acme', userId, 'ENG', 'api-token')).toEqual({ allowed: true, reason: 'assigned_space' });
  });

  it('answers for a guest without a space', async () => {
    const userId = await person(acme, 'guest');
    expect(await decide('acme', userId, 'PUB')).toEqual({ allowed: true, reason: 'anonymous_space' });
    expect(await decide('acme', userId, 'ENG')).toEqual({ allowed: false, reason: 'no_space_access' });
  });

  it('refuses people who are not active', async () => {
    const invited = await person(acme, 'guest', { spaceKey: 'ENG', status: 'invited' });
    const suspended = await person(acme, 'guest', { spaceKey: 'ENG', status: 'suspended' });
    const suspendedPaid = await person(acme, 'paid', { status: 'suspended' });
    expect(await decide('acme', invited, 'ENG')).toEqual({ allowed: false, reason: 'not_active' });
    expect(await decide('acme', suspended, 'ENG', 'mobile')).toEqual({ allowed: false, reason: 'not_active' });
    expect(await decide('acme', suspendedPaid, 'OPS')).toEqual({ allowed: false, reason: 'not_active' });
  });

  it('lets paid users in everywhere and from every client', async () => {
    const paidId = await person(acme, 'paid');
    expect(await decide('acme', paidId, 'OPS', 'mobile')).toEqual({ allowed: true, reason: 'paid_user' });
    expect(await decide('acme', acme.adminId, 'ENG', 'api-token')).toEqual({ allowed: true, reason: 'paid_user' });
    expect(await decide('strict', strict.adminId, 'OPS', 'api-token')).toEqual({ allowed: true, reason: 'paid_user' });
  });

  it('applies the site’s external-user policy to people who were sent a link', async () => {
    const asked = iso(DAY);
    const unenrolled = await person(strict, 'guest', { spaceKey: 'ENG', twoStepEnrolled: false, verificationRequestedAt: asked });
    const overdue = await person(strict, 'guest', { spaceKey: 'ENG', twoStepEnrolled: true, lastVerifiedAt: iso(8 * DAY), verificationRequestedAt: asked });
    const neverReverified = await person(strict, 'guest', { spaceKey: 'ENG', twoStepEnrolled: true, activatedAt: iso(8 * DAY), verificationRequestedAt: asked });
    const current = await person(strict, 'guest', { spaceKey: 'ENG', twoStepEnrolled: true, lastVerifiedAt: iso(6 * DAY) });
    expect(await decide('strict', unenrolled, 'ENG')).toEqual({ allowed: false, reason: 'two_step_required' });
    expect(await decide('strict', current, 'ENG', 'api-token')).toEqual({ allowed: false, reason: 'api_tokens_blocked' });
    expect(await decide('strict', overdue, 'PUB')).toEqual({ allowed: false, reason: 'reverification_required' });
    expect(await decide('strict', neverReverified, 'ENG')).toEqual({ allowed: false, reason: 'reverification_required' });
    expect(await decide('strict', current, 'ENG')).toEqual({ allowed: true, reason: 'assigned_space' });
  });

  it('does not lock out people who owe a verification but were never sent a link (the 30-day lock-out)', async () => {
    const [lockout, defaults] = await Promise.all([site('lockout', { twoStepRequired: true, reverifyEveryDays: 7, apiTokensAllowed: true }), site('defaults')]);
    const overdue = await person(lockout, 'guest', { spaceKey: 'ENG', twoStepEnrolled: true, activatedAt: iso(31 * DAY) });
    const unenrolled = await person(lockout, 'guest', { spaceKey: 'ENG', twoStepEnrolled: false });
    const defaultSiteGuest = await person(defaults, 'guest', { spaceKey: 'ENG', activatedAt: iso(31 * DAY) });
    expect(await decide('lockout', overdue, 'ENG')).toEqual({ allowed: true, reason: 'assigned_space' });
    expect(await decide('lockout', unenrolled, 'ENG')).toEqual({ allowed: true, reason: 'assigned_space' });
    expect(await decide('defaults', defaultSiteGuest, 'ENG')).toEqual({ allowed: true, reason: 'assigned_space' });
  });

  it('never answers with another site’s data', async () => {
    // Given a guest of acme assigned to ENG, and beta has a space ENG too
    const userId = await person(acme, 'guest', { spaceKey: 'ENG' });
    // Then asking on beta (or a site that does not exist) finds no such person
    expect(await decide('beta', userId, 'ENG')).toEqual({ allowed: false, reason: 'not_a_member' });
    expect(await decide('beta', userId, 'PUB')).toEqual({ allowed: false, reason: 'not_a_member' });
    expect(await decide('beta', acme.adminId, 'ENG')).toEqual({ allowed: false, reason: 'not_a_member' });
    expect(await decide('nowhere', userId, 'ENG')).toEqual({ allowed: false, reason: 'not_a_member' });
    expect(await decide('acme', 'usr_unknown', 'PUB')).toEqual({ allowed: false, reason: 'not_a_member' });
    const facts = await readAccessFacts(db, 'beta', userId, 'ENG');
    expect(facts.person).toBeNull();
    expect(facts.site?.siteId).toBe('beta');
    expect(facts.space?.siteId).toBe('beta');
  });

  it('retries the keys DynamoDB leaves unprocessed', async () => {
    // Prepare: the first response leaves the space and the site unprocessed
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const userId = await person(acme, 'guest', { spaceKey: 'ENG' });
    const { db: flaky, commands } = watched((command, output, call) => {
      if (call !== 1 || !(command instanceof BatchGetCommand)) return output;
      const items = ((output.Responses as Record<string, Record<string, unknown>[]>)[db.tableName] ?? []);
      const kept = items.filter((item) => String(item.sk).startsWith('USER#'));
      const left = items.filter((item) => !String(item.sk).startsWith('USER#')).map((item) => ({ pk: item.pk, sk: item.sk }));
      return { ...output, Responses: { [db.tableName]: kept }, UnprocessedKeys: { [db.tableName]: { Keys: left, ConsistentRead: true } } };
    });
    // Act
    const facts = await readAccessFacts(flaky, 'acme', userId, 'ENG');
    // Assess: the retry asked for the two missing keys only, and the facts are complete
    expect(commands).toHaveLength(2);
    expect((commands[1] as BatchGetCommand).input.RequestItems?.[db.tableName]?.Keys).toEqual(
      expect.arrayContaining([spaceItemKey('acme', 'ENG'), siteKey('acme')]),
    );
    expect((commands[1] as BatchGetCommand).input.RequestItems?.[db.tableName]?.Keys).toHaveLength(2);
    expect(facts.person?.userId).toBe(userId);
    expect(facts.space?.key).toBe('ENG');
    expect(facts.site?.siteId).toBe('acme');
  });

  it('gives up with service_unavailable when keys stay unprocessed', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { db: throttled, commands } = watched((command, output) =>
      command instanceof BatchGetCommand
        ? { ...output, Responses: { [db.tableName]: [] }, UnprocessedKeys: { [db.tableName]: { Keys: (command.input.RequestItems?.[db.tableName]?.Keys ?? []), ConsistentRead: true } } }
        : output,
    );
    const error = await readAccessFacts(throttled, 'acme', acme.adminId, 'ENG').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('service_unavailable');
    expect(commands.length).toBeGreaterThan(1);
    expect(commands.length).toBeLessThanOrEqual(5);
  });
});

// ---------------------------------------------------------------------------------------------
// The Lambda handler, called with the API Gateway event it gets in AWS
// ---------------------------------------------------------------------------------------------

describe('POST /sites/{siteId}/access-decisions handler', () => {
  let handler: RouteHandler;
  let restore = () => undefined as void;

  beforeAll(async () => {
    ({ handler, restore } = await loadRouteHandler(db, () => import('../../functions/access-decision/handler')));
  });
  afterAll(() => restore());

  const call = async (siteId: string, body: unknown, claims?: Record<string, unknown>) => {
    const result = await handler(
      routeEvent({ method: 'POST', route: '/sites/{siteId}/access-decisions', pathParameters: { siteId }, body, claims: claims ?? { sub: 'wiki', scope: 'access:decide' } }),
      {} as Context,
    );
    return { status: result.statusCode, json: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
  };

  it('answers 200 with the decision for a service token, without any admin check', async () => {
    const userId = await person(acme, 'guest', { spaceKey: 'ENG' });
    expect(await call('acme', { userId, spaceKey: 'ENG', client: 'web' })).toEqual({ status: 200, json: { allowed: true, reason: 'assigned_space' } });
    expect(await call('acme', { userId, spaceKey: 'OPS', client: 'web' })).toEqual({ status: 200, json: { allowed: false, reason: 'no_space_access' } });
  });

  it('answers not_a_member for another site’s user and for a site that does not exist', async () => {
    const userId = await person(acme, 'guest', { spaceKey: 'ENG' });
    expect(await call('beta', { userId, spaceKey: 'ENG', client: 'web' })).toEqual({ status: 200, json: { allowed: false, reason: 'not_a_member' } });
    expect(await call('no-such-site', { userId, spaceKey: 'ENG', client: 'web' })).toEqual({ status: 200, json: { allowed: false, reason: 'not_a_member' } });
  });

  it('refuses a token without the access:decide scope', async () => {
    const result = await call('acme', { userId: acme.adminId, spaceKey: 'ENG', client: 'web' }, { sub: acme.adminId, scope: 'openid' });
    expect(result.status).toBe(403);
    expect((result.json.error as { code: string }).code).toBe('forbidden');
  });

  it('answers 400 validation_failed for a body that does not parse', async () => {
    for (const body of [{ userId: 'usr_1', spaceKey: 'ENG', client: 'desktop' }, { userId: 'usr_1', spaceKey: 'eng', client: 'web' }, { userId: 'usr_1', client: 'web' }, { userId: 'usr#1', spaceKey: 'ENG', client: 'web' }]) {
      const result = await call('acme', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect((result.json.error as { code: string }).code).toBe('validation_failed');
    }
  });
});
