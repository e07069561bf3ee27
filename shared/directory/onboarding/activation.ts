import type { Directory } from '../directory';
import { auditWrite } from '../entities/audit-event';
import { invitationIs, invitationKey } from '../entities/invitation';
import { PersonItem, personIndexKeys, personIs, personKey, personUpdate, withVerificationIndex } from '../entities/person';
import { readItem } from '../reads';
import { commitWrites, TransactionRefused } from '../transact';
import { checkWrite, updateWrite } from '../writes';

/** Activation: the end of onboarding, once the invitation is accepted. */
export async function activatePerson(db: Directory, siteId: string, userId: string, invitationId: string, now: string): Promise<PersonItem | null> {
  const person = await readItem(db, personKey(siteId, userId), PersonItem);
  if (!person) return null;
  if (person.status !== 'invited') return person;
  const next: PersonItem = { ...person, status: 'active', activatedAt: now };
  delete next.spaceTaskToken;
  let activation = personUpdate().set('status', 'active').set('activatedAt', now);
  // Only guests carry the status index key; it moves with the status.
  if (person.kind === 'guest') activation = activation.set('gsi2pk', personIndexKeys(next).gsi2pk);
  activation = withVerificationIndex(activation, next);
  try {
    await commitWrites(db, [
      updateWrite(personKey(siteId, userId), activation.remove('spaceTaskToken'), personIs.eq('status', 'invited')),
      checkWrite(invitationKey(siteId, invitationId), invitationIs.eq('status', 'accepted')),
      auditWrite({ siteId, actor: 'workflow', action: 'person.activated', target: userId, at: now, details: { invitationId, kind: person.kind, spaceKey: person.spaceKey ?? null } }),
    ]);
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    return readItem(db, personKey(siteId, userId), PersonItem);
  }
  return next;
}
