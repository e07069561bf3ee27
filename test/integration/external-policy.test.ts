import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { listAuditEvents } from '../../shared/directory/audit-log';
import { newPersonWrite, type PersonItem } from '../../shared/directory/entities/person';
import { PolicyReviewItem, policyReviewKey } from '../../shared/directory/entities/policy-review';
import { siteKey, type ExternalUserPolicy } from '../../shared/directory/entities/site';
import { createSite, getSite, updateSite } from '../../shared/directory/sites';
import { commitWrites } from '../../shared/directory/transact';
import { AppError } from '../../shared/domain/errors';
import { DEFAULT_EXTERNAL_USER_POLICY } from '../../shared/domain/external';
import { REVIEW_MINUTES, reviewTokenParts } from '../../shared/domain/external-policy';
import { hashToken } from '../../shared/domain/tokens';
import { newUserId } from '../../shared/ids';
import { changeExternalUserPolicy, reviewPolicyChange, type PolicyReviewOutcome } from '../../shared/usecases/external-policy';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * Reviewing and applying an external-user policy change against DynamoDB Local, with the clock
 * injected as the handler chain injects it: a review is good for exactly 15 minutes, once, for the
 * admin, proposal and site policy it was made for, and two applies racing for one review cannot
 * both win.
 */
let db: Directory;
beforeAll(async () => {
  db = await freshDirectory('policy');
});

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const STRICT: ExternalUserPolicy = { twoStepRequired: true, reverifyEveryDays: 7, apiTokensAllowed: false };
let counter = 0;

async function newSite(options: { verifiedDomains?: string[] } = {}) {
  const siteId = `policy-${++counter}`;
  const created = await createSite(
    db,
    {
      siteId,
      name: siteId,
      orgId: `org-${siteId}`,
      plan: 'standard',
      userLimit: 50,
      guestRatio: 5,
      inviteExpiryDays: 7,
      ...(options.verifiedDomains ? { verifiedDomains: options.verifiedDomains } : {}),
      admins: [
        { email: `admin@${siteId}.example`, role: 'site-admin' },
        { email: `second@${siteId}.example`, role: 'site-admin' },
      ],
    },
    'operator',
    at(-DAY).toISOString(),
  );
  return { siteId, adminId: created.admins[0]!.userId, secondAdminId: created.admins[1]!.userId };
}

async function guest(siteId: string, overrides: Partial<PersonItem> = {}): Promise<PersonItem> {
  const userId = newUserId();
  const person: PersonItem = {
    siteId,
    userId,
    email: `${userId.toLowerCase()}@partner.example`,
    kind: 'guest',
    status: 'active',
    roles: { wiki: 'guest' },
    groups: [],
    invitedAt: at(-20 * DAY).toISOString(),
    activatedAt: at(-2 * DAY).toISOString(),
    twoStepEnrolled: false,
    ...overrides,
  };
  await commitWrites(db, [newPersonWrite(person)]);
  return person;
}

const site = async (siteId: string) => (await getSite(db, siteId))!;
const review = async (siteId: string, adminId: string, policy: ExternalUserPolicy, now: Date, trialUserIds: string[] = []) =>
  reviewPolicyChange(db, await site(siteId), adminId, { policy, trialUserIds, limit: 100 }, now);
const apply = async (siteId: string, adminId: string, policy: ExternalUserPolicy, token: string | undefined, now: Date, trialUserIds: string[] = []) =>
  changeExternalUserPolicy(db, await site(siteId), adminId, { policy, trialUserIds, reviewToken: token }, now);

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(AppError);
  return { code: (error as AppError).code, reason: (error as AppError).details?.reason };
}

const storedReview = async (siteId: string, outcome: PolicyReviewOutcome) => {
  const { reviewId } = reviewTokenParts(outcome.reviewToken)!;
  const item = (await scanAll(db)).find((candidate) => candidate.pk === policyReviewKey(siteId, reviewId).pk && candidate.sk === policyReviewKey(siteId, reviewId).sk);
  return PolicyReviewItem.parse(item);
};

