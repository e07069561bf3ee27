import { conflict, notFound } from '../domain/errors';
import type { Directory } from './directory';
import { auditWrite } from './entities/audit-event';
import { GROUP_PREFIX, GroupItem, groupKey, newGroupWrite } from './entities/group';
import { batchGetItems, foundItem } from './reads';
import { queryPrefix } from './spaces';
import { commitWritesIfUnchanged } from './transact';

/** Groups of a site as a catalogue: what invites pick from. Roles and members are in `groups/`. */
export async function listGroups(db: Directory, siteId: string): Promise<GroupItem[]> {
  return queryPrefix(db, siteId, GROUP_PREFIX, GroupItem);
}

/** The groups an invite names, all of which must exist on the site. */
export async function requireGroups(db: Directory, siteId: string, groupIds: readonly string[]): Promise<GroupItem[]> {
  const unique = [...new Set(groupIds)];
  if (unique.length === 0) return [];
  const found = await batchGetItems(db, unique.map((groupId) => groupKey(siteId, groupId)));
  const missing = unique.filter((groupId) => !foundItem(found, groupKey(siteId, groupId)));
  if (missing.length > 0) throw notFound(`The group ${missing.join(', ')}`);
  return unique.map((groupId) => GroupItem.parse(foundItem(found, groupKey(siteId, groupId))));
}

export async function createGroup(
  db: Directory,
  input: { siteId: string; groupId: string; name: string; role: GroupItem['role'] },
  actor: string,
  now: string,
): Promise<GroupItem> {
  const group: GroupItem = { siteId: input.siteId, groupId: input.groupId, name: input.name, role: input.role, memberCount: 0, createdAt: now };
  const created = await commitWritesIfUnchanged(db, [
    newGroupWrite(group),
    auditWrite({ siteId: input.siteId, actor, action: 'group.created', target: input.groupId, at: now, details: { name: input.name, role: input.role } }),
  ]);
  if (!created) throw conflict(`A group with id ${input.groupId} already exists.`);
  return group;
}
