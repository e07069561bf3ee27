import * as z from 'zod/mini';
import { AppError } from '../domain/errors';
import { policyFingerprint, type PolicyEffect } from '../domain/external';
import {
  REVIEW_ID_PATTERN,
  reviewEffects,
  reviewRequired,
  reviewRefusal,
  reviewTokenParts,
  trialPopulation,
  type PolicyProposal,
  type ReviewRecord,
  type SitePolicyState,
} from '../domain/external-policy';
import { hashToken, sameDigest } from '../domain/tokens';
import type { Kind } from '../domain/vocabulary';
import type { Directory } from './directory';
import { and, conditionsOn, itemExists } from './expressions';
import { auditWrite } from './entities/audit-event';
import { guestsByKindPartition, PersonItem, personIndexKeys, personKey } from './entities/person';
import { newPolicyReviewWrite, PolicyReviewItem, policyReviewKey, policyReviewUseWrite } from './entities/policy-review';
import { policyStateAsRead, policyTrialUpdate, sitePolicyUpdate, type SiteItem, siteKey } from './entities/site';
import { batchGetItems, foundItem, queryPages, readItem } from './reads';
import { requireSite } from './sites';
import { commitWrites, commitWritesIfUnchanged, decideAndCommit, RETRY } from './transact';
import { updateWrite } from './writes';

/**
 * The external-user policy's review and apply (rule 13) against the directory. A review lists, page
 * by page, the external users a proposal affects: guests (gsi1, kind guest) and, on a site with
 * verified domains, paid users (gsi1, kind paid), oldest invitation first, never a Scan; a trial
 * proposal reads only its own people and those leaving the current trial. Applying uses the review
 * once, in the transaction that changes the site, guarded on the site's policy state as reviewed.
 */

export interface AffectedEntry {
  readonly userId: string;
  readonly email: string;
  readonly effect: PolicyEffect;
}

/** The site's policy state as the review and apply rules look at it. */
export const policyStateOf = (site: SiteItem): SitePolicyState => ({
  externalUserPolicy: site.externalUserPolicy,
  policyTrial: site.policyTrial,
  verifiedDomains: site.verifiedDomains,
});

export const reviewRecordOf = (review: PolicyReviewItem): ReviewRecord => ({
  siteId: review.siteId,
  reviewerId: review.reviewerId,
  fingerprint: review.fingerprint,
  expiresAt: review.expiresAt,
  usedAt: review.usedAt,
  reviewedAgainst: review.reviewedAgainst,
});

// ---------------------------------------------------------------------------------------------
// The listing
// ---------------------------------------------------------------------------------------------

/** Where a listing stands: which people it walks (`phase`) and where in their order. */
export type ReviewPhase = 'guest' | 'paid' | 'trial';

/** A person's place in a listing's order (their gsi1 sort key: invitation time, then id). */
interface Place {
  readonly userId: string;
  readonly order: string;
}

export interface ReviewPosition {
  readonly phase: ReviewPhase;
  /** The listing resumes after this person of the phase; absent: at the phase's start. */
  readonly after?: Place | undefined;
  /** The next affected person, and how many of their entries earlier pages listed already. */
  readonly next?: { readonly userId: string; readonly listed: number } | undefined;
}

const orderOf = (person: PersonItem): string => personIndexKeys(person).gsi1sk!;

function phasesOf(site: SitePolicyState, proposal: PolicyProposal): ReviewPhase[] {
  if (proposal.trialUserIds.length > 0) return ['trial'];
  // Paid users are external only when the site lists verified domains: without any, none is read.
  return site.verifiedDomains.length > 0 ? ['guest', 'paid'] : ['guest'];
}

type GsiKey = Record<'gsi1pk' | 'gsi1sk', string>;
const gsi1 = conditionsOn<GsiKey>();

/** The people of one kind after `after`, in gsi1 order, read a page at a time. */
async function* peopleOfKind(db: Directory, siteId: string, kind: Kind, after: Place | undefined, pageSize: number): AsyncGenerator<PersonItem> {
  const partition = guestsByKindPartition(siteId, kind);
  const startKey = after ? { ...personKey(siteId, after.userId), gsi1pk: partition, gsi1sk: after.order } : undefined;
  for await (const page of queryPages(db, { index: 'gsi1', keyCondition: gsi1.eq('gsi1pk', partition), pageSize, startKey })) {
    for (const item of page.items) yield PersonItem.parse(item);
  }
}

