import { notFound } from '../../domain/errors';
import { guestGroupJoinRefusal, planJoinChunks, removedJoinersRefusal } from '../../domain/groups';
import { isPaidRole } from '../../domain/people';
import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { groupIs, groupKey, groupUpdate, noPendingPromotion, type GroupRecord } from '../entities/group';
import { membershipWrite } from '../entities/membership';
import { personIs, personKey, personUpdate, type PersonItem } from '../entities/person';
import { promotionWrites } from '../people/promotion';
import { requireSite } from '../sites';
import { commitWritesIfUnchanged, RETRY } from '../transact';
import { updateWrite, type Write } from '../writes';
import { finishPendingPromotion, groupRetries, type GroupOptions, type SpaceTask } from './promotion';
import { formerPaidUserIds, readPeople, requireGroup } from './read';

export interface MembersAdded {
  readonly group: GroupRecord;
  /** The people who joined (already-members skipped). */
  readonly added: string[];
  /** Guests who became paid by joining a paid group. */
  readonly promoted: string[];
  /** Waiting space-assignment tasks of the promoted: the caller completes them. */
  readonly spaceTasks: SpaceTask[];
}

/**
 * `POST …/groups/{groupId}/members`. Every user must be a person of the site (404 before anything
 * is written). Already-members are skipped. A guest joining a paid group becomes paid in the same
 * transaction as the join; nobody becomes a guest by joining, so a current or former paid user
 * joining a guest group is refused (`paid_user_conversion_forbidden`, naming them) and nothing is
 * added. That holds against a concurrent role change: the join is guarded on the group's role as
 * read and adds to its member count, which a change to the guest role is guarded on, so whichever
 * commits second decides again and sees the other. A removed person joins no group. Each transaction carries one
 * `group.members_added` event. A request that needs more items than one transaction holds (many
 * guests joining a paid group) is split into several, each complete in itself with its own event;
 * if one fails, calling again adds the rest (already-members are skipped).
 */
export async function addGroupMembers(
  db: Directory,
  siteId: string,
  groupId: string,
  userIds: readonly string[],
  actor: string,
  now: string,
  options: GroupOptions = {},
): Promise<MembersAdded> {
  const wanted = [...new Set(userIds)];
  const added: string[] = [];
  const promoted: string[] = [];
  const spaceTasks: SpaceTask[] = [];
  await groupRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    const [site, people] = await Promise.all([requireSite(db, siteId), readPeople(db, siteId, wanted)]);
    const byId = new Map(people.map((person) => [person.userId, person]));
    const missing = wanted.filter((userId) => !byId.has(userId));
    if (missing.length > 0) throw notFound(`The user ${missing.join(', ')}`);
    const joining = wanted.map((userId) => byId.get(userId)!).filter((person) => !person.groups.includes(groupId));
    if (joining.length === 0) return undefined;
    const removed = removedJoinersRefusal(joining);
    if (removed) throw removed;
    // Rules 3 and 7: nobody paid joins a guest group. Refused before anything is written.
    const guestGroup = group.role === 'guest';
    if (guestGroup) {
      const formerPaid = joining.some((person) => person.kind === 'paid') ? new Set<string>() : await formerPaidUserIds(db, siteId, joining);
      const refusal = guestGroupJoinRefusal(joining.map((person) => ({ userId: person.userId, kind: person.kind, formerPaid: formerPaid.has(person.userId) })));
      if (refusal) throw refusal;
    }

    const paidGroup = isPaidRole(group.role);
    const promotes = (person: PersonItem) => paidGroup && person.kind === 'guest';
    for (const chunk of planJoinChunks(joining, promotes)) {
      const writes: Write[] = [
        // The role decides who is promoted, so it must still be the one we read.
        updateWrite(groupKey(siteId, groupId), groupUpdate().add('memberCount', chunk.length), and(groupIs.eq('role', group.role), noPendingPromotion)),
      ];
      for (const person of chunk) {
        writes.push(membershipWrite(siteId, groupId, person.userId, { onlyNew: true }));
        // The person's group list as read guards against a concurrent join of the same person; a
        // guest group's joiner must still be a guest (a promotion meanwhile makes it decide again).
        const join = {
          update: personUpdate().appendToList('groups', [groupId]),
          condition: and(personIs.eq('groups', person.groups), personIs.ne('status', 'removed'), guestGroup ? personIs.eq('kind', 'guest') : undefined),
        };
        if (promotes(person)) writes.push(...promotionWrites({ person, site }, actor, now, `joined_group:${groupId}`, join));
        else writes.push(updateWrite(personKey(siteId, person.userId), join.update, join.condition));
      }
      const chunkPromoted = chunk.filter(promotes).map((person) => person.userId);
      writes.push(
        auditWrite({
          siteId,
          actor,
          action: 'group.members_added',
          target: groupId,
          at: now,
          details: { role: group.role, userIds: chunk.map((person) => person.userId), promoted: chunkPromoted },
        }),
      );
      if (!(await commitWritesIfUnchanged(db, writes))) return RETRY;
      added.push(...chunk.map((person) => person.userId));
      promoted.push(...chunkPromoted);
      for (const person of chunk) {
        if (promotes(person) && person.spaceTaskToken) spaceTasks.push({ userId: person.userId, taskToken: person.spaceTaskToken });
      }
    }
    return undefined;
  });
  return { group: await requireGroup(db, siteId, groupId), added, promoted, spaceTasks };
}
