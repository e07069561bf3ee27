import * as z from 'zod/mini';
import { and, conditionsOn, itemAbsent, itemExists, update } from '../expressions';
import { sitePartition, type Key } from '../key';
import { putWrite, updateWrite, type Write } from '../writes';
import { AppRoleValue } from './person';

export const GROUP_TYPE = 'group';
export const GROUP_PREFIX = 'GROUP#';

export const groupKey = (siteId: string, groupId: string): Key => ({ pk: sitePartition(siteId), sk: `${GROUP_PREFIX}${groupId}` });

export const GroupItem = z.object({
  siteId: z.string(),
  groupId: z.string(),
  name: z.string(),
  role: AppRoleValue,
  memberCount: z.int(),
  createdAt: z.string(),
  /** Set while a promotion of the group's members is under way (or was interrupted and will resume). */
  pendingPromotion: z.optional(z.boolean()),
});
export type GroupItem = z.infer<typeof GroupItem>;

/** The group item as stored, with the bookkeeping of an unfinished promotion. */
export const GroupRecord = z.extend(GroupItem, {
  /** Who started the pending promotion and why; resumed promotions are recorded in their name. */
  promotionStartedBy: z.optional(z.string()),
  promotionReason: z.optional(z.string()),
  /**
   * Waiting AwaitSpaceAssignment tokens of members the pending promotion made paid, by userId. They
   * are kept with the batch so a crash after a chunk cannot lose them; they are completed before
   * the mark is cleared.
   */
  spaceTasks: z.optional(z.record(z.string(), z.string())),
  updatedAt: z.optional(z.string()),
});
export type GroupRecord = z.infer<typeof GroupRecord>;

export const groupUpdate = () => update<GroupRecord>();
export const groupIs = conditionsOn<GroupRecord>();

export const newGroupWrite = (group: GroupItem): Write => putWrite(groupKey(group.siteId, group.groupId), { type: GROUP_TYPE, ...group }, itemAbsent);

/** Member count change of an invite, guarded by the role the invitee was classified with. */
export const inviteMemberCountWrite = (siteId: string, group: Pick<GroupItem, 'groupId' | 'role'>, by: number): Write =>
  updateWrite(groupKey(siteId, group.groupId), groupUpdate().add('memberCount', by), and(itemExists, groupIs.eq('role', group.role)));

/** A member left: the count drops whatever the group's state. */
export const leaveMemberCountWrite = (siteId: string, groupId: string): Write => updateWrite(groupKey(siteId, groupId), groupUpdate().add('memberCount', -1), itemExists);

/** No promotion of the group is under way or waiting to resume. */
export const noPendingPromotion = groupIs.attributeNotExists('pendingPromotion');
export const promotionPending = groupIs.eq('pendingPromotion', true);