/** The few people a trial proposal can affect, in the same order, after `after`. */
async function* trialPeople(db: Directory, siteId: string, userIds: readonly string[], after: Place | undefined): AsyncGenerator<PersonItem> {
  const people = [...(await readPeople(db, siteId, userIds)).values()].sort((a, b) => (orderOf(a) < orderOf(b) ? -1 : 1));
  for (const person of people) if (!after || orderOf(person) > after.order) yield person;
}

interface AffectedRow {
  readonly phase: ReviewPhase;
  /** The person read just before this one in its phase (where a listing resumes to reach them). */
  readonly before: Place | undefined;
  readonly person: PersonItem;
  readonly effects: PolicyEffect[];
}

async function* affectedRows(db: Directory, site: SiteItem, proposal: PolicyProposal, from: ReviewPosition | undefined, now: Date, pageSize: number): AsyncGenerator<AffectedRow> {
  const phases = phasesOf(site, proposal);
  const first = from ? phases.indexOf(from.phase) : 0;
  if (first < 0) throw invalidReviewCursor();
  for (let index = first; index < phases.length; index++) {
    const phase = phases[index]!;
    let before = index === first ? from?.after : undefined;
    const people =
      phase === 'trial' ? trialPeople(db, site.siteId, trialPopulation(site, proposal) ?? [], before) : peopleOfKind(db, site.siteId, phase, before, pageSize);
    for await (const person of people) {
      const effects = reviewEffects(person, site, proposal, now);
      if (effects.length > 0) yield { phase, before, person, effects };
      before = { userId: person.userId, order: orderOf(person) };
    }
  }
}

export interface ReviewPage {
  readonly entries: AffectedEntry[];
  /** People whose first entry is on this page (a person's entries may straddle two pages). */
  readonly newlyListed: number;
  /** Where the next page starts; absent on the last page. */
  readonly next?: ReviewPosition;
}

/**
 * One page of the affected people: at most `limit` entries, one per person and effect, from `from`
 * on. The page ends just before the entry that would not fit, so the next page starts with it and
 * a cursor is only handed out when something follows.
 */
export async function reviewPage(db: Directory, site: SiteItem, proposal: PolicyProposal, page: { limit: number; from?: ReviewPosition | undefined }, now: Date): Promise<ReviewPage> {
  const entries: AffectedEntry[] = [];
  let newlyListed = 0;
  let firstRow = true;
  for await (const row of affectedRows(db, site, proposal, page.from, now, Math.min(page.limit + 1, 500))) {
    const resumed = firstRow && page.from?.next?.userId === row.person.userId ? page.from.next.listed : 0;
    firstRow = false;
    for (let index = resumed; index < row.effects.length; index++) {
      if (entries.length === page.limit) {
        return { entries, newlyListed, next: { phase: row.phase, after: row.before, next: { userId: row.person.userId, listed: index } } };
      }
      if (index === 0) newlyListed++;
      entries.push({ userId: row.person.userId, email: row.person.email, effect: row.effects[index]! });
    }
  }
  return { entries, newlyListed };
}

// ---------------------------------------------------------------------------------------------
// Cursors: the review of the page that gave it out, and the position after that page
// ---------------------------------------------------------------------------------------------

const UserIdText = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));
const CursorShape = z
  .strictObject({
    r: z.string().check(z.regex(REVIEW_ID_PATTERN)),
    p: z.enum(['guest', 'paid', 'trial']),
    a: z.optional(z.tuple([UserIdText, z.string().check(z.minLength(1), z.maxLength(512))])),
    n: z.optional(z.tuple([UserIdText, z.int().check(z.gte(0), z.lte(2))])),
  })
  // The order key ends with the person's id; anything else is no key of the index.
  .check(z.refine((cursor) => !cursor.a || cursor.a[1].endsWith(`#${cursor.a[0]}`)));

export function invalidReviewCursor(): AppError {
  return new AppError('validation_failed', 'The cursor is not valid for this review; start again without one.', {
    issues: [{ path: 'body.cursor', message: 'Not a cursor this review gave out' }],
  });
}

