import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../domain/errors';
import { auditPut } from './audit';
import type { Directory } from './directory';
import { GroupItem, SpaceItem } from './items';
import { keys } from './keys';
import { transactWrite, TransactionRefused } from './transact';

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
  return queryPrefix(db, siteId, keys.sitePrefix.space, SpaceItem);
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
  const { Responses } = await db.client.send(
    new BatchGetCommand({
      RequestItems: { [db.tableName]: { Keys: unique.map((groupId) => keys.group(siteId, groupId)), ConsistentRead: true } },
    }),
  );
  const found = new Map((Responses?.[db.tableName] ?? []).map((item) => {
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
  await transactWrite(db.client, [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.group(input.siteId, input.groupId), type: 'group', ...group },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    auditPut(db, { siteId: input.siteId, actor, action: 'group.created', target: input.groupId, at: now, details: { name: input.name, role: input.role } }),
  ]);
  return group;
}
