import { AppError } from './errors';
import { isExternal, policyFor, TWO_STEP_LOCK_MINUTES, TWO_STEP_MAX_FAILURES, type ExternalUserPolicy, type PolicyTrial } from './external';
import type { Decision } from './lifecycle';
import type { Kind } from './vocabulary';

/**
 * Two-step verification (rule 13): who must pass it, the lock-out after wrong codes, and how each
 * refusal is put to the person. Pure: the directory records codes with conditional writes, and
 * these rules read what it found.
 */

export interface TwoStepSite {
  readonly externalUserPolicy: ExternalUserPolicy;
  readonly policyTrial?: PolicyTrial | undefined;
  readonly verifiedDomains: readonly string[];
}

/** Two-step is owed by an external person whose policy (the trial's or the site's) requires it. */
export const twoStepRequiredFor = (site: TwoStepSite, person: { readonly userId: string; readonly kind: Kind; readonly email: string }): boolean =>
  policyFor(site, person.userId).twoStepRequired && isExternal(person, site.verifiedDomains);

const MINUTE_MS = 60_000;

/** The lock a wrong code that locks starts, from `now`. */
export const lockEndsAt = (now: Date): Date => new Date(now.getTime() + TWO_STEP_LOCK_MINUTES * MINUTE_MS);

/** Whole seconds until the lock ends, rounded up; 0 when not locked. A lock ends exactly at `lockedUntil`. */
export function lockSecondsLeft(lockedUntil: string | undefined, now: Date): number {
  if (lockedUntil === undefined) return 0;
  const until = Date.parse(lockedUntil);
  if (Number.isNaN(until)) return 0;
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000));
}

/**
 * Wrong codes already counted at which the next wrong code locks instead of being counted: the
 * directory adds a failure only below this, and locks only at or above it.
 */
export const FAILURES_BEFORE_LOCK = TWO_STEP_MAX_FAILURES - 1;

/** Wrong codes a person may still enter before the lock, after `failures` in a row. */
export const attemptsLeft = (failures: number): number => Math.max(0, TWO_STEP_MAX_FAILURES - failures);

/** An admin's reset (the person lost their authenticator): nothing to do when there is no two-step state at all. */
export function canResetTwoStep(person: {
  readonly twoStepEnrolled: boolean;
  readonly twoStepSecret?: unknown;
  readonly twoStepPendingSecret?: unknown;
  readonly twoStepLastStep?: number | undefined;
  readonly twoStepFailures?: number | undefined;
  readonly twoStepLockedUntil?: string | undefined;
}): Decision {
  const anything =
    person.twoStepEnrolled ||
    [person.twoStepSecret, person.twoStepPendingSecret, person.twoStepLastStep, person.twoStepFailures, person.twoStepLockedUntil].some((value) => value !== undefined);
  return anything ? 'change' : 'unchanged';
}

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

/**
 * - `locked`: too many wrong codes; nothing is checked until the lock ends;
 * - `code_required`: enrolled, and no code given;
 * - `wrong_code` / `code_reused`: a code that is not the current one, or one already accepted;
 * - `not_enrolling`: a code for an enrolment that was never started (no secret handed out).
 */
export type TwoStepRefusalReason = 'locked' | 'code_required' | 'wrong_code' | 'code_reused' | 'not_enrolling';

/** A refusal of two-step verification; pages show each reason their own way. */
export class TwoStepRefusal extends AppError {
  constructor(
    readonly reason: TwoStepRefusalReason,
    code: 'validation_failed' | 'rate_limited',
    message: string,
    details: Record<string, unknown>,
    retryAfterSeconds?: number,
  ) {
    super(code, message, details, retryAfterSeconds);
  }
}

const CODE_FIELD = 'body.totpCode';
const codeIssue = (message: string) => ({ issues: [{ path: CODE_FIELD, message }] });

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

export function lockedOut(secondsLeft: number): TwoStepRefusal {
  const minutes = Math.max(1, Math.ceil(secondsLeft / 60));
  return new TwoStepRefusal(
    'locked',
    'rate_limited',
    `After ${TWO_STEP_MAX_FAILURES} wrong codes in a row, two-step verification is locked for ${TWO_STEP_LOCK_MINUTES} minutes. Try again in ${plural(minutes, 'minute')}.`,
    { lockedForSeconds: secondsLeft },
    secondsLeft,
  );
}

export const codeRequired = (): TwoStepRefusal =>
  new TwoStepRefusal('code_required', 'validation_failed', 'Enter the 6-digit code from your authenticator app.', codeIssue('Enter the 6-digit code from your authenticator app'));

export const notEnrolling = (): TwoStepRefusal =>
  new TwoStepRefusal(
    'not_enrolling',
    'validation_failed',
    'Two-step enrolment has not started: send the request without a code first to get the secret for your authenticator app.',
    codeIssue('No enrolment has been started, so no code can match yet'),
  );

/** What to tell someone whose code was refused, with what is left before the lock. */
export function wrongCodeMessage(reason: 'wrong_code' | 'code_reused', left: number): string {
  const what = reason === 'code_reused' ? 'That code was already used. Wait for the next code in your authenticator app.' : 'That code is not right. Check that you entered the current code for this site.';
  const remaining = left > 0 ? ` ${plural(left, 'attempt')} left before a ${TWO_STEP_LOCK_MINUTES}-minute lock.` : '';
  return `${what}${remaining}`;
}

export function codeRefused(reason: 'wrong_code' | 'code_reused', failures: number): TwoStepRefusal {
  const left = attemptsLeft(failures);
  const message = wrongCodeMessage(reason, left);
  return new TwoStepRefusal(reason, 'validation_failed', message, { ...codeIssue(reason === 'code_reused' ? 'This code was already used' : 'Not the current code'), attemptsLeft: left });
}