export function encodeReviewCursor(reviewId: string, position: ReviewPosition): string {
  const cursor: z.infer<typeof CursorShape> = {
    r: reviewId,
    p: position.phase,
    ...(position.after ? { a: [position.after.userId, position.after.order] } : {}),
    ...(position.next ? { n: [position.next.userId, position.next.listed] } : {}),
  };
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The review a cursor continues and where; anything a review never gave out is a 400. */
export function decodeReviewCursor(text: string): { reviewId: string; position: ReviewPosition } {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw invalidReviewCursor();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidReviewCursor();
  }
  const parsed = CursorShape.safeParse(json);
  if (!parsed.success) throw invalidReviewCursor();
  const { r, p, a, n } = parsed.data;
  return {
    reviewId: r,
    position: { phase: p, ...(a ? { after: { userId: a[0], order: a[1] } } : {}), ...(n ? { next: { userId: n[0], listed: n[1] } } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// Reviews and people
// ---------------------------------------------------------------------------------------------

export async function readPolicyReview(db: Directory, siteId: string, reviewId: string): Promise<PolicyReviewItem | null> {
  return readItem(db, policyReviewKey(siteId, reviewId), PolicyReviewItem);
}

export async function savePolicyReview(db: Directory, review: Omit<PolicyReviewItem, 'ttl'>): Promise<void> {
  await commitWrites(db, [newPolicyReviewWrite(review)]);
}

/** The people of the site among `userIds` (one consistent batch read), by id; the others are absent. */
export async function readPeople(db: Directory, siteId: string, userIds: readonly string[]): Promise<Map<string, PersonItem>> {
  const keys = userIds.map((userId) => personKey(siteId, userId));
  const found = await batchGetItems(db, keys);
  const people = new Map<string, PersonItem>();
  for (const key of keys) {
    const item = foundItem(found, key);
    if (item) {
      const person = PersonItem.parse(item);
      people.set(person.userId, person);
    }
  }
  return people;
}

// ---------------------------------------------------------------------------------------------
// Applying a reviewed change
// ---------------------------------------------------------------------------------------------

export interface ReviewedChange {
  readonly siteId: string;
  readonly callerId: string;
  readonly proposal: PolicyProposal;
  /** As the caller sent it; absent, or anything no review handed out, is a missing review. */
  readonly reviewToken: string | undefined;
  readonly now: Date;
}

/**
 * Applies a proposal with its review: the review is read with the site, judged by `reviewRefusal`,
 * and used in the transaction that changes the site and writes the audit event, guarded on both as
 * read. A refused transaction (a concurrent use of the review or change of the site) is decided again,
 * so the second of two racing applies gets the refusal that now holds.
 */
export async function applyReviewedChange(db: Directory, change: ReviewedChange): Promise<SiteItem> {
  const { siteId, callerId, proposal, now } = change;
  const at = now.toISOString();
  const parts = change.reviewToken === undefined ? null : reviewTokenParts(change.reviewToken);
  const fingerprint = policyFingerprint(proposal.policy, proposal.trialUserIds);
  return decideAndCommit(
    async () => {
      const [site, stored] = await Promise.all([requireSite(db, siteId), parts ? readPolicyReview(db, siteId, parts.reviewId) : Promise.resolve(null)]);
      const review = stored && parts && sameDigest(stored.tokenDigest, hashToken(parts.secret)) ? stored : null;
      const refusal = reviewRefusal(review && reviewRecordOf(review), { siteId, callerId, fingerprint, site: policyStateOf(site), now });
      if (refusal) throw refusal;
      if (!review) throw reviewRequired('missing');
      const trial = proposal.trialUserIds.length > 0 ? { policy: { ...proposal.policy }, userIds: [...proposal.trialUserIds], startedAt: at } : undefined;
      const audit = {
        reviewId: review.reviewId,
        affectedCount: review.affectedCount,
        reviewComplete: review.complete,
      };
      const written = await commitWritesIfUnchanged(db, [
        policyReviewUseWrite(review, at),
        updateWrite(siteKey(siteId), trial ? policyTrialUpdate(trial, at) : sitePolicyUpdate(proposal.policy, at), and(itemExists, policyStateAsRead(policyStateOf(site)))),
        auditWrite({
          siteId,
          actor: callerId,
          action: trial ? 'external_user_policy.trial_started' : 'external_user_policy.changed',
          target: siteId,
          at,
          details: trial
            ? {
                before: site.externalUserPolicy,
                after: trial.policy,
                trialUserIds: trial.userIds,
                ...(site.policyTrial ? { replacedTrial: site.policyTrial } : {}),
                ...audit,
              }
            : {
                before: site.externalUserPolicy,
                after: proposal.policy,
                ...(site.policyTrial ? { endedTrial: site.policyTrial } : {}),
                ...audit,
              },
        }),
      ]);
      if (!written) return RETRY;
      const changed: SiteItem = trial ? { ...site, policyTrial: trial, updatedAt: at } : { ...site, externalUserPolicy: { ...proposal.policy }, updatedAt: at };
      if (!trial) delete changed.policyTrial;
      return changed;
    },
    'external-user policy',
  );
}
