import type { Kind, PersonStatus } from './vocabulary';

/**
 * External users and the site's security policy for them (product rules 12–13). Pure: callers read
 * the person and the site and pass what these rules look at.
 */
export interface ExternalUserPolicy {
  readonly twoStepRequired: boolean;
  /** 1–30 days. */
  readonly reverifyEveryDays: number;
  readonly apiTokensAllowed: boolean;
}

export const DEFAULT_EXTERNAL_USER_POLICY: ExternalUserPolicy = { twoStepRequired: false, reverifyEveryDays: 30, apiTokensAllowed: true };

/** A policy tried on a few people first (at most `MAX_TRIAL_USERS`) before the whole site. */
export interface PolicyTrial {
  readonly policy: ExternalUserPolicy;
  readonly userIds: readonly string[];
}

export const MAX_TRIAL_USERS = 5;

/** How long an unverified external user keeps the seat, after the link was sent, before suspension. */
export const REVERIFY_GRACE_DAYS = 3;
/** A re-verification link works this long; a suspended person past it needs an admin. */
export const VERIFY_LINK_DAYS = 14;

const DAY_MS = 86_400_000;

export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Guests are always external. A paid user is external when the site lists verified domains and the
 * address is in none of them: exact domain match, so `sub.partner.example` must be listed itself
 * (a parent domain vouching for every subdomain would let anyone with a subdomain in).
 */
export function isExternal(person: { readonly kind: Kind; readonly email: string }, verifiedDomains: readonly string[]): boolean {
  if (person.kind === 'guest') return true;
  if (verifiedDomains.length === 0) return false;
  return !verifiedDomains.includes(emailDomain(person.email));
}

/** The policy that applies to one person: a trial's, for the people it names, else the site's. */
export function policyFor(site: { readonly externalUserPolicy: ExternalUserPolicy; readonly policyTrial?: PolicyTrial | undefined }, userId: string): ExternalUserPolicy {
  return site.policyTrial?.userIds.includes(userId) ? site.policyTrial.policy : site.externalUserPolicy;
}

export interface VerificationState {
  readonly kind: Kind;
  readonly email: string;
  readonly status: PersonStatus;
  readonly twoStepEnrolled: boolean;
  readonly activatedAt?: string | undefined;
  readonly lastVerifiedAt?: string | undefined;
  /** Set when a re-verification link was sent and not yet used. */
  readonly verificationRequestedAt?: string | undefined;
}

/** The last time this person proved who they are: a re-verification, else the activation. */
export const verifiedSince = (person: Pick<VerificationState, 'lastVerifiedAt' | 'activatedAt'>): string | undefined => person.lastVerifiedAt ?? person.activatedAt;

/**
 * Whether the last proof of identity is older than the policy allows. A verification exactly
 * `reverifyEveryDays` ago still counts (the interval is "every N days", so day N is the last good
 * one). Without any parseable timestamp we cannot show the person ever verified, so we fail closed.
 */
export function reverificationDue(person: Pick<VerificationState, 'lastVerifiedAt' | 'activatedAt'>, reverifyEveryDays: number, now: Date): boolean {
  const since = verifiedSince(person);
  const at = since === undefined ? Number.NaN : Date.parse(since);
  if (Number.isNaN(at)) return true;
  return now.getTime() - at > reverifyEveryDays * DAY_MS;
}

/** The instant the person stops counting as verified under an interval of `reverifyEveryDays`. */
export function reverificationDueAt(person: Pick<VerificationState, 'lastVerifiedAt' | 'activatedAt'>, reverifyEveryDays: number): Date | null {
  const since = verifiedSince(person);
  const at = since === undefined ? Number.NaN : Date.parse(since);
  return Number.isNaN(at) ? null : new Date(at + reverifyEveryDays * DAY_MS);
}

/** What an active external user owes under a policy: nothing, a two-step enrolment, or a re-verification. */
export type VerificationOwed = 'enrol_two_step' | 'reverify' | null;

export function verificationOwed(person: VerificationState, policy: ExternalUserPolicy, now: Date): VerificationOwed {
  if (policy.twoStepRequired && !person.twoStepEnrolled) return 'enrol_two_step';
  if (reverificationDue(person, policy.reverifyEveryDays, now)) return 'reverify';
  return null;
}

/** The latest cut-off a re-verification job may use: people verified at or before it are due. */
export const reverifyCutoff = (policy: ExternalUserPolicy, now: Date): string => new Date(now.getTime() - policy.reverifyEveryDays * DAY_MS).toISOString();

/** When a person sent a link at `requestedAt` and still unverified is suspended. */
export const graceEndsAt = (requestedAt: string): Date => new Date(Date.parse(requestedAt) + REVERIFY_GRACE_DAYS * DAY_MS);

export const POLICY_EFFECTS = ['must_enrol_two_step', 'must_reverify_now', 'loses_api_tokens'] as const;
export type PolicyEffect = (typeof POLICY_EFFECTS)[number];

/** People a policy can still affect: deactivated people have no access to lose. */
const AFFECTED_STATUSES: readonly PersonStatus[] = ['invited', 'active', 'suspended'];

/**
 * How moving one external user from `current` to `proposed` changes what they must do. Only
 * changes count: someone who already owes an enrolment under the current policy is not newly
 * affected by a proposal that keeps requiring it. Invited people have not verified yet, so a
 * shorter interval cannot make them overdue.
 */
export function policyEffects(person: VerificationState, current: ExternalUserPolicy, proposed: ExternalUserPolicy, now: Date): PolicyEffect[] {
  if (!AFFECTED_STATUSES.includes(person.status)) return [];
  const effects: PolicyEffect[] = [];
  if (proposed.twoStepRequired && !person.twoStepEnrolled && !current.twoStepRequired) effects.push('must_enrol_two_step');
  if (person.status !== 'invited' && verifiedSince(person) !== undefined) {
    const overdueNow = reverificationDue(person, current.reverifyEveryDays, now);
    if (!overdueNow && reverificationDue(person, proposed.reverifyEveryDays, now)) effects.push('must_reverify_now');
  }
  if (current.apiTokensAllowed && !proposed.apiTokensAllowed) effects.push('loses_api_tokens');
  return effects;
}

export const samePolicy = (a: ExternalUserPolicy, b: ExternalUserPolicy): boolean =>
  a.twoStepRequired === b.twoStepRequired && a.reverifyEveryDays === b.reverifyEveryDays && a.apiTokensAllowed === b.apiTokensAllowed;

/** The canonical text of a proposal, which a review token is bound to. */
export const policyFingerprint = (policy: ExternalUserPolicy, trialUserIds: readonly string[]): string =>
  JSON.stringify([policy.twoStepRequired, policy.reverifyEveryDays, policy.apiTokensAllowed, [...trialUserIds].sort()]);

/** TOTP lock-out (rule 13): this many wrong codes in a row lock verification for the period below. */
export const TWO_STEP_MAX_FAILURES = 5;
export const TWO_STEP_LOCK_MINUTES = 15;
