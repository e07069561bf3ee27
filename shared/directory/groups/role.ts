import { guestGroupRefusal } from '../../domain/groups';
import { isPaidRole } from '../../domain/people';
import type { AppRole } from '../../domain/vocabulary';
import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { groupIs, groupKey, groupUpdate, noPendingPromotion, type GroupRecord } from '../entities/group';
import { personIs, personKey } from '../entities/person';
import { commitWritesIfUnchanged, RETRY } from '../transact';
import { checkWrite, updateWrite, type Write } from '../writes';
import { finishPendingPromotion, groupRetries, toPaidRole, type GroupOptions } from './promotion';
import { formerPaidUserIds, groupMembers, requireGroup } from './read';

/**
 * Group roles and membership (rules 1, 3, 7, 10).
 *
 * - A group becomes a guest group only if none of its members is a current or former paid user;
 *   the change is one transaction conditioned on the group and on every member still being a
 *   guest, so a member promoted (or added) concurrently makes it fail and re-check.
 * - A group that gets a paid role turns every guest member into a paid user. That may be more
 *   people than one transaction holds, so it is a recoverable batch: the role change marks the
 *   group `pendingPromotion` (in the same transaction as its audit event), members are promoted in
 *   chunks that each require the mark, and the mark is cleared once no guest member is left. Work
 *   cut short (a crash, a timeout, a refused chunk) stays visible on the group, and the next role
 *   change, promotion or member addition on that group finishes it before doing anything else.
 *   While the mark is set no invite can add a guest to the group (invites are conditioned on the
 *   group's role as they read it) and additions wait for the batch, so the sweep cannot miss anyone.
 * - Joining a paid group makes a guest paid in the joining transaction; joining never makes anyone
 *   a guest.
 */

/**
 * `PUT …/groups/{groupId}/role`. A pending promotion of the group is finished first. To `guest`:
 * refused with `paid_user_conversion_forbidden` when any member is a current or former paid user.
 * To `user`/`app-admin`: every guest member becomes paid. To `none`: only the role changes.
 * One `group.role_changed` event per change (nothing is written when the role is already that).
 */
export async function changeGroupRole(
  db: Directory,
  siteId: string,
  groupId: string,
  role: AppRole,
  actor: string,
  now: string,
  options: GroupOptions = {},
): Promise<GroupRecord> {
  if (isPaidRole(role)) {
    return toPaidRole(db, siteId, groupId, () => role, { action: 'group.role_changed', reason: `group_role_changed:${groupId}`, sweepUnchanged: false }, actor, now, options);
  }
  if (role === 'guest') return toGuestRole(db, siteId, groupId, actor, now, options);
  return groupRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    if (group.role === role) return group;
    const changed = await commitWritesIfUnchanged(db, [
      roleWrite(group, role, now),
      auditWrite({ siteId, actor, action: 'group.role_changed', target: groupId, at: now, details: { before: { role: group.role }, after: { role } } }),
    ]);
    return changed ? { ...group, role, updatedAt: now } : RETRY;
  });
}

/** The group's role change, guarded on the group as read: its role, its member count, no pending promotion. */
function roleWrite(group: GroupRecord, role: AppRole, now: string): Write {
  return updateWrite(
    groupKey(group.siteId, group.groupId),
    groupUpdate().set('role', role).set('updatedAt', now),
    and(groupIs.eq('role', group.role), groupIs.eq('memberCount', group.memberCount), noPendingPromotion),
  );
}

/**
 * Rule 3 for groups: a guest group may hold no current or former paid user. Paid members are seen
 * on the people, former paid ones by their address markers; the change is one transaction that
 * also checks every member is still a guest and the member count is unchanged, so a member
 * promoted or added meanwhile makes it re-check instead of slipping through.
 */
async function toGuestRole(db: Directory, siteId: string, groupId: string, actor: string, now: string, options: GroupOptions): Promise<GroupRecord> {
  return groupRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    if (group.role === 'guest') return group;
    const members = await groupMembers(db, siteId, groupId);
    const formerPaid = members.some((person) => person.kind === 'paid') ? new Set<string>() : await formerPaidUserIds(db, siteId, members);
    const refusal = guestGroupRefusal(members.map((person) => ({ userId: person.userId, kind: person.kind, formerPaid: formerPaid.has(person.userId) })));
    if (refusal) throw refusal;
    const changed = await commitWritesIfUnchanged(db, [
      roleWrite(group, 'guest', now),
      ...members.map((person) => checkWrite(personKey(siteId, person.userId), personIs.eq('kind', 'guest'))),
      auditWrite({ siteId, actor, action: 'group.role_changed', target: groupId, at: now, details: { before: { role: group.role }, after: { role: 'guest' }, members: members.length } }),
    ]);
    return changed ? { ...group, role: 'guest' as const, updatedAt: now } : RETRY;
  });
}

/**
 * `POST …/groups/{groupId}/promote`: the group gets the User role (an App admin group keeps its
 * role, which is paid already) and every member becomes paid, as a recoverable batch. One
 * `group.promoted` event; nothing is written when the group is paid and has no guest member.
 */
export async function promoteGroup(db: Directory, siteId: string, groupId: string, actor: string, now: string, options: GroupOptions = {}): Promise<GroupRecord> {
  return toPaidRole(
    db,
    siteId,
    groupId,
    (group) => (isPaidRole(group.role) ? group.role : 'user'),
    { action: 'group.promoted', reason: `group_promoted:${groupId}`, sweepUnchanged: true },
    actor,
    now,
    options,
  );
}
