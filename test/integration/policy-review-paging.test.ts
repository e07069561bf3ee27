import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Directory } from '../../shared/directory/directory';
import { newPersonWrite, type PersonItem } from '../../shared/directory/entities/person';
import { PolicyReviewItem, policyReviewKey } from '../../shared/directory/entities/policy-review';
import type { SiteItem } from '../../shared/directory/entities/site';
import { createSite, getSite } from '../../shared/directory/sites';
import { readItem } from '../../shared/directory/reads';
import { commitWrites } from '../../shared/directory/transact';
import { AppError } from '../../shared/domain/errors';
import { reviewTokenParts } from '../../shared/domain/external-policy';
import { reviewPolicyChange, type PolicyReviewOutcome } from '../../shared/usecases/external-policy';
import { newReviewId } from '../../shared/ids';
import { freshDirectory } from '../support/directory';

/**
 * The review of a policy change over a site of 1,000 people against DynamoDB Local, walked with a
 * page size of 37: every affected external user's every effect comes back exactly once, internal
 * and deactivated people never, the walk reads the kind index page by page and never scans, and
 * the last page's review counts every affected person.
 */
const SITE_ID = 'big-policy-review';
const PEOPLE = 1000;
const PAGE = 37;
const DAY = 86_400_000;
const NOW = new Date('2026-05-04T10:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const STRICT = { twoStepRequired: true, reverifyEveryDays: 7, apiTokensAllowed: false };

let db: Directory;
let site: SiteItem;
let adminId: string;
const people: PersonItem[] = [];

/**
 * Person `i`, by residue: one in four is paid (half of those at the verified domain, so internal),
 * one in ten deactivated and one in ten invited; one in three has enrolled in two-step; the last
 * proof of identity is 1, 10, 29, 31 or 3 days old (the last one by a re-verification).
 */
function personAt(i: number): PersonItem {
  const kind = i % 4 === 3 ? 'paid' : 'guest';
  const domain = kind === 'paid' && i % 8 === 3 ? 'corp.example' : 'partner.example';
  const status = i % 10 === 9 ? 'deactivated' : i % 10 === 8 ? 'invited' : 'active';
  const ageDays = [1, 10, 29, 31, 3][i % 5]!;
  return {
    siteId: SITE_ID,
    userId: `usr_${String(i).padStart(4, '0')}`,
    email: `person${i}@${domain}`,
    kind,
    status,
    roles: { wiki: kind === 'guest' ? 'guest' : 'user' },
    groups: [],
    // Two people per second: ties in the index's sort key are broken by the id
    invitedAt: ago(60 * DAY - Math.floor(i / 2) * 1000),
    ...(status !== 'invited' ? { activatedAt: ago(i % 5 === 4 ? 60 * DAY : ageDays * DAY) } : {}),
    ...(status !== 'invited' && i % 5 === 4 ? { lastVerifiedAt: ago(ageDays * DAY) } : {}),
    twoStepEnrolled: i % 3 === 0,
  };
}

/**
 * What the strict proposal (two-step required, re-verify every 7 days, no API tokens) asks of
 * person `i` against the default policy (no two-step, 30 days, tokens allowed), worked out from the
 * construction above: internal and deactivated people nothing; everyone else loses API tokens; the
 * unenrolled must enrol; active people last verified 10 or 29 days ago must re-verify now (31 days
 * is overdue already, 1 and 3 days are within 7).
 */
function expectedFor(i: number): string[] {
  const internal = i % 4 === 3 && i % 8 === 3;
  const deactivated = i % 10 === 9;
  if (internal || deactivated) return [];
  const invited = i % 10 === 8;
  const effects: string[] = [];
  if (i % 3 !== 0) effects.push('must_enrol_two_step');
  if (!invited && (i % 5 === 1 || i % 5 === 2)) effects.push('must_reverify_now');
  effects.push('loses_api_tokens');
  return effects;
}

beforeAll(async () => {
  db = await freshDirectory('policy-paging');
  const created = await createSite(
    db,
    {
      siteId: SITE_ID,
      name: 'Big',
      orgId: 'org-big',
      plan: 'premium',
      userLimit: 5000,
      guestRatio: 5,
      inviteExpiryDays: 7,
      // The admin's own domain is verified too, so the admin is internal
      verifiedDomains: ['corp.example', 'admin.example'],
      admins: [{ email: 'root@admin.example', role: 'site-admin' }],
    },
    'operator',
    ago(90 * DAY),
  );
  adminId = created.admins[0]!.userId;
  for (let i = 0; i < PEOPLE; i++) people.push(personAt(i));
  const batches: PersonItem[][] = [];
  for (let start = 0; start < PEOPLE; start += 50) batches.push(people.slice(start, start + 50));
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) await commitWrites(db, batches[next++]!.map(newPersonWrite));
    }),
  );
  site = (await getSite(db, SITE_ID))!;
}, 120_000);

