import { AppError } from './errors';
import type { FieldIssue } from './people';
import {
  isExternal,
  policyEffects,
  policyFor,
  samePolicy,
  type ExternalUserPolicy,
  type PolicyEffect,
  type PolicyTrial,
  type VerificationState,
} from './external';

/**
 * Changing the external-user policy (rule 13): a proposal is reviewed first (who it affects and
 * how), then applied with the review's token. Pure: the directory reads the review and the site,
 * these rules decide, and the directory writes conditioned on what was read.
 */

/** A review token works this long after the review. */
export const REVIEW_MINUTES = 15;
export const REVIEW_PAGE_DEFAULT = 100;
export const REVIEW_PAGE_MAX = 500;
/** An operator lists at most this many verified domains per site. */
export const MAX_VERIFIED_DOMAINS = 50;

/** A policy for the whole site, or (with `trialUserIds`) a trial of it on a few people first. */
export interface PolicyProposal {
  readonly policy: ExternalUserPolicy;
  /** Empty: the policy is for the whole site and ends any trial. */
  readonly trialUserIds: readonly string[];
}

/** What of a site decides who is external and which policy applies to each of them. */
export interface SitePolicyState {
  readonly externalUserPolicy: ExternalUserPolicy;
  readonly policyTrial?: (PolicyTrial & { readonly startedAt: string }) | undefined;
  readonly verifiedDomains: readonly string[];
}

export const reviewExpiresAt = (now: Date): Date => new Date(now.getTime() + REVIEW_MINUTES * 60_000);

/**
 * The policy that would apply to a person once the proposal is applied. A site-wide policy ends any
 * trial, so it applies to everyone. A trial applies to its people; everyone else has the site's
 * policy, which includes the people of an earlier trial the new one replaces.
 */
export function policyAfter(site: SitePolicyState, proposal: PolicyProposal, userId: string): ExternalUserPolicy {
  if (proposal.trialUserIds.length === 0) return proposal.policy;
  return proposal.trialUserIds.includes(userId) ? proposal.policy : site.externalUserPolicy;
}

/**
 * The only people a trial proposal can affect: its own people and those leaving the current trial
 * (back to the site's policy). `null` for a site-wide proposal: every external user.
 */
export function trialPopulation(site: SitePolicyState, proposal: PolicyProposal): string[] | null {
  if (proposal.trialUserIds.length === 0) return null;
  const leaving = (site.policyTrial?.userIds ?? []).filter((userId) => !proposal.trialUserIds.includes(userId));
  return [...new Set([...proposal.trialUserIds, ...leaving])];
}

/** How the proposal changes what one person must do: nothing for internal people, else the policy effects. */
export function reviewEffects(person: VerificationState & { readonly userId: string }, site: SitePolicyState, proposal: PolicyProposal, now: Date): PolicyEffect[] {
  if (!isExternal(person, site.verifiedDomains)) return [];
  return policyEffects(person, policyFor(site, person.userId), policyAfter(site, proposal, person.userId), now);
}

/**
 * Whether two policy states are the same as stored: the policy, the trial (its policy, its people in
 * order and when it started, so a trial restarted is a new one) and the verified domains in order.
 * The directory guards the change with conditions on exactly these values, so the two agree.
 */
export function samePolicyState(a: SitePolicyState, b: SitePolicyState): boolean {
  if (!samePolicy(a.externalUserPolicy, b.externalUserPolicy)) return false;
  if (!sameList(a.verifiedDomains, b.verifiedDomains)) return false;
  if (!a.policyTrial || !b.policyTrial) return !a.policyTrial && !b.policyTrial;
  return samePolicy(a.policyTrial.policy, b.policyTrial.policy) && sameList(a.policyTrial.userIds, b.policyTrial.userIds) && a.policyTrial.startedAt === b.policyTrial.startedAt;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, index) => value === b[index]);

/** A stored review, as the rules below look at it. */
export interface ReviewRecord {
  readonly siteId: string;
  readonly reviewerId: string;
  readonly fingerprint: string;
  readonly expiresAt: string;
  readonly usedAt?: string | undefined;
  /** The site's policy state the affected people were computed against. */
  readonly reviewedAgainst: SitePolicyState;
}

/** An attempt to apply a proposal with a review: on which site, by whom, for which proposal, now. */
export interface ApplyAttempt {
  readonly siteId: string;
  readonly callerId: string;
  /** `policyFingerprint` of the proposal being applied. */
  readonly fingerprint: string;
  readonly site: SitePolicyState;
  readonly now: Date;
}

export type ReviewRefusalReason = 'missing' | 'used' | 'expired' | 'other_admin' | 'other_proposal' | 'policy_changed';

const REFUSALS: Readonly<Record<ReviewRefusalReason, string>> = {
  missing: 'Review the change first: no review with this token exists on this site.',
  used: 'This review was already used to apply a change; review the change again.',
  expired: `This review is more than ${REVIEW_MINUTES} minutes old; review the change again.`,
  other_admin: 'This review was made by another admin; review the change yourself.',
  other_proposal: 'This review is for another proposal (a different policy or trial people); review this change.',
  policy_changed: 'The site’s policy, trial or verified domains changed since the review; review the change again.',
};

