import { AppError } from '../domain/errors';
import { policyFingerprint, type ExternalUserPolicy } from '../domain/external';
import { continuationRefusal, reviewExpiresAt, reviewToken, type PolicyProposal } from '../domain/external-policy';
import { hashToken, newLinkToken } from '../domain/tokens';
import type { Directory } from '../directory/directory';
import type { SiteItem } from '../directory/entities/site';
import {
  applyReviewedChange,
  decodeReviewCursor,
  encodeReviewCursor,
  policyStateOf,
  readPeople,
  readPolicyReview,
  reviewPage,
  reviewRecordOf,
  savePolicyReview,
  type AffectedEntry,
  type ReviewPosition,
} from '../directory/external-policy';
import { newReviewId } from '../ids';

/**
 * Rule 13's two steps. A review lists who a proposed policy (or trial) affects and how, one page at
 * a time, and hands out a token for applying exactly that proposal: every page call stores a review
 * of its own and answers a fresh token (the earlier pages' tokens stay valid until they expire). A
 * page's review counts the affected people listed up to and including it, and says whether it was
 * the last page. Applying needs a fresh, unused token of the same admin, proposal and site policy.
 */

export interface PolicyReviewRequest {
  readonly policy: ExternalUserPolicy;
  readonly trialUserIds: readonly string[];
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface PolicyReviewOutcome {
  readonly reviewToken: string;
  readonly expiresAt: string;
  readonly affected: AffectedEntry[];
  readonly nextCursor?: string;
}

/** A trial is for people of this site: any id that is not one is a 404 naming it. */
async function requireTrialPeople(db: Directory, siteId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const people = await readPeople(db, siteId, userIds);
  const missing = userIds.filter((userId) => !people.has(userId));
  if (missing.length > 0) throw new AppError('not_found', `No person ${missing.join(', ')} was found on this site.`, { userIds: missing });
}

export async function reviewPolicyChange(db: Directory, site: SiteItem, callerId: string, request: PolicyReviewRequest, now: Date): Promise<PolicyReviewOutcome> {
  const proposal: PolicyProposal = { policy: request.policy, trialUserIds: request.trialUserIds };
  await requireTrialPeople(db, site.siteId, proposal.trialUserIds);
  const fingerprint = policyFingerprint(proposal.policy, proposal.trialUserIds);
  const state = policyStateOf(site);

  let from: ReviewPosition | undefined;
  let listedBefore = 0;
  let continues: string | undefined;
  if (request.cursor !== undefined) {
    const cursor = decodeReviewCursor(request.cursor);
    const previous = await readPolicyReview(db, site.siteId, cursor.reviewId);
    const refusal = continuationRefusal(previous && reviewRecordOf(previous), { siteId: site.siteId, callerId, fingerprint, site: state });
    if (refusal) throw refusal;
    from = cursor.position;
    listedBefore = previous?.affectedCount ?? 0;
    continues = cursor.reviewId;
  }

  const page = await reviewPage(db, site, proposal, { limit: request.limit, from }, now);
  const reviewId = newReviewId();
  const secret = newLinkToken();
  const expiresAt = reviewExpiresAt(now).toISOString();
  await savePolicyReview(db, {
    siteId: site.siteId,
    reviewId,
    tokenDigest: hashToken(secret),
    reviewerId: callerId,
    fingerprint,
    policy: { ...proposal.policy },
    trialUserIds: [...proposal.trialUserIds],
    reviewedAgainst: { externalUserPolicy: state.externalUserPolicy, policyTrial: site.policyTrial, verifiedDomains: [...state.verifiedDomains] },
    affectedCount: listedBefore + page.newlyListed,
    complete: page.next === undefined,
    ...(continues ? { continues } : {}),
    createdAt: now.toISOString(),
    expiresAt,
  });
  return {
    reviewToken: reviewToken(reviewId, secret),
    expiresAt,
    affected: page.entries,
    ...(page.next ? { nextCursor: encodeReviewCursor(reviewId, page.next) } : {}),
  };
}

export interface PolicyChangeRequest {
  readonly policy: ExternalUserPolicy;
  readonly trialUserIds: readonly string[];
  readonly reviewToken?: string | undefined;
}

/** With trial people: starts the trial (the site's policy stays); without: the site's policy, ending any trial. */
export async function changeExternalUserPolicy(db: Directory, site: SiteItem, callerId: string, request: PolicyChangeRequest, now: Date): Promise<SiteItem> {
  return applyReviewedChange(db, {
    siteId: site.siteId,
    callerId,
    proposal: { policy: request.policy, trialUserIds: request.trialUserIds },
    reviewToken: request.reviewToken,
    now,
  });
}