async function walk(limit: number): Promise<{ pages: PolicyReviewOutcome[]; entries: PolicyReviewOutcome['affected'] }> {
  const pages: PolicyReviewOutcome[] = [];
  let cursor: string | undefined;
  do {
    const page = await reviewPolicyChange(db, site, adminId, { policy: STRICT, trialUserIds: [], limit, cursor }, NOW);
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(200);
  } while (cursor);
  return { pages, entries: pages.flatMap((page) => page.affected) };
}

describe('reviewing a strict policy on 1,000 people, 37 entries a page', () => {
  it('lists every affected person’s every effect exactly once, with full pages until the last, and never scans', async () => {
    const send = vi.spyOn(db.client, 'send');
    const { pages, entries } = await walk(PAGE);
    const commands = send.mock.calls.map(([command]) => (command as object).constructor.name);
    send.mockRestore();

    const expected = people.flatMap((person, i) => expectedFor(i).map((effect) => `${person.userId} ${person.email} ${effect}`)).sort();
    const got = entries.map((entry) => `${entry.userId} ${entry.email} ${entry.effect}`);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(1000);

    for (const page of pages.slice(0, -1)) expect(page.affected).toHaveLength(PAGE);
    expect(pages.at(-1)!.affected.length).toBeGreaterThan(0);
    expect(pages.at(-1)!.affected.length).toBeLessThanOrEqual(PAGE);
    expect(pages).toHaveLength(Math.ceil(expected.length / PAGE));
    // One person's entries follow each other, even across a page boundary
    const order = entries.map((entry) => entry.userId).filter((userId, index, all) => index === 0 || all[index - 1] !== userId);
    expect(new Set(order).size).toBe(order.length);

    expect(commands).not.toContain('ScanCommand');
    expect(commands).toContain('QueryCommand');
  }, 120_000);

  it('counts each affected person once in the last page’s review, and marks only that page complete', async () => {
    const { pages } = await walk(PAGE);
    const reviews = await Promise.all(
      pages.map(async (page) => (await readItem(db, policyReviewKey(SITE_ID, reviewTokenParts(page.reviewToken)!.reviewId), PolicyReviewItem))!),
    );
    const affectedPeople = people.filter((_, i) => expectedFor(i).length > 0).length;
    expect(reviews.at(-1)).toMatchObject({ affectedCount: affectedPeople, complete: true });
    expect(reviews.slice(0, -1).every((review) => !review.complete)).toBe(true);
    // Counts only grow, page by page, and each page continues the one before
    for (let index = 1; index < reviews.length; index++) {
      expect(reviews[index]!.affectedCount).toBeGreaterThanOrEqual(reviews[index - 1]!.affectedCount);
      expect(reviews[index]!.continues).toBe(reviews[index - 1]!.reviewId);
    }
  }, 120_000);

  it('gives the same listing with one entry a page as with pages of the maximum size', async () => {
    const big = await walk(500);
    expect(big.pages).toHaveLength(Math.ceil(big.entries.length / 500));
    // Pages of 1 split every person with several effects across pages; walk a slice of the site that way
    const small: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 60; page++) {
      const result = await reviewPolicyChange(db, site, adminId, { policy: STRICT, trialUserIds: [], limit: 1, cursor }, NOW);
      expect(result.affected).toHaveLength(1);
      small.push(...result.affected.map((entry) => `${entry.userId} ${entry.effect}`));
      cursor = result.nextCursor;
    }
    expect(small).toEqual(big.entries.slice(0, 60).map((entry) => `${entry.userId} ${entry.effect}`));
  }, 120_000);

  it('refuses a cursor of another proposal, of another admin, or one that was tampered with', async () => {
    const first = await reviewPolicyChange(db, site, adminId, { policy: STRICT, trialUserIds: [], limit: PAGE }, NOW);
    const cursor = first.nextCursor!;
    const codeOf = async (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: unknown) => (error instanceof AppError ? error.code : String(error)),
      );
    expect(await codeOf(reviewPolicyChange(db, site, adminId, { policy: { ...STRICT, reverifyEveryDays: 8 }, trialUserIds: [], limit: PAGE, cursor }, NOW))).toBe('validation_failed');
    expect(await codeOf(reviewPolicyChange(db, site, 'usr_someone_else', { policy: STRICT, trialUserIds: [], limit: PAGE, cursor }, NOW))).toBe('validation_failed');
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const recoded = (change: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url');
    expect(await codeOf(reviewPolicyChange(db, site, adminId, { policy: STRICT, trialUserIds: [], limit: PAGE, cursor: recoded({}) }, NOW))).toBe('accepted');
    const tampered = [
      'x',
      '!!!',
      Buffer.from('[]').toString('base64url'),
      recoded({ r: newReviewId() }),
      recoded({ r: 'rev_x' }),
      recoded({ p: 'everyone' }),
      recoded({ n: ['usr_0001', 7] }),
      recoded({ a: ['usr_0001', 'not-its-key'] }),
      recoded({ extra: true }),
    ];
    for (const bad of tampered) {
      expect(await codeOf(reviewPolicyChange(db, site, adminId, { policy: STRICT, trialUserIds: [], limit: PAGE, cursor: bad }, NOW)), bad).toBe('validation_failed');
    }
  }, 60_000);
});
