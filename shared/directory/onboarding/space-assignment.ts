import { notFound } from '../../domain/errors';
import { canAssignSpace, mustChange } from '../../domain/lifecycle';
import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { guestsBySpacePartition, PersonItem, personIs, personKey, personUpdate } from '../entities/person';
import { spaceGuestCountWrite, SpaceItem, spaceKey } from '../entities/space';
import { readItem } from '../reads';
import { commitWritesIfUnchanged, decideAndCommit, RETRY } from '../transact';
import { updateWrite } from '../writes';

const MAX_ASSIGN_ATTEMPTS = 5;

/** Rule 8: a guest has at most one space; assigning replaces the earlier one. */
export async function assignSpace(db: Directory, siteId: string, userId: string, spaceKeyValue: string, actor: string, now: string): Promise<PersonItem> {
  return decideAndCommit(
    async () => {
      const [person, space] = await Promise.all([readItem(db, personKey(siteId, userId), PersonItem), readItem(db, spaceKey(siteId, spaceKeyValue), SpaceItem)]);
      if (!person) throw notFound('The person');
      if (!space || space.deleting) throw notFound(`The space ${spaceKeyValue}`);
      if (!mustChange(canAssignSpace(person, spaceKeyValue))) return person;
      const next: PersonItem = { ...person, spaceKey: spaceKeyValue };
      const committed = await commitWritesIfUnchanged(db, [
        updateWrite(
          personKey(siteId, userId),
          personUpdate().set('spaceKey', spaceKeyValue).set('gsi3pk', guestsBySpacePartition(siteId, spaceKeyValue)),
          // Conditioned on the space we read, so two concurrent assignments never skew space counts.
          and(
            personIs.eq('kind', 'guest'),
            person.spaceKey ? personIs.eq('spaceKey', person.spaceKey) : personIs.attributeNotExists('spaceKey'),
            personIs.ne('status', 'deactivated'),
            personIs.ne('status', 'removed'),
          ),
        ),
        spaceGuestCountWrite(siteId, spaceKeyValue, +1),
        ...(person.spaceKey ? [spaceGuestCountWrite(siteId, person.spaceKey, -1)] : []),
        auditWrite({ siteId, actor, action: 'guest.space_assigned', target: userId, at: now, details: { before: person.spaceKey ?? null, after: spaceKeyValue } }),
      ]);
      return committed ? next : RETRY;
    },
    'guest',
    MAX_ASSIGN_ATTEMPTS,
  );
}
