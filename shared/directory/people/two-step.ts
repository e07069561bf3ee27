import { mustChange } from '../../domain/lifecycle';
import { canResetTwoStep, FAILURES_BEFORE_LOCK, lockEndsAt, lockSecondsLeft } from '../../domain/two-step';
import type { Directory } from '../directory';
import { and, itemExists, or, type Condition } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { personAsRead, personIs, personKey, personUpdate, withVerificationIndex, type PersonItem } from '../entities/person';
import type { SealedSecretItem } from '../entities/sealed-secret';
import { updateOneIfAllowed, writeOneIfAllowed } from '../single';
import { commitWritesIfUnchanged, RETRY } from '../transact';
import { updateWrite } from '../writes';
import { personRetries, requirePerson } from './load';

/**
 * A person's two-step state (rule 13). Every rule that must hold under concurrency is a condition
 * of the write, never a check of what was read: a time step is accepted only if it is later than
 * the last one (so a code works once, however many requests carry it at the same moment), wrong
 * codes are counted by ADD below the limit and the limit itself locks, and nothing is recorded while
 * a lock lasts. The use case reads the person to open the secret and check the code; these writes
 * then say whether what it decided still holds.
 */

/** Not locked at `now`: no lock, or one that has ended (a lock ends exactly at its time). */
const notLockedAt = (now: Date): Condition => or(personIs.attributeNotExists('twoStepLockedUntil'), personIs.le('twoStepLockedUntil', now.toISOString()));

const notEnrolled: Condition = or(personIs.attributeNotExists('twoStepEnrolled'), personIs.eq('twoStepEnrolled', false));

/** An attribute as read: the same value, or still absent. */
const asRead = (path: 'activatedAt' | 'lastVerifiedAt' | 'verificationRequestedAt' | 'verificationCheckedAt', value: string | undefined): Condition =>
  value === undefined ? personIs.attributeNotExists(path) : personIs.eq(path, value);

/**
 * What the re-verification index keys are computed from, as read: a write that moves
 * `twoStepEnrolled` recomputes them, and must not recompute them from stale inputs.
 */
const verificationInputsAsRead = (person: PersonItem): Condition =>
  and(
    personAsRead(person),
    asRead('activatedAt', person.activatedAt),
    asRead('lastVerifiedAt', person.lastVerifiedAt),
    asRead('verificationRequestedAt', person.verificationRequestedAt),
    asRead('verificationCheckedAt', person.verificationCheckedAt),
  );

/**
 * Keeps a secret handed out for enrolment. Only while the person is not enrolled and no other
 * secret is pending: two first requests at once must not each hand out a different secret, so the
 * later one is refused (false) and shows the one stored.
 */
export async function storePendingSecret(db: Directory, siteId: string, userId: string, sealed: SealedSecretItem): Promise<boolean> {
  return writeOneIfAllowed(
    db,
    updateWrite(personKey(siteId, userId), personUpdate().set('twoStepPendingSecret', sealed), and(itemExists, notEnrolled, personIs.attributeNotExists('twoStepPendingSecret'))),
  );
}

/**
 * Records a good code of time step `step`, checked against the secret of `person` as read: the
 * pending one while enrolling (which then becomes the secret, with its audit event), else the
 * enrolled one. Clears the failures and any ended lock. False when refused: the step is not later
 * than the last accepted one (the code was used meanwhile), a lock started, or the secret changed.
 */
export async function recordGoodCode(db: Directory, person: PersonItem, step: number, now: Date): Promise<boolean> {
  const key = personKey(person.siteId, person.userId);
  const accepted = personUpdate().set('twoStepLastStep', step).remove('twoStepFailures', 'twoStepLockedUntil');
  const fresh = and(itemExists, or(personIs.attributeNotExists('twoStepLastStep'), personIs.lt('twoStepLastStep', step)), notLockedAt(now));
  if (person.twoStepEnrolled) {
    const secret = person.twoStepSecret;
    if (!secret) throw new Error('An enrolled person without a two-step secret');
    return writeOneIfAllowed(db, updateWrite(key, accepted, and(fresh, personIs.eq('twoStepEnrolled', true), personIs.eq('twoStepSecret.ciphertext', secret.ciphertext))));
  }
  const pending = person.twoStepPendingSecret;
  if (!pending) throw new Error('No pending two-step secret to enrol with');
  const next: PersonItem = { ...person, twoStepEnrolled: true };
  const enrolment = withVerificationIndex(accepted.set('twoStepSecret', pending).set('twoStepEnrolled', true).remove('twoStepPendingSecret'), next);
  return commitWritesIfUnchanged(db, [
    updateWrite(key, enrolment, and(fresh, notEnrolled, personIs.eq('twoStepPendingSecret.ciphertext', pending.ciphertext), verificationInputsAsRead(person))),
    auditWrite({ siteId: person.siteId, actor: person.userId, action: 'person.two_step_enrolled', target: person.userId, at: now.toISOString() }),
  ]);
}

