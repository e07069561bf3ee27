import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import type { Directory } from '../../shared/directory/directory';
import { newPersonWrite, type PersonItem } from '../../shared/directory/entities/person';
import { policyReviewKey } from '../../shared/directory/entities/policy-review';
import { commitWrites } from '../../shared/directory/transact';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The external-user security policy over HTTP on the local stack (rule 13): a change is applied
 * only with a fresh review of exactly that change by the same admin, once; a trial runs on a few
 * people first; the review lists exactly the external users a change affects, and how.
 */
let given: TestStack;
let db: Directory;
beforeAll(async () => {
  given = await startTestStack();
  // The stack's handlers use this table; people are seeded into it straight, with the entity's builder.
  db = {
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: process.env.TABLE_NAME!,
  };
});
afterAll(() => given?.close());

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const DEFAULT = { twoStepRequired: false, reverifyEveryDays: 30, apiTokensAllowed: true };
const STRICT = { twoStepRequired: true, reverifyEveryDays: 7, apiTokensAllowed: false };

type Json = Record<string, any>;
interface PolicySite {
  readonly siteId: string;
  readonly adminId: string;
  readonly token: string;
  readonly secondToken: string;
}

let sites = 0;
/** A site with two site admins, created by the operator. */
async function policySite(extra: Json = {}): Promise<PolicySite> {
  const siteId = `policy-${++sites}-${Date.now().toString(36)}`;
  const created = await given.api<{ admins: { userId: string }[] }>('POST', '/sites', {
    token: given.operatorToken,
    body: { siteId, name: siteId, orgId: `org-${siteId}`, plan: 'standard', userLimit: 100, admins: [{ email: `first@${siteId}.example` }, { email: `second@${siteId}.example` }], ...extra },
  });
  expect(created.status, created.text).toBe(201);
  const [first, second] = created.json.admins;
  return { siteId, adminId: first!.userId, token: await given.stack.signer.sign({ sub: first!.userId }), secondToken: await given.stack.signer.sign({ sub: second!.userId }) };
}

let people = 0;
async function seed(siteId: string, person: Partial<PersonItem> & Pick<PersonItem, 'email' | 'kind'>): Promise<PersonItem> {
  const item: PersonItem = {
    siteId,
    userId: `usr_seed${String(++people).padStart(5, '0')}`,
    status: 'active',
    roles: { wiki: person.kind === 'guest' ? 'guest' : 'user' },
    groups: [],
    invitedAt: ago(90 * DAY - people * 1000),
    activatedAt: ago(2 * DAY),
    twoStepEnrolled: false,
    ...person,
  };
  await commitWrites(db, [newPersonWrite(item)]);
  return item;
}

const policyPath = (site: PolicySite) => `/sites/${site.siteId}/external-user-policy`;
const review = (site: PolicySite, body: Json, token = site.token) => given.api<Json>('POST', `${policyPath(site)}/review`, { token, body });
const put = (site: PolicySite, body: Json, token = site.token) => given.api<Json>('PUT', policyPath(site), { token, body });
const getPolicy = async (site: PolicySite) => (await given.api<Json>('GET', policyPath(site), { token: site.token })).json;
const events = async (site: PolicySite) => (await given.api<{ events: Json[] }>('GET', `/sites/${site.siteId}/audit-events?limit=100`, { token: site.token })).json.events;
const refusalOf = (response: { status: number; json: Json }) => [response.status, response.json.error?.code, response.json.error?.details?.reason];

