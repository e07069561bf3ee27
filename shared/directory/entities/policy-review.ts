import * as z from 'zod/mini';
import { and, conditionsOn, itemAbsent, itemExists, update } from '../expressions';
import { sitePartition, type Key } from '../key';
import { epochSeconds } from '../time';
import { putWrite, updateWrite, type Write } from '../writes';
import { ExternalUserPolicy, PolicyTrialItem } from './site';

export const POLICY_REVIEW_TYPE = 'policy-review';

/**
 * A review of an external-user policy change (one page of its affected people), in the site's
 * partition: the token handed out is `<reviewId>.<secret>`, and only the secret's digest is kept.
 */
export const policyReviewKey = (siteId: string, reviewId: string): Key => ({ pk: sitePartition(siteId), sk: `POLICY_REVIEW#${reviewId}` });

/** A review is unusable once it expires; the item stays this long after, so a late token is told it expired. */
export const POLICY_REVIEW_KEEP_SECONDS = 86_400;

/** The site's policy state a review was computed against, as the site stored it then. */
export const PolicyStateItem = z.object({
  externalUserPolicy: ExternalUserPolicy,
  policyTrial: z.optional(PolicyTrialItem),
  verifiedDomains: z.array(z.string()),
});

export const PolicyReviewItem = z.object({
  siteId: z.string(),
  reviewId: z.string(),
  /** SHA-256 of the token's secret part. */
  tokenDigest: z.string(),
  reviewerId: z.string(),
  /** `policyFingerprint` of the proposal: the policy and the trial's people. */
  fingerprint: z.string(),
  policy: ExternalUserPolicy,
  trialUserIds: z.array(z.string()),
  reviewedAgainst: PolicyStateItem,
  /** People the review listed as affected, on this page and the pages before it. */
  affectedCount: z.int(),
  /** This page was the listing's last: the review showed every affected person. */
  complete: z.boolean(),
  /** The review of the page before, when this page continued a listing. */
  continues: z.optional(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.optional(z.string()),
  ttl: z.int(),
});
export type PolicyReviewItem = z.infer<typeof PolicyReviewItem>;

export const policyReviewIs = conditionsOn<PolicyReviewItem>();

export const newPolicyReviewWrite = (review: Omit<PolicyReviewItem, 'ttl'>): Write =>
  putWrite(
    policyReviewKey(review.siteId, review.reviewId),
    { type: POLICY_REVIEW_TYPE, ...review, ttl: epochSeconds(review.expiresAt) + POLICY_REVIEW_KEEP_SECONDS },
    itemAbsent,
  );

/**
 * Uses the review once: in the transaction that changes the site, guarded on everything the apply
 * decision checked of it (unused, still fresh at `now`, same digest, admin and proposal).
 */
export const policyReviewUseWrite = (review: PolicyReviewItem, now: string): Write =>
  updateWrite(
    policyReviewKey(review.siteId, review.reviewId),
    update<PolicyReviewItem>().set('usedAt', now),
    and(
      itemExists,
      policyReviewIs.attributeNotExists('usedAt'),
      policyReviewIs.ge('expiresAt', now),
      policyReviewIs.eq('tokenDigest', review.tokenDigest),
      policyReviewIs.eq('reviewerId', review.reviewerId),
      policyReviewIs.eq('fingerprint', review.fingerprint),
    ),
  );