export const reviewRequired = (reason: ReviewRefusalReason): AppError => new AppError('review_required', REFUSALS[reason], { reason });

/**
 * Why a review does not let this attempt apply its proposal (`409 review_required`), or null when
 * it does: it exists on this site, has not been used, is at most `REVIEW_MINUTES` old (its expiry
 * instant itself still counts), was made by the same admin, for the same proposal, against the
 * site's policy state as it still is. A review that is used and stale is reported as used.
 */
export function reviewRefusal(review: ReviewRecord | null, attempt: ApplyAttempt): AppError | null {
  if (!review || review.siteId !== attempt.siteId) return reviewRequired('missing');
  if (review.usedAt !== undefined) return reviewRequired('used');
  const expiresAt = Date.parse(review.expiresAt);
  if (Number.isNaN(expiresAt) || attempt.now.getTime() > expiresAt) return reviewRequired('expired');
  if (review.reviewerId !== attempt.callerId) return reviewRequired('other_admin');
  if (review.fingerprint !== attempt.fingerprint) return reviewRequired('other_proposal');
  if (!samePolicyState(review.reviewedAgainst, attempt.site)) return reviewRequired('policy_changed');
  return null;
}

/**
 * Why a review page cannot continue the listing of an earlier page (the cursor names that page's
 * review), or null. Only the listing continues: the earlier review need not be fresh or unused.
 * A cursor of another site, admin or proposal is bad input; a site whose policy state changed since
 * makes the earlier pages stale, so the review starts again.
 */
export function continuationRefusal(previous: ReviewRecord | null, attempt: Omit<ApplyAttempt, 'now'>): AppError | null {
  if (!previous || previous.siteId !== attempt.siteId || previous.reviewerId !== attempt.callerId || previous.fingerprint !== attempt.fingerprint) {
    return new AppError('validation_failed', 'The cursor does not continue a review of this proposal by you; start again without one.', {
      issues: [{ path: 'body.cursor', message: 'Not a cursor this review gave out' }],
    });
  }
  if (!samePolicyState(previous.reviewedAgainst, attempt.site)) {
    return new AppError('review_required', 'The site’s policy, trial or verified domains changed since this review began; start again without a cursor.', { reason: 'policy_changed' });
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Review tokens: `<reviewId>.<secret>`. The id locates the review and is safe to show (the audit
// log names it); the secret is 256 random bits of which only the SHA-256 is stored.
// ---------------------------------------------------------------------------------------------

export const REVIEW_ID_PATTERN = /^rev_[0-9A-HJKMNP-TV-Z]{26}$/;
const REVIEW_TOKEN_PATTERN = /^(rev_[0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/;

export const reviewToken = (reviewId: string, secret: string): string => `${reviewId}.${secret}`;

/** The parts of a review token, or null for anything no review ever handed out. */
export function reviewTokenParts(token: string): { reviewId: string; secret: string } | null {
  const match = REVIEW_TOKEN_PATTERN.exec(token);
  return match ? { reviewId: match[1]!, secret: match[2]! } : null;
}

// ---------------------------------------------------------------------------------------------
// Verified domains (who among paid users is internal)
// ---------------------------------------------------------------------------------------------

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL = /^[a-z]{2,63}$/;

/**
 * A DNS domain name an address can be at, lower-case: two or more labels of letters, digits and
 * inner hyphens (1–63 each, 253 in all), ending in an alphabetic top-level label, as the invite
 * route's address check requires of domains. No trailing dot, wildcard, IP address or URL.
 */
export function isDomainName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => LABEL.test(label)) && TOP_LEVEL.test(labels[labels.length - 1]!);
}

/** One domain as given by an operator, as stored: without surrounding spaces, lower-cased. */
export const normalizeDomain = (domain: string): string => domain.trim().toLowerCase();

/** The list as stored: each domain normalised, each once, in the order first given. */
export const normalizeDomains = (domains: readonly string[]): string[] => [...new Set(domains.map(normalizeDomain))];

/** What is wrong with an operator's list of domains as given (`field` names it in the request), or null. */
export function verifiedDomainsProblem(domains: readonly string[], field = 'body.verifiedDomains'): { message: string; issues: FieldIssue[] } | null {
  const bad = domains.flatMap((domain, index) => (isDomainName(normalizeDomain(domain)) ? [] : [{ domain, index }]));
  if (bad.length > 0) {
    return {
      message: `Not DNS domain names (like partner.example): ${bad.map(({ domain, index }) => `${JSON.stringify(domain)} (item ${index})`).join(', ')}.`,
      issues: bad.map(({ domain, index }) => ({ path: `${field}.${index}`, message: `${JSON.stringify(domain)} is not a DNS domain name` })),
    };
  }
  if (normalizeDomains(domains).length > MAX_VERIFIED_DOMAINS) return { message: `A site lists at most ${MAX_VERIFIED_DOMAINS} verified domains.`, issues: [{ path: field, message: `At most ${MAX_VERIFIED_DOMAINS}` }] };
  return null;
}
