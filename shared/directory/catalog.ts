import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, conflict, notFound } from '../domain/errors';
import { auditPut } from './audit';
import { getItem, type Directory } from './directory';
import { GroupItem, PersonItem, SpaceItem } from './items';
import { spaceGuestCountUpdate } from './invitations';
import { keys } from './keys';
import { batchGetItems } from './reads';
import { commitIfUnchanged, transactWrite, TransactionRefused } from './transact';

/** Spaces and groups of a site: the catalogue invites and assignments refer to. */
export async function createSpace(
  db: Directory,
  input: { siteId: string; key: string; name: string; anonymousAccess: boolean },
  actor: string,
  now: string,
): Promise<SpaceItem> {
  const space: SpaceItem = { siteId: input.siteId, key: input.key, name: input.name, anonymousAccess: input.anonymousAccess, guestCount: 0, createdAt: now };
  try {
    await transactWrite(db.client, [
      {
        Put: {
          TableName: db.tableName,
          Item: { ...keys.space(input.siteId, input.key), type: 'space', ...space },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      auditPut(db, { siteId: input.siteId, actor, action: 'space.created', target: input.key, at: now, details: { name: input.name, anonymousAccess: input.anonymousAccess } }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) throw conflict(`A space with key ${input.key} already exists.`);
    throw error;
  }
  return space;
}

export async function listSpaces(db: Directory, siteId: string): Promise<SpaceItem[]> {
  return (await queryPrefix(db, siteId, keys.sitePrefix.space, SpaceItem)).filter((space) => !space.deleting);
}

export async function listGroups(db: Directory, siteId: string): Promise<GroupItem[]> {
  return queryPrefix(db, siteId, keys.sitePrefix.group, GroupItem);
}

async function queryPrefix<T>(db: Directory, siteId: string, prefix: string, schema: { parse: (value: unknown) => T }): Promise<T[]> {
  const items: T[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.partitionOf(siteId), ':prefix': prefix },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) items.push(schema.parse(item));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** The groups an invite names, all of which must exist on the site. */
export async function requireGroups(db: Directory, siteId: string, groupIds: readonly string[]): Promise<GroupItem[]> {
  const unique = [...new Set(groupIds)];
  if (unique.length === 0) return [];
  const items = await batchGetItems(db, unique.map((groupId) => keys.group(siteId, groupId)));
  const found = new Map([...items.values()].map((item) => {
    const group = GroupItem.parse(item);
    return [group.groupId, group] as const;
  }));
  const missing = unique.filter((groupId) => !found.has(groupId));
  if (missing.length > 0) throw notFound(`The group ${missing.join(', ')}`);
  return unique.map((groupId) => found.get(groupId)!);
}

export async function createGroup(
  db: Directory,
  input: { siteId: string; groupId: string; name: string; role: GroupItem['role'] },
  actor: string,
  now: string,
): Promise<GroupItem> {
  const group: GroupItem = { siteId: input.siteId, groupId: input.groupId, name: input.name, role: input.role, memberCount: 0, createdAt: now };
  const created = await commitIfUnchanged(db.client, [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.group(input.siteId, input.groupId), type: 'group', ...group },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    auditPut(db, { siteId: input.siteId, actor, action: 'group.created', target: input.groupId, at: now, details: { name: input.name, role: input.role } }),
  ]);
  if (!created) throw conflict(`A group with id ${input.groupId} already exists.`);
  return group;
}

export async function requireSpace(db: Directory, siteId: string, key: string): Promise<SpaceItem> {
  const space = await getItem(db, keys.space(siteId, key), SpaceItem);
  if (!space) throw notFound(`The space ${key}`);
  return space;
}

export async function updateSpace(
  db: Directory,
  siteId: string,
  key: string,
  patch: { name?: string | undefined; anonymousAccess?: boolean | undefined },
  actor: string,
  now: string,
): Promise<SpaceItem> {
  const before = await requireSpace(db, siteId, key);
  const after: SpaceItem = { ...before, ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.anonymousAccess !== undefined ? { anonymousAccess: patch.anonymousAccess } : {}) };
  try {
    await transactWrite(db.client, [
      {
        Update: {
          TableName: db.tableName,
          Key: keys.space(siteId, key),
          UpdateExpression: 'SET #name = :name, anonymousAccess = :anonymous',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': after.name, ':anonymous': after.anonymousAccess },
        },
      },
      auditPut(db, {
        siteId,
        actor,
        action: 'space.updated',
        target: key,
        at: now,
        details: { before: { name: before.name, anonymousAccess: before.anonymousAccess }, after: { name: after.name, anonymousAccess: after.anonymousAccess } },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) throw notFound(`The space ${key}`);
    throw error;
  }
  return { ...after, guestCount: before.guestCount };
}

/** Guests unassigned per transaction while deleting a space (one item each, plus the space). */
const UNASSIGN_CHUNK = 40;
const INDEX_WAIT_ROUNDS = 20;
const INDEX_WAIT_MS = 250;

/**
 * Deletes a space; its guests keep their app access and lose the space. A recoverable batch: the
 * space is first marked `deleting` (no new assignments), its guests are unassigned in chunks that
 * also count them off the space, and the space goes, with the audit event, once its strongly
 * consistent guest count is zero. The guest index lags the table in AWS, so an empty index page
 * with guests still counted means "wait for the index", never "done". A crash or a slow index
 * leaves the mark, and deleting again resumes.
 */
export async function deleteSpace(db: Directory, siteId: string, key: string, actor: string, now: string): Promise<void> {
  await requireSpace(db, siteId, key);
  await db.client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.space(siteId, key),
      UpdateExpression: 'SET deleting = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': now },
    }),
  );
  const unassigned: string[] = [];
  for (let waitedForIndex = 0; ; ) {
    const page = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :space',
        ExpressionAttributeValues: { ':space': `${keys.partitionOf(siteId)}#GUEST_SPACE#${key}` },
        Limit: UNASSIGN_CHUNK,
      }),
    );
    const guests = (page.Items ?? []).map((item) => PersonItem.parse(item)).filter((guest) => guest.spaceKey === key);
    if (guests.length === 0) {
      const space = await requireSpace(db, siteId, key);
      if (space.guestCount <= 0) break;
      if (++waitedForIndex > INDEX_WAIT_ROUNDS) {
        throw new AppError('service_unavailable', 'The space still has guests being unassigned; delete it again in a moment to finish.');
      }
      await new Promise((resolve) => setTimeout(resolve, INDEX_WAIT_MS));
      continue;
    }
    const committed = await commitIfUnchanged(db.client, [
      ...guests.map((guest) => ({
        Update: {
          TableName: db.tableName,
          Key: keys.person(siteId, guest.userId),
          UpdateExpression: 'SET gsi3pk = :none REMOVE spaceKey',
          ConditionExpression: 'spaceKey = :key',
          ExpressionAttributeValues: { ':none': `${keys.partitionOf(siteId)}#GUEST_SPACE#-`, ':key': key },
        },
      })),
      spaceGuestCountUpdate(db, siteId, key, -guests.length),
    ]);
    // Refused: a guest moved meanwhile; the next page re-reads the index and the count.
    if (committed) unassigned.push(...guests.map((guest) => guest.userId));
  }
  const deleted = await commitIfUnchanged(db.client, [
    {
      Delete: {
        TableName: db.tableName,
        Key: keys.space(siteId, key),
        ConditionExpression: 'attribute_exists(pk) AND guestCount <= :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      },
    },
    auditPut(db, { siteId, actor, action: 'space.deleted', target: key, at: now, details: { unassignedGuests: unassigned } }),
  ]);
  if (!deleted) throw new AppError('service_unavailable', 'The space changed while it was being deleted; delete it again to finish.');
}
