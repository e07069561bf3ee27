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
 *
 * Compatibility: the operations live in `groups/`; these names stay for their callers.
 */
export { MAX_GUEST_GROUP_MEMBERS, MAX_TRANSACTION_ITEMS, PROMOTION_CHUNK_MEMBERS } from '../domain/groups';
export { GroupRecord } from './entities/group';
export { addGroupMembers, type MembersAdded } from './groups/members';
export { finishPendingPromotion, type GroupOptions, type SpaceTask } from './groups/promotion';
export { getGroup, groupMemberIds, groupMembers, requireGroup } from './groups/read';
export { changeGroupRole, promoteGroup } from './groups/role';