describe('changing the policy', () => {
  it('starts at the defaults, with no trial and no verified domains', async () => {
    const site = await policySite();
    const response = await given.api('GET', policyPath(site), { token: site.token });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ...DEFAULT, verifiedDomains: [] });
  });

  it('is refused with 409 review_required without a review, with a stale one, or one of another proposal, site or admin, and nothing changes', async () => {
    const site = await policySite();
    const other = await policySite();
    await seed(site.siteId, { kind: 'guest', email: 'g1@partner.example' });
    const mine = await review(site, { policy: STRICT });
    expect(mine.status, mine.text).toBe(200);
    const theirs = await review(other, { policy: STRICT });
    const stale = await review(site, { policy: STRICT });
    // Fifteen minutes pass for this review
    const staleId = (stale.json.reviewToken as string).split('.')[0]!;
    await db.client.send(
      new UpdateCommand({ TableName: db.tableName, Key: policyReviewKey(site.siteId, staleId), UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': ago(1000) } }),
    );

    const answers = [
      refusalOf(await put(site, { policy: STRICT })),
      refusalOf(await put(site, { policy: STRICT, reviewToken: 'made-up' })),
      refusalOf(await put(site, { policy: STRICT, reviewToken: stale.json.reviewToken })),
      refusalOf(await put(site, { policy: { ...STRICT, reverifyEveryDays: 8 }, reviewToken: mine.json.reviewToken })),
      refusalOf(await put(site, { policy: STRICT, reviewToken: mine.json.reviewToken, trialUserIds: [site.adminId] })),
      refusalOf(await put(site, { policy: STRICT, reviewToken: theirs.json.reviewToken })),
      refusalOf(await put(site, { policy: STRICT, reviewToken: mine.json.reviewToken }, site.secondToken)),
    ];
    expect(answers).toEqual([
      [409, 'review_required', 'missing'],
      [409, 'review_required', 'missing'],
      [409, 'review_required', 'expired'],
      [409, 'review_required', 'other_proposal'],
      [409, 'review_required', 'other_proposal'],
      [409, 'review_required', 'missing'],
      [409, 'review_required', 'other_admin'],
    ]);
    const messages = (await put(site, { policy: STRICT, reviewToken: stale.json.reviewToken })).json.error.message as string;
    expect(messages).toMatch(/15 minutes/);
    expect(await getPolicy(site)).toEqual({ ...DEFAULT, verifiedDomains: [] });
    expect((await events(site)).filter((event) => event.action.startsWith('external_user_policy.'))).toEqual([]);
    // The other site's admin may not even try on this site
    expect((await put(site, { policy: STRICT, reviewToken: theirs.json.reviewToken }, other.token)).status).toBe(403);
    // …and the untouched review of this site still applies
    expect((await put(site, { policy: STRICT, reviewToken: mine.json.reviewToken })).status).toBe(200);
  });

  it('is applied with a fresh matching review and audited with before, after and the review’s id; the token works once', async () => {
    const site = await policySite();
    const guest = await seed(site.siteId, { kind: 'guest', email: 'g2@partner.example' });
    const reviewed = await review(site, { policy: STRICT });
    expect(reviewed.status).toBe(200);
    expect(reviewed.json.reviewToken).toMatch(/^rev_[0-9A-Z]{26}\.[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(reviewed.json.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(reviewed.json.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(reviewed.json.affected).toEqual([
      { userId: guest.userId, email: guest.email, effect: 'must_enrol_two_step' },
      { userId: guest.userId, email: guest.email, effect: 'loses_api_tokens' },
    ]);
    expect(reviewed.json).not.toHaveProperty('nextCursor');

    const applied = await put(site, { policy: STRICT, reviewToken: reviewed.json.reviewToken });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json).toEqual({ ...STRICT, verifiedDomains: [] });
    expect(await getPolicy(site)).toEqual({ ...STRICT, verifiedDomains: [] });

    const [event] = (await events(site)).filter((candidate) => candidate.action.startsWith('external_user_policy.'));
    const [reviewId, secret] = (reviewed.json.reviewToken as string).split('.');
    expect(event).toMatchObject({
      actor: site.adminId,
      action: 'external_user_policy.changed',
      target: site.siteId,
      details: { before: DEFAULT, after: STRICT, reviewId, affectedCount: 1 },
    });
    expect(JSON.stringify(event)).not.toContain(secret);

    expect(refusalOf(await put(site, { policy: STRICT, reviewToken: reviewed.json.reviewToken }))).toEqual([409, 'review_required', 'used']);
    expect((await events(site)).filter((candidate) => candidate.action.startsWith('external_user_policy.'))).toHaveLength(1);
  });

  it('is refused when the site’s policy changed after the review', async () => {
    const site = await policySite();
    const early = await review(site, { policy: STRICT });
    const other = await review(site, { policy: { ...STRICT, reverifyEveryDays: 14 } }, site.secondToken);
    expect((await put(site, { policy: { ...STRICT, reverifyEveryDays: 14 }, reviewToken: other.json.reviewToken }, site.secondToken)).status).toBe(200);
    expect(refusalOf(await put(site, { policy: STRICT, reviewToken: early.json.reviewToken }))).toEqual([409, 'review_required', 'policy_changed']);
    expect(await getPolicy(site)).toMatchObject({ ...STRICT, reverifyEveryDays: 14 });
  });

  it('takes a whole policy of valid values', async () => {
    const site = await policySite();
    for (const policy of [{ ...STRICT, reverifyEveryDays: 0 }, { ...STRICT, reverifyEveryDays: 31 }, { ...STRICT, reverifyEveryDays: 2.5 }, { twoStepRequired: true }, { ...STRICT, extra: 1 }]) {
      const response = await review(site, { policy });
      expect(response.status, JSON.stringify(policy)).toBe(400);
      expect(response.json.error.code).toBe('validation_failed');
      expect(response.json.error.details.issues[0].path).toMatch(/^body\.policy/);
    }
    expect((await review(site, {})).status).toBe(400);
  });
});

describe('a trial on a few people', () => {
  it('runs the reviewed policy for its people while the site policy stays', async () => {
    const site = await policySite();
    const [a, b] = [await seed(site.siteId, { kind: 'guest', email: 'ta@partner.example' }), await seed(site.siteId, { kind: 'guest', email: 'tb@partner.example', twoStepEnrolled: true })];
    await seed(site.siteId, { kind: 'guest', email: 'not-in-trial@partner.example' });
    const reviewed = await review(site, { policy: STRICT, trialUserIds: [a.userId, b.userId] });
    expect(reviewed.status, reviewed.text).toBe(200);
    expect(reviewed.json.affected).toEqual([
      { userId: a.userId, email: a.email, effect: 'must_enrol_two_step' },
      { userId: a.userId, email: a.email, effect: 'loses_api_tokens' },
      { userId: b.userId, email: b.email, effect: 'loses_api_tokens' },
    ]);
    const applied = await put(site, { policy: STRICT, reviewToken: reviewed.json.reviewToken, trialUserIds: [a.userId, b.userId] });
    expect(applied.status, applied.text).toBe(200);
    const shown = await getPolicy(site);
    expect(shown).toEqual({ ...DEFAULT, trial: { policy: STRICT, userIds: [a.userId, b.userId], startedAt: expect.any(String) }, verifiedDomains: [] });
    expect(applied.json).toEqual(shown);
    const [event] = (await events(site)).filter((candidate) => candidate.action.startsWith('external_user_policy.'));
    expect(event).toMatchObject({ action: 'external_user_policy.trial_started', details: { before: DEFAULT, after: STRICT, trialUserIds: [a.userId, b.userId], affectedCount: 2 } });
  });

  it('names at most five people of this site, each once', async () => {
    const site = await policySite();
    const other = await policySite();
    const ids = [];
    for (let index = 0; index < 6; index++) ids.push((await seed(site.siteId, { kind: 'guest', email: `five${index}@partner.example` })).userId);
    const stranger = await seed(other.siteId, { kind: 'guest', email: 'stranger@partner.example' });

    const six = await review(site, { policy: STRICT, trialUserIds: ids });
    expect([six.status, six.json.error?.code, six.json.error?.details?.issues?.[0]?.path]).toEqual([400, 'validation_failed', 'body.trialUserIds']);
    const twice = await review(site, { policy: STRICT, trialUserIds: [ids[0], ids[1], ids[0]] });
    expect([twice.status, twice.json.error?.details?.issues?.[0]?.path]).toEqual([400, 'body.trialUserIds.2']);
    expect((await put(site, { policy: STRICT, reviewToken: 'x', trialUserIds: ids })).status).toBe(400);
    const foreign = await review(site, { policy: STRICT, trialUserIds: [ids[0], stranger.userId] });
    expect([foreign.status, foreign.json.error?.code]).toEqual([404, 'not_found']);
    expect((await review(site, { policy: STRICT, trialUserIds: ['usr_nobody'] })).status).toBe(404);
    expect((await review(site, { policy: STRICT, trialUserIds: ids.slice(0, 5) })).status).toBe(200);
  });
});

describe('verified domains', () => {
  it('are set by the operator, checked, lower-cased, each once, audited, shown, and cleared with []', async () => {
    const site = await policySite({ verifiedDomains: ['Corp.Example'] });
    expect((await getPolicy(site)).verifiedDomains).toEqual(['corp.example']);
    const bad = await given.api<Json>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { verifiedDomains: ['corp.example', 'not a domain', 'x..example'] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.details.issues.map((issue: Json) => issue.path)).toEqual(['body.verifiedDomains.1', 'body.verifiedDomains.2']);
    expect(bad.json.error.message).toContain('"not a domain"');
    const tooMany = await given.api('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { verifiedDomains: Array.from({ length: 51 }, (_, index) => `d${index}.example`) } });
    expect(tooMany.status).toBe(400);

    const changed = await given.api<Json>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { verifiedDomains: ['EU.corp.example', 'corp.example', 'eu.corp.example'] } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ siteId: site.siteId, verifiedDomains: ['eu.corp.example', 'corp.example'] });
    expect((await getPolicy(site)).verifiedDomains).toEqual(['eu.corp.example', 'corp.example']);
    const [updated] = (await events(site)).filter((event) => event.action === 'site.updated');
    expect(updated).toMatchObject({ actor: 'operator', details: { before: { verifiedDomains: ['corp.example'] }, after: { verifiedDomains: ['eu.corp.example', 'corp.example'] } } });

    const cleared = await given.api<Json>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { verifiedDomains: [] } });
    expect(cleared.json.verifiedDomains).toEqual([]);
    // Other fields leave the list alone
    await given.api('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { verifiedDomains: ['corp.example'] } });
    const limit = await given.api<Json>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { userLimit: 60 } });
    expect(limit.json).toMatchObject({ userLimit: 60, verifiedDomains: ['corp.example'] });
    // A site admin is no operator
    expect((await given.api('PATCH', `/sites/${site.siteId}`, { token: site.token, body: { verifiedDomains: [] } })).status).toBe(403);
  });

  it('are refused on POST /sites when one is not a domain', async () => {
    const response = await given.api<Json>('POST', '/sites', {
      token: given.operatorToken,
      body: { siteId: `bad-domains-${Date.now()}`, name: 'x', orgId: 'org-x', plan: 'standard', userLimit: 10, verifiedDomains: ['ok.example', 'https://corp.example'], admins: [{ email: 'a@x.example' }] },
    });
    expect([response.status, response.json.error?.details?.issues?.[0]?.path]).toEqual([400, 'body.verifiedDomains.1']);
  });
});

