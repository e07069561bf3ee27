import { sitePartition, type Key } from '../key';
import { deleteWrite, putWrite, type Write } from '../writes';
import { itemAbsent } from '../expressions';

/** One per (group, person): lets a group's members be queried without reading every person. */
export const MEMBERSHIP_TYPE = 'membership';

export const membershipPrefix = (groupId: string) => `MEMBER#${groupId}#`;
export const membershipKey = (siteId: string, groupId: string, userId: string): Key => ({ pk: sitePartition(siteId), sk: `${membershipPrefix(groupId)}${userId}` });

export const membershipWrite = (siteId: string, groupId: string, userId: string, options: { onlyNew?: boolean } = {}): Write =>
  putWrite(membershipKey(siteId, groupId, userId), { type: MEMBERSHIP_TYPE, groupId, userId }, options.onlyNew ? itemAbsent : undefined);

export const leaveGroupWrite = (siteId: string, groupId: string, userId: string): Write => deleteWrite(membershipKey(siteId, groupId, userId));