describe('the review item', () => {
  it('keeps only the digest of the secret, the proposal, the reviewer, the site policy, the count, and a TTL after the expiry', async () => {
    const s = await newSite();
    const g = await guest(s.siteId);
    const outcome = await review(s.siteId, s.adminId, STRICT, T0);
    expect(outcome.expiresAt).toBe(at(REVIEW_MINUTES * MINUTE).toISOString());
    expect(outcome.affected).toEqual([
      { userId: g.userId, email: g.email, effect: 'must_enrol_two_step' },
      { userId: g.userId, email: g.email, effect: 'loses_api_tokens' },
    ]);
    const { reviewId, secret } = reviewTokenParts(outcome.reviewToken)!;
    const items = await scanAll(db);
    expect(JSON.stringify(items)).not.toContain(secret);
    const stored = await storedReview(s.siteId, outcome);
    expect(stored).toMatchObject({
      siteId: s.siteId,
      reviewId,
      tokenDigest: hashToken(secret),
      reviewerId: s.adminId,
      policy: STRICT,
      trialUserIds: [],
      reviewedAgainst: { externalUserPolicy: DEFAULT_EXTERNAL_USER_POLICY, verifiedDomains: [] },
      affectedCount: 1,
      complete: true,
      expiresAt: outcome.expiresAt,
    });
    expect(stored.ttl).toBeGreaterThan(Math.floor(Date.parse(outcome.expiresAt) / 1000));
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });
});