export type WrongCodeRecorded = { readonly locked: false; readonly failures: number } | { readonly locked: true; readonly lockedUntil: string };

/**
 * Counts a wrong code. Below the limit it is `ADD twoStepFailures 1`, allowed only while fewer than
 * {@link FAILURES_BEFORE_LOCK} are counted; at the limit that write is refused and the lock is
 * written instead, allowed only once that many are counted (it resets the count). Each write's
 * condition is checked against the item as the previous one left it, so wrong codes arriving
 * together are counted one by one and the one that reaches the limit locks, whatever their order.
 */
export async function recordWrongCode(db: Directory, siteId: string, userId: string, now: Date): Promise<WrongCodeRecorded> {
  const key = personKey(siteId, userId);
  return personRetries(async () => {
    const counted = await updateOneIfAllowed(
      db,
      updateWrite(
        key,
        personUpdate().add('twoStepFailures', 1),
        and(itemExists, or(personIs.attributeNotExists('twoStepFailures'), personIs.lt('twoStepFailures', FAILURES_BEFORE_LOCK)), notLockedAt(now)),
      ),
    );
    if (counted) return { locked: false, failures: Number(counted.twoStepFailures) };
    const lockedUntil = lockEndsAt(now).toISOString();
    const locked = await writeOneIfAllowed(
      db,
      updateWrite(key, personUpdate().set('twoStepLockedUntil', lockedUntil).remove('twoStepFailures'), and(itemExists, personIs.ge('twoStepFailures', FAILURES_BEFORE_LOCK), notLockedAt(now))),
    );
    if (locked) return { locked: true, lockedUntil };
    // Neither held: another request locked first (then this code is refused by that lock) or a good
    // code reset the count (then this one is counted afresh).
    const current = await requirePerson(db, siteId, userId);
    if (current.twoStepLockedUntil !== undefined && lockSecondsLeft(current.twoStepLockedUntil, now) > 0) return { locked: true, lockedUntil: current.twoStepLockedUntil };
    return RETRY;
  });
}

/** The person without any two-step state: what an admin's reset leaves. */
function withoutTwoStep(person: PersonItem): PersonItem {
  const { twoStepSecret: _secret, twoStepPendingSecret: _pending, twoStepLastStep: _step, twoStepFailures: _failures, twoStepLockedUntil: _lock, ...rest } = person;
  return { ...rest, twoStepEnrolled: false };
}

/**
 * An admin's reset, for someone who lost their authenticator: the secret, a pending one, the last
 * step, the failures and any lock go, and the person enrols afresh next time. Audited in the same
 * transaction; conditioned on the state it was decided from, so it re-reads if that changed.
 */
export async function resetTwoStepEnrolment(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  return personRetries(async () => {
    const person = await requirePerson(db, siteId, userId);
    if (!mustChange(canResetTwoStep(person))) return person;
    const next = withoutTwoStep(person);
    const reset = withVerificationIndex(
      personUpdate().set('twoStepEnrolled', false).remove('twoStepSecret', 'twoStepPendingSecret', 'twoStepLastStep', 'twoStepFailures', 'twoStepLockedUntil'),
      next,
    );
    const committed = await commitWritesIfUnchanged(db, [
      updateWrite(personKey(siteId, userId), reset, and(itemExists, person.twoStepEnrolled ? personIs.eq('twoStepEnrolled', true) : notEnrolled, verificationInputsAsRead(person))),
      auditWrite({
        siteId,
        actor,
        action: 'person.two_step_reset',
        target: userId,
        at: now,
        details: { before: { twoStepEnrolled: person.twoStepEnrolled, locked: person.twoStepLockedUntil !== undefined }, after: { twoStepEnrolled: false } },
      }),
    ]);
    return committed ? next : RETRY;
  });
}