describe('who a review lists', () => {
  it('on a mixed site: exactly the external users the change affects, each effect measured against the policy they have now', async () => {
    const site = await policySite();
    // Verified: the corp domain and the admins' own, so both admins are internal
    await given.api('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { verifiedDomains: ['corp.example', `${site.siteId}.example`] } });
    const s = site.siteId;
    const p = {
      internal: await seed(s, { kind: 'paid', email: 'ann@corp.example' }),
      external: await seed(s, { kind: 'paid', email: 'cara@agency.example' }),
      subdomain: await seed(s, { kind: 'paid', email: 'dan@eu.corp.example', twoStepEnrolled: true, lastVerifiedAt: ago(10 * DAY), activatedAt: ago(60 * DAY) }),
      deactivated: await seed(s, { kind: 'paid', email: 'eve@agency.example', status: 'deactivated' }),
    };
    const g = {
      fresh: await seed(s, { kind: 'guest', email: 'fresh@partner.example', twoStepEnrolled: true, lastVerifiedAt: ago(1 * DAY), activatedAt: ago(50 * DAY) }),
      overdue: await seed(s, { kind: 'guest', email: 'overdue@partner.example', lastVerifiedAt: ago(40 * DAY), activatedAt: ago(50 * DAY) }),
      due: await seed(s, { kind: 'guest', email: 'due@partner.example', twoStepEnrolled: true, activatedAt: ago(20 * DAY) }),
      sixDays: await seed(s, { kind: 'guest', email: 'six@partner.example', twoStepEnrolled: true, activatedAt: ago(6 * DAY) }),
      invited: await seed(s, { kind: 'guest', email: 'invited@partner.example', status: 'invited', activatedAt: undefined }),
      suspended: await seed(s, { kind: 'guest', email: 'suspended@partner.example', status: 'suspended', lastVerifiedAt: ago(10 * DAY), activatedAt: ago(50 * DAY) }),
      deactivated: await seed(s, { kind: 'guest', email: 'gone@partner.example', status: 'deactivated', activatedAt: ago(10 * DAY) }),
      inTrial: await seed(s, { kind: 'guest', email: 'trial@partner.example' }),
    };
    // A trial without API tokens already runs for one guest
    const trialPolicy = { ...DEFAULT, apiTokensAllowed: false };
    const trial = await review(site, { policy: trialPolicy, trialUserIds: [g.inTrial.userId] });
    expect(trial.json.affected).toEqual([{ userId: g.inTrial.userId, email: g.inTrial.email, effect: 'loses_api_tokens' }]);
    expect((await put(site, { policy: trialPolicy, reviewToken: trial.json.reviewToken, trialUserIds: [g.inTrial.userId] })).status).toBe(200);

    // Worked out by hand for STRICT (two-step required, re-verify every 7 days, no API tokens)
    const expected = [
      [p.external, 'must_enrol_two_step'],
      [p.external, 'loses_api_tokens'],
      [p.subdomain, 'must_reverify_now'],
      [p.subdomain, 'loses_api_tokens'],
      [g.fresh, 'loses_api_tokens'],
      [g.overdue, 'must_enrol_two_step'], // already overdue under 30 days: re-verifying is nothing new
      [g.overdue, 'loses_api_tokens'],
      [g.due, 'must_reverify_now'],
      [g.due, 'loses_api_tokens'],
      [g.sixDays, 'loses_api_tokens'],
      [g.invited, 'must_enrol_two_step'], // never verified yet: no re-verification
      [g.invited, 'loses_api_tokens'],
      [g.suspended, 'must_enrol_two_step'],
      [g.suspended, 'must_reverify_now'],
      [g.suspended, 'loses_api_tokens'],
      [g.inTrial, 'must_enrol_two_step'], // its trial took the API tokens already
    ].map(([person, effect]) => `${(person as PersonItem).userId} ${(person as PersonItem).email} ${effect as string}`);

    const listed = await review(site, { policy: STRICT });
    expect(listed.status, listed.text).toBe(200);
    const got = (listed.json.affected as Json[]).map((entry) => `${entry.userId} ${entry.email} ${entry.effect}`);
    expect([...got].sort()).toEqual([...expected].sort());
    expect(listed.json).not.toHaveProperty('nextCursor');

    // The same listing two entries at a time
    const paged: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await review(site, { policy: STRICT, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.status, page.text).toBe(200);
      expect(page.json.affected.length).toBeLessThanOrEqual(2);
      paged.push(...(page.json.affected as Json[]).map((entry) => `${entry.userId} ${entry.email} ${entry.effect}`));
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor);
    expect(paged).toEqual(got);
    expect(pages).toBe(Math.ceil(expected.length / 2));

    // A page's token applies the change too, and the audit counts the people listed up to it
    const last = await review(site, { policy: STRICT, limit: 100 });
    expect((await put(site, { policy: STRICT, reviewToken: last.json.reviewToken })).status).toBe(200);
    const [event] = (await events(site)).filter((candidate) => candidate.action === 'external_user_policy.changed');
    expect(event!.details).toMatchObject({ affectedCount: 9, reviewComplete: true, endedTrial: { policy: trialPolicy, userIds: [g.inTrial.userId] } });
    expect(await getPolicy(site)).toEqual({ ...STRICT, verifiedDomains: ['corp.example', `${site.siteId}.example`] });
  });

  it('refuses bad page sizes and cursors', async () => {
    const site = await policySite();
    for (const body of [{ policy: STRICT, limit: 0 }, { policy: STRICT, limit: 501 }, { policy: STRICT, cursor: '' }, { policy: STRICT, cursor: 'not-a-cursor' }]) {
      const response = await review(site, body);
      expect([response.status, response.json.error?.code], JSON.stringify(body)).toEqual([400, 'validation_failed']);
    }
  });
});
