import { notFound } from '../../domain/errors';
import type { Directory } from '../directory';
import { and, conditionsOn } from '../expressions';
import { formerPaidKeyOf } from '../entities/former-paid';
import { GroupRecord, groupKey } from '../entities/group';
import { membershipPrefix } from '../entities/membership';
import { PersonItem, personKey } from '../entities/person';
import { sitePartition } from '../key';
import { batchGetItems, foundItem, queryAll, readItem } from '../reads';

export async function getGroup(db: Directory, siteId: string, groupId: string): Promise<GroupRecord | null> {
  return readItem(db, groupKey(siteId, groupId), GroupRecord);
}

export async function requireGroup(db: Directory, siteId: string, groupId: string): Promise<GroupRecord> {
  const group = await getGroup(db, siteId, groupId);
  if (!group) throw notFound(`The group ${groupId}`);
  return group;
}

const tableKey = conditionsOn<{ pk: string; sk: string }>();

/** The userIds of a group's members, from its membership items (strongly consistent). */
export async function groupMemberIds(db: Directory, siteId: string, groupId: string): Promise<string[]> {
  const items = await queryAll(db, {
    keyCondition: and(tableKey.eq('pk', sitePartition(siteId)), tableKey.beginsWith('sk', membershipPrefix(groupId))),
    projection: ['userId'],
    consistent: true,
  });
  return items.map((item) => String(item.userId));
}

/** The people who are members of a group. A membership without its person (never expected) is skipped. */
export async function groupMembers(db: Directory, siteId: string, groupId: string): Promise<PersonItem[]> {
  return readPeople(db, siteId, await groupMemberIds(db, siteId, groupId));
}

/** The people of `userIds` that exist, in that order (BatchGet answers in any order). */
export async function readPeople(db: Directory, siteId: string, userIds: readonly string[]): Promise<PersonItem[]> {
  const found = await batchGetItems(db, userIds.map((userId) => personKey(siteId, userId)));
  return [...new Set(userIds)].flatMap((userId) => {
    const item = foundItem(found, personKey(siteId, userId));
    return item ? [PersonItem.parse(item)] : [];
  });
}

/** Which of these people's addresses were ever paid users of the site (their markers exist). */
export async function formerPaidUserIds(db: Directory, siteId: string, people: readonly PersonItem[]): Promise<Set<string>> {
  const found = await batchGetItems(db, people.map((person) => formerPaidKeyOf(siteId, person.email)));
  return new Set(people.filter((person) => foundItem(found, formerPaidKeyOf(siteId, person.email))).map((person) => person.userId));
}
