import { canUnassignSpace, mustChange } from '../../domain/lifecycle';
import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { guestsBySpacePartition, personIs, personKey, personUpdate, type PersonItem } from '../entities/person';
import { spaceGuestCountWrite } from '../entities/space';
import { commitWritesIfUnchanged, RETRY } from '../transact';
import { updateWrite } from '../writes';
import { loadPerson, personRetries } from './load';

export async function unassignSpace(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  return personRetries(async () => {
    const { person } = await loadPerson(db, siteId, userId);
    if (!mustChange(canUnassignSpace(person)) || !person.spaceKey) return person;
    const next: PersonItem = { ...person };
    delete next.spaceKey;
    const committed = await commitWritesIfUnchanged(db, [
      updateWrite(
        personKey(siteId, userId),
        personUpdate().set('gsi3pk', guestsBySpacePartition(siteId, undefined)).remove('spaceKey'),
        and(personIs.eq('kind', 'guest'), personIs.eq('spaceKey', person.spaceKey)),
      ),
      spaceGuestCountWrite(siteId, person.spaceKey, -1),
      auditWrite({ siteId, actor, action: 'guest.space_unassigned', target: userId, at: now, details: { before: person.spaceKey, after: null } }),
    ]);
    return committed ? next : RETRY;
  });
}
