import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { invitationIs, invitationKey } from '../entities/invitation';
import { PersonItem, personIndexKeys, personIs, personKey, personUpdate, withVerificationIndex } from '../entities/person';
import { readItem } from '../reads';
import { commitWrites, TransactionRefused } from '../transact';
import { checkWrite, updateWrite } from '../writes';

/** Reads again when the person changed between our read and the write (a promotion, say). */
const MAX_ACTIVATION_ATTEMPTS = 5;

/**
 * Activation: the end of onboarding, once the invitation is accepted. The status index key is
 * computed from the kind as read, so the write is guarded on that kind too: a person promoted
 * meanwhile is read again and activated as paid.
 */
export async function activatePerson(db: Directory, siteId: string, userId: string, invitationId: string, now: string): Promise<PersonItem | null> {
  for (let attempt = 0; attempt < MAX_ACTIVATION_ATTEMPTS; attempt++) {
    const person = await readItem(db, personKey(siteId, userId), PersonItem);
    if (!person) return null;
    if (person.status !== 'invited') return person;
    const next: PersonItem = { ...person, status: 'active', activatedAt: now };
    delete next.spaceTaskToken;
    let activation = personUpdate().set('status', 'active').set('activatedAt', now);
    // The status index key moves with the status.
    const { gsi2pk } = personIndexKeys(next);
    if (gsi2pk) activation = activation.set('gsi2pk', gsi2pk);
    activation = withVerificationIndex(activation, next);
    try {
      await commitWrites(db, [
        updateWrite(personKey(siteId, userId), activation.remove('spaceTaskToken'), and(personIs.eq('status', 'invited'), personIs.eq('kind', person.kind))),
        checkWrite(invitationKey(siteId, invitationId), invitationIs.eq('status', 'accepted')),
        auditWrite({ siteId, actor: 'workflow', action: 'person.activated', target: userId, at: now, details: { invitationId, kind: person.kind, spaceKey: person.spaceKey ?? null } }),
      ]);
      return next;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      // Only a person still invited under another kind is worth another try; anything else is final.
      if (!error.failedIndexes.includes(0) || error.failedIndexes.includes(1)) return readItem(db, personKey(siteId, userId), PersonItem);
    }
  }
  return readItem(db, personKey(siteId, userId), PersonItem);
}
