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

/** The space is read only when it matters: the assignment's own write checks it exists. */
async function requireLiveSpace(db: Directory, siteId: string, key: string): Promise<void> {
  const space = await readItem(db, spaceKey(siteId, key), SpaceItem);
  if (!space || space.deleting) throw notFound(`The space ${key}`);
}

/** Rule 8: a guest has at most one space; assigning replaces the earlier one. */
export async function assignSpace(db: Directory, siteId: string, userId: string, spaceKeyValue: string, actor: string, now: string): Promise<PersonItem> {
  return decideAndCommit(
    async () => {
      const person = await readItem(db, personKey(siteId, userId), PersonItem);
      if (!person) throw notFound('The person');
      if (!mustChange(canAssignSpace(person, spaceKeyValue))) {
        await requireLiveSpace(db, siteId, spaceKeyValue);
        return person;
      }
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
            // The waiting task's token as read: one stored meanwhile refuses this write, and the
            // retry reads it, so the assignment completes the task instead of leaving it waiting.
            person.spaceTaskToken === undefined ? personIs.attributeNotExists('spaceTaskToken') : personIs.eq('spaceTaskToken', person.spaceTaskToken),
          ),
        ),
        spaceGuestCountWrite(siteId, spaceKeyValue, +1),
        ...(person.spaceKey ? [spaceGuestCountWrite(siteId, person.spaceKey, -1)] : []),
        auditWrite({ siteId, actor, action: 'guest.space_assigned', target: userId, at: now, details: { before: person.spaceKey ?? null, after: spaceKeyValue } }),
      ]);
      if (committed) return next;
      // The space's count write is conditioned on a live space: a refusal may mean it is gone.
      await requireLiveSpace(db, siteId, spaceKeyValue);
      return RETRY;
    },
    'guest',
    MAX_ASSIGN_ATTEMPTS,
  );
}
