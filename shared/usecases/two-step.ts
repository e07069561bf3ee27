import { codeRefused, codeRequired, lockedOut, lockSecondsLeft, notEnrolling } from '../domain/two-step';
import type { Directory } from '../directory/directory';
import type { PersonItem } from '../directory/entities/person';
import type { SiteItem } from '../directory/entities/site';
import { requirePerson } from '../directory/people/load';
import { recordGoodCode, recordWrongCode, resetTwoStepEnrolment, storePendingSecret } from '../directory/people/two-step';
import type { SealContext, SecretSealer } from '../security/sealing';
import { checkTotp, newTotpSecret, otpauthUrl } from '../security/totp';

/**
 * Two-step verification (rule 13) for every flow that asks for it: accepting an invitation and
 * re-verifying. The secret is opened only to check a code or to hand out an enrolment that is not
 * complete; it is never logged, and never returned once the person is enrolled.
 */
export interface TwoStepDeps {
  readonly db: Directory;
  readonly sealer: SecretSealer;
}

export type TwoStepOutcome =
  /** No code given and not enrolled: the pending secret, handed out (again) for the authenticator app. */
  | { kind: 'enrolment'; otpauthUrl: string; secret: string }
  /** A valid code was given and recorded; `enrolled`: this call completed an enrolment. */
  | { kind: 'passed'; enrolled: boolean };

const contextOf = (person: PersonItem): SealContext => ({ siteId: person.siteId, userId: person.userId });

/**
 * Passes `person` through two-step verification with `code`, as read in `person`. Refusals are
 * `TwoStepRefusal`s: locked (429, `retry-after` the seconds left), a code missing once enrolled,
 * a wrong or reused code (400 naming `body.totpCode`, with `attemptsLeft`; it counts towards the
 * lock). Whether a good code is recorded, and whether a wrong one locks, is decided by the
 * directory's conditional writes, so parallel requests cannot use one code twice or skip the lock.
 */
export async function passTwoStep(deps: TwoStepDeps, input: { site: SiteItem; person: PersonItem; code: string | undefined; now: Date }): Promise<TwoStepOutcome> {
  return passAsRead(deps, input, REREADS);
}

/** Times a good code is checked again on a fresh read when its write was refused for another reason than reuse or a lock. */
const REREADS = 2;

async function passAsRead(deps: TwoStepDeps, input: { site: SiteItem; person: PersonItem; code: string | undefined; now: Date }, rereads: number): Promise<TwoStepOutcome> {
  const { site, person, code, now } = input;
  const lockLeft = lockSecondsLeft(person.twoStepLockedUntil, now);
  if (lockLeft > 0) throw lockedOut(lockLeft);
  if (code === undefined) {
    if (person.twoStepEnrolled) throw codeRequired();
    const secret = await pendingSecret(deps, person);
    return { kind: 'enrolment', otpauthUrl: otpauthUrl(secret, site.name, person.email), secret };
  }
  const sealed = person.twoStepEnrolled ? person.twoStepSecret : person.twoStepPendingSecret;
  if (!sealed) {
    if (person.twoStepEnrolled) throw new Error('An enrolled person has no two-step secret');
    throw notEnrolling();
  }
  const secret = await deps.sealer.open(sealed, contextOf(person));
  const step = checkTotp(secret, code, now, person.twoStepLastStep);
  if (step !== null) {
    if (await recordGoodCode(deps.db, person, step, now)) return { kind: 'passed', enrolled: !person.twoStepEnrolled };
    // Refused: the step was accepted meanwhile (a parallel request with the same code), a lock
    // started, or the person changed otherwise (an enrolment elsewhere, an admin's reset). Only
    // the last is decided again, on what the person is now; the first two count as below.
    const current = await requirePerson(deps.db, person.siteId, person.userId);
    const stepTaken = current.twoStepLastStep !== undefined && current.twoStepLastStep >= step;
    if (!stepTaken && lockSecondsLeft(current.twoStepLockedUntil, now) === 0 && rereads > 0) return passAsRead(deps, { ...input, person: current }, rereads - 1);
  }
  // A code of a step already accepted (before, or a moment ago by a parallel request) reads as used.
  const reused = step !== null || checkTotp(secret, code, now, undefined) !== null;
  const counted = await recordWrongCode(deps.db, person.siteId, person.userId, now);
  if (counted.locked) throw lockedOut(lockSecondsLeft(counted.lockedUntil, now));
  throw codeRefused(reused ? 'code_reused' : 'wrong_code', counted.failures);
}

/**
 * The secret of an enrolment in progress: the one already handed out, or a new one. Two first
 * requests at once store one secret between them; the other shows the stored one.
 */
async function pendingSecret(deps: TwoStepDeps, person: PersonItem): Promise<string> {
  const context = contextOf(person);
  if (person.twoStepPendingSecret) return deps.sealer.open(person.twoStepPendingSecret, context);
  const secret = newTotpSecret();
  if (await storePendingSecret(deps.db, person.siteId, person.userId, await deps.sealer.seal(secret, context))) return secret;
  const current = await requirePerson(deps.db, person.siteId, person.userId);
  // Enrolled meanwhile (by a code for the stored secret): from now on only a code will do.
  if (current.twoStepEnrolled) throw codeRequired();
  // Stored by the other request, or (rarely) already reset by an admin: then start over.
  return current.twoStepPendingSecret ? deps.sealer.open(current.twoStepPendingSecret, context) : pendingSecret(deps, current);
}

/** An admin's reset of a person's two-step enrolment (lost authenticator, or a lock to lift); audited. 404 for an unknown user. */
export async function resetTwoStep(db: Directory, siteId: string, userId: string, actor: string, now: Date): Promise<PersonItem> {
  return resetTwoStepEnrolment(db, siteId, userId, actor, now.toISOString());
}