describe('applying with the injected clock', () => {
  it('works up to and including the 15th minute, and not a millisecond later', async () => {
    const s = await newSite();
    const late = await review(s.siteId, s.adminId, STRICT, T0);
    expect(await refusal(apply(s.siteId, s.adminId, STRICT, late.reviewToken, at(REVIEW_MINUTES * MINUTE + 1)))).toEqual({ code: 'review_required', reason: 'expired' });
    expect((await site(s.siteId)).externalUserPolicy).toEqual(DEFAULT_EXTERNAL_USER_POLICY);

    const onTime = await review(s.siteId, s.adminId, STRICT, T0);
    const changed = await apply(s.siteId, s.adminId, STRICT, onTime.reviewToken, at(REVIEW_MINUTES * MINUTE));
    expect(changed.externalUserPolicy).toEqual(STRICT);
    expect((await site(s.siteId)).externalUserPolicy).toEqual(STRICT);
  });

  it('refuses without a token, a token of no review, a forged secret, another admin’s or another proposal’s review, and leaves nothing changed', async () => {
    const s = await newSite();
    await guest(s.siteId);
    const outcome = await review(s.siteId, s.adminId, STRICT, T0);
    const { reviewId } = reviewTokenParts(outcome.reviewToken)!;
    const before = await scanAll(db);
    const attempts: [string | undefined, string, ExternalUserPolicy, unknown][] = [
      [undefined, s.adminId, STRICT, 'missing'],
      ['not-a-token', s.adminId, STRICT, 'missing'],
      [`${reviewId}.${'A'.repeat(43)}`, s.adminId, STRICT, 'missing'],
      [outcome.reviewToken, s.secondAdminId, STRICT, 'other_admin'],
      [outcome.reviewToken, s.adminId, { ...STRICT, reverifyEveryDays: 8 }, 'other_proposal'],
    ];
    for (const [token, adminId, policy, reason] of attempts) {
      expect(await refusal(apply(s.siteId, adminId, policy, token, at(MINUTE)))).toEqual({ code: 'review_required', reason });
    }
    expect(await refusal(apply(s.siteId, s.adminId, STRICT, outcome.reviewToken, at(MINUTE), ['usr_x']))).toEqual({ code: 'review_required', reason: 'other_proposal' });
    expect(await scanAll(db)).toEqual(before);
  });

  it('refuses a review made before the site’s verified domains or policy changed', async () => {
    const s = await newSite();
    const outcome = await review(s.siteId, s.adminId, STRICT, T0);
    await updateSite(db, s.siteId, { verifiedDomains: ['corp.example'] }, 'operator', at(MINUTE).toISOString());
    expect(await refusal(apply(s.siteId, s.adminId, STRICT, outcome.reviewToken, at(2 * MINUTE)))).toEqual({ code: 'review_required', reason: 'policy_changed' });

    const first = await review(s.siteId, s.adminId, STRICT, at(3 * MINUTE));
    const other = await review(s.siteId, s.secondAdminId, { ...STRICT, reverifyEveryDays: 14 }, at(3 * MINUTE));
    await apply(s.siteId, s.secondAdminId, { ...STRICT, reverifyEveryDays: 14 }, other.reviewToken, at(4 * MINUTE));
    expect(await refusal(apply(s.siteId, s.adminId, STRICT, first.reviewToken, at(5 * MINUTE)))).toEqual({ code: 'review_required', reason: 'policy_changed' });
  });

  it('uses a review once, even when applies race for it: one wins, the others are told it was used, one event is written', async () => {
    const s = await newSite();
    // The proposal is the policy the site already has, so only the review's own single use can stop a second apply
    const outcome = await review(s.siteId, s.adminId, DEFAULT_EXTERNAL_USER_POLICY, T0);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => apply(s.siteId, s.adminId, DEFAULT_EXTERNAL_USER_POLICY, outcome.reviewToken, at(MINUTE))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(AppError);
      expect((result.reason as AppError).details).toEqual({ reason: 'used' });
    }
    const events = (await listAuditEvents(db, s.siteId, { limit: 100 })).events.filter((event) => event.action.startsWith('external_user_policy.'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: s.adminId,
      action: 'external_user_policy.changed',
      target: s.siteId,
      details: { before: DEFAULT_EXTERNAL_USER_POLICY, after: DEFAULT_EXTERNAL_USER_POLICY, reviewId: reviewTokenParts(outcome.reviewToken)!.reviewId, affectedCount: 0, reviewComplete: true },
    });
    expect(JSON.stringify(events)).not.toContain(outcome.reviewToken);
    expect((await storedReview(s.siteId, outcome)).usedAt).toBe(at(MINUTE).toISOString());
  });

  it('lets only one of two reviewed changes racing on one site apply: the other was reviewed against a policy that is gone', async () => {
    const s = await newSite();
    const mine = await review(s.siteId, s.adminId, STRICT, T0);
    const theirs = await review(s.siteId, s.secondAdminId, { ...STRICT, reverifyEveryDays: 14 }, T0);
    const results = await Promise.allSettled([
      apply(s.siteId, s.adminId, STRICT, mine.reviewToken, at(MINUTE)),
      apply(s.siteId, s.secondAdminId, { ...STRICT, reverifyEveryDays: 14 }, theirs.reviewToken, at(MINUTE)),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect((refused.reason as AppError).details).toEqual({ reason: 'policy_changed' });
    const events = (await listAuditEvents(db, s.siteId, { limit: 100 })).events.filter((event) => event.action.startsWith('external_user_policy.'));
    expect(events).toHaveLength(1);
    expect((await site(s.siteId)).externalUserPolicy).toEqual(events[0]!.details.after);
  });

  it('starts a trial on the reviewed people without touching the site policy, and a site-wide change ends it', async () => {
    const s = await newSite();
    const [a, b, c] = [await guest(s.siteId), await guest(s.siteId), await guest(s.siteId)];
    const trialReview = await review(s.siteId, s.adminId, STRICT, T0, [a.userId, b.userId]);
    expect(new Set(trialReview.affected.map((entry) => entry.userId))).toEqual(new Set([a.userId, b.userId]));
    // The same people in another order are the same proposal
    const started = await apply(s.siteId, s.adminId, STRICT, trialReview.reviewToken, at(MINUTE), [b.userId, a.userId]);
    expect(started.externalUserPolicy).toEqual(DEFAULT_EXTERNAL_USER_POLICY);
    expect((await site(s.siteId)).policyTrial).toEqual({ policy: STRICT, userIds: [b.userId, a.userId], startedAt: at(MINUTE).toISOString() });

    // Replacing the trial: its people who leave it go back to the site policy (API tokens back: no effect),
    // and the new trial's person is the only one affected
    const replacing = await review(s.siteId, s.adminId, STRICT, at(2 * MINUTE), [c.userId]);
    expect(new Set(replacing.affected.map((entry) => entry.userId))).toEqual(new Set([c.userId]));

    const siteWide = await review(s.siteId, s.adminId, { ...STRICT, apiTokensAllowed: true }, at(2 * MINUTE));
    // a and b are in the trial (two-step already required): nothing new for them; c must enrol
    expect(siteWide.affected).toEqual([{ userId: c.userId, email: c.email, effect: 'must_enrol_two_step' }]);
    await apply(s.siteId, s.adminId, { ...STRICT, apiTokensAllowed: true }, siteWide.reviewToken, at(3 * MINUTE));
    const ended = await site(s.siteId);
    expect(ended.policyTrial).toBeUndefined();
    expect(ended.externalUserPolicy).toEqual({ ...STRICT, apiTokensAllowed: true });
    const events = (await listAuditEvents(db, s.siteId, { limit: 100 })).events.filter((event) => event.action.startsWith('external_user_policy.'));
    expect(events.map((event) => event.action)).toEqual(['external_user_policy.changed', 'external_user_policy.trial_started']);
    expect(events[1]!.details).toMatchObject({ before: DEFAULT_EXTERNAL_USER_POLICY, after: STRICT, trialUserIds: [b.userId, a.userId], affectedCount: 2 });
    expect(events[0]!.details).toMatchObject({ endedTrial: { policy: STRICT, userIds: [b.userId, a.userId] } });
  });

  it('refuses trial people who are not people of the site', async () => {
    const s = await newSite();
    const other = await newSite();
    const theirs = await guest(other.siteId);
    const mine = await guest(s.siteId);
    const error = await refusal(review(s.siteId, s.adminId, STRICT, T0, [mine.userId, theirs.userId]));
    expect(error.code).toBe('not_found');
  });

  it('works on a site stored before the policy and the domains existed (their defaults apply)', async () => {
    const s = await newSite();
    await db.client.send(new UpdateCommand({ TableName: db.tableName, Key: siteKey(s.siteId), UpdateExpression: 'REMOVE externalUserPolicy, verifiedDomains' }));
    const outcome = await review(s.siteId, s.adminId, STRICT, T0);
    expect((await apply(s.siteId, s.adminId, STRICT, outcome.reviewToken, at(MINUTE))).externalUserPolicy).toEqual(STRICT);
    expect((await site(s.siteId)).externalUserPolicy).toEqual(STRICT);
  });
});

describe('verified domains on the site', () => {
  it('are stored as given by the use case, replace the list on update, and are audited before and after', async () => {
    const s = await newSite({ verifiedDomains: ['corp.example'] });
    expect((await site(s.siteId)).verifiedDomains).toEqual(['corp.example']);
    const changed = await updateSite(db, s.siteId, { verifiedDomains: ['corp.example', 'eu.corp.example'] }, 'operator', at(MINUTE).toISOString());
    expect(changed.verifiedDomains).toEqual(['corp.example', 'eu.corp.example']);
    await updateSite(db, s.siteId, { verifiedDomains: [] }, 'operator', at(2 * MINUTE).toISOString());
    expect((await site(s.siteId)).verifiedDomains).toEqual([]);
    const events = (await listAuditEvents(db, s.siteId, { limit: 100 })).events.filter((event) => event.action === 'site.updated');
    expect(events.map((event) => [(event.details.before as { verifiedDomains: string[] }).verifiedDomains, (event.details.after as { verifiedDomains: string[] }).verifiedDomains])).toEqual([
      [['corp.example', 'eu.corp.example'], []],
      [['corp.example'], ['corp.example', 'eu.corp.example']],
    ]);
  });
});
