import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { AppError, conflict, notFound } from '../domain/errors';
import { isPaidRole, type AppRole } from '../domain/people';
import { emailDigest } from '../domain/tokens';
import { auditPut } from './audit';
import { getItem, type Directory } from './directory';
import { GroupItem, PersonItem, SiteItem } from './items';
import { keys, type Key } from './keys';
import { promotionItems } from './people';
import { batchGetItems } from './reads';
import { commitIfUnchanged, decideAndCommit, RETRY, type TransactItem } from './transact';

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

/** DynamoDB's limit on the items of one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;
/**
 * The most members a group may have to become a guest group: the change is one transaction of the
 * group update, its audit event and one ConditionCheck per member (98 + 2 = 100). Doing it in parts
 * would let a member be promoted between two parts; a larger group is refused with a 409 instead.
 */
export const MAX_GUEST_GROUP_MEMBERS = MAX_TRANSACTION_ITEMS - 2;
/**
 * Members promoted per transaction of the batch: each needs at most four items of its own (person,
 * former-paid marker, audit event, space count) plus the shared site counters and group mark:
 * 24 × 4 + 2 = 98.
 */
export const PROMOTION_CHUNK_MEMBERS = 24;

const MAX_ATTEMPTS = 6;

/** The group item as stored, with the bookkeeping of an unfinished promotion. */
export const GroupRecord = GroupItem.extend({
  /** Who started the pending promotion and why; resumed promotions are recorded in their name. */
  promotionStartedBy: z.string().optional(),
  promotionReason: z.string().optional(),
  /**
   * Waiting AwaitSpaceAssignment tokens of members the pending promotion made paid, by userId. They
   * are kept with the batch so a crash after a chunk cannot lose them; they are completed before
   * the mark is cleared.
   */
  spaceTasks: z.record(z.string(), z.string()).optional(),
  updatedAt: z.string().optional(),
});
export type GroupRecord = z.infer<typeof GroupRecord>;

/** A waiting space-assignment task of a guest who became paid: the onboarding may go on. */
export interface SpaceTask {
  readonly userId: string;
  readonly taskToken: string;
}

export interface GroupOptions {
  /**
   * Completes the space-assignment tasks of promoted members (the handlers pass the Step Functions
   * call). Called before the promotion mark is cleared, so a failure leaves the batch resumable.
   */
  readonly completeSpaceTasks?: ((tasks: readonly SpaceTask[]) => Promise<void>) | undefined;
  /** Members per promotion transaction; at most {@link PROMOTION_CHUNK_MEMBERS}. */
  readonly chunkMembers?: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

export async function getGroup(db: Directory, siteId: string, groupId: string): Promise<GroupRecord | null> {
  return getItem(db, keys.group(siteId, groupId), GroupRecord);
}

export async function requireGroup(db: Directory, siteId: string, groupId: string): Promise<GroupRecord> {
  const group = await getGroup(db, siteId, groupId);
  if (!group) throw notFound(`The group ${groupId}`);
  return group;
}

async function requireSiteItem(db: Directory, siteId: string): Promise<SiteItem> {
  const site = await getItem(db, keys.site(siteId), SiteItem);
  if (!site) throw notFound('The site');
  return site;
}

/** The userIds of a group's members, from its membership items (strongly consistent). */
export async function groupMemberIds(db: Directory, siteId: string, groupId: string): Promise<string[]> {
  const userIds: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.partitionOf(siteId), ':prefix': keys.membershipPrefix(groupId) },
        ProjectionExpression: 'userId',
        ConsistentRead: true,
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) userIds.push(String(item.userId));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return userIds;
}

/** The people who are members of a group. A membership without its person (never expected) is skipped. */
export async function groupMembers(db: Directory, siteId: string, groupId: string): Promise<PersonItem[]> {
  return readPeople(db, siteId, await groupMemberIds(db, siteId, groupId));
}

/** The people of `userIds` that exist, in that order (BatchGet answers in any order). */
async function readPeople(db: Directory, siteId: string, userIds: readonly string[]): Promise<PersonItem[]> {
  const items = await batchGet(db, userIds.map((userId) => keys.person(siteId, userId)));
  const byId = new Map(items.map((item) => PersonItem.parse(item)).map((person) => [person.userId, person]));
  return [...new Set(userIds)].flatMap((userId) => byId.get(userId) ?? []);
}

/** BatchGetItem of any number of keys, strongly consistent, retrying UnprocessedKeys with backoff. */
async function batchGet(db: Directory, keyList: readonly Key[]): Promise<Record<string, unknown>[]> {
  return [...(await batchGetItems(db, keyList)).values()];
}

// ---------------------------------------------------------------------------------------------
// Transaction helpers
// ---------------------------------------------------------------------------------------------

const withRetries = <T>(attempt: () => Promise<T | typeof RETRY>) => decideAndCommit(attempt, 'group', MAX_ATTEMPTS);
const commit = (db: Directory, items: TransactItem[]) => commitIfUnchanged(db.client, items);

function keyOf(item: TransactItem): Key {
  const key = item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key ?? item.Put?.Item;
  if (!key) throw new Error('A transaction item without a key');
  return { pk: String(key.pk), sk: String(key.sk) };
}

const sameKey = (a: Key, b: Key) => a.pk === b.pk && a.sk === b.sk;

/** The `:value` operands of a pure `ADD a :x, b :y` update expression, or null for anything else. */
function addOperands(expression: string | undefined): Set<string> | null {
  const match = /^ADD\s+(.+)$/.exec(expression?.trim() ?? '');
  if (!match) return null;
  const operands = new Set<string>();
  for (const part of match[1]!.split(',')) {
    const operand = /^\s*[#\w.]+\s+(:\w+)\s*$/.exec(part);
    if (!operand) return null;
    operands.add(operand[1]!);
  }
  return operands;
}

/**
 * One transaction may not touch an item twice, but several members' promotion items share the
 * site's seat counters and possibly a space's guest count. Those are pure `ADD` counter updates with
 * the same condition: they are merged into one update whose operands are the sums. Anything else
 * that touches one item twice is a programming error.
 */
export function mergeCounterUpdates(items: readonly TransactItem[]): TransactItem[] {
  const merged: TransactItem[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const earlier = merged.find((candidate) => sameKey(keyOf(candidate), key));
    if (!earlier) {
      merged.push(item.Update ? { Update: { ...item.Update, ExpressionAttributeValues: { ...item.Update.ExpressionAttributeValues } } } : item);
      continue;
    }
    const [into, from] = [earlier.Update, item.Update];
    const operands = addOperands(into?.UpdateExpression);
    if (!into || !from || !operands || into.UpdateExpression !== from.UpdateExpression || into.ConditionExpression !== from.ConditionExpression) {
      throw new Error(`Two writes to ${key.pk} ${key.sk} in one transaction cannot be merged`);
    }
    const values = into.ExpressionAttributeValues!;
    for (const [name, value] of Object.entries(from.ExpressionAttributeValues ?? {})) {
      if (operands.has(name)) values[name] = Number(values[name]) + Number(value);
      else if (values[name] !== value) throw new Error(`Two writes to ${key.pk} ${key.sk} disagree on ${name}`);
    }
  }
  return merged;
}

interface UpdateExtension {
  /** Extra `SET` actions. */
  readonly set?: readonly string[];
  /** An extra condition, ANDed with the update's own. */
  readonly condition?: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
}

/** Adds actions and a condition to the Update of `key` among `items` (e.g. the person update of a promotion). */
function extendUpdate(items: readonly TransactItem[], key: Key, extension: UpdateExtension): TransactItem[] {
  let found = false;
  const extended = items.map((item): TransactItem => {
    if (!item.Update || !sameKey(keyOf(item), key)) return item;
    found = true;
    const update = item.Update;
    for (const name of Object.keys(extension.names ?? {})) {
      if (update.ExpressionAttributeNames?.[name] !== undefined) throw new Error(`Attribute name ${name} is already used`);
    }
    for (const name of Object.keys(extension.values ?? {})) {
      if (update.ExpressionAttributeValues?.[name] !== undefined) throw new Error(`Attribute value ${name} is already used`);
    }
    let expression = update.UpdateExpression ?? '';
    if (extension.set && extension.set.length > 0) {
      const actions = extension.set.join(', ');
      expression = /^\s*SET\s/i.test(expression) ? expression.replace(/^\s*SET\s+/i, `SET ${actions}, `) : `SET ${actions} ${expression}`.trim();
    }
    const condition = [update.ConditionExpression, extension.condition].filter(Boolean).map((part) => `(${part})`).join(' AND ');
    const names = { ...update.ExpressionAttributeNames, ...extension.names };
    return {
      Update: {
        ...update,
        UpdateExpression: expression,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...extension.values },
      },
    };
  });
  if (!found) throw new Error(`No update of ${key.pk} ${key.sk} to extend`);
  return extended;
}

/** `promotionItems` for one member, with the batch's own conditions added to the person's update. */
function memberPromotion(db: Directory, site: SiteItem, person: PersonItem, actor: string, now: string, reason: string, extension: UpdateExtension = {}): TransactItem[] {
  return extendUpdate(promotionItems(db, { person, site }, actor, now, reason), keys.person(site.siteId, person.userId), extension);
}

function chunked<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < list.length; start += size) chunks.push(list.slice(start, start + size));
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// The recoverable promotion batch
// ---------------------------------------------------------------------------------------------

/**
 * Finishes a group's pending promotion, if it has one: promotes every guest member in chunks, each
 * conditioned on the mark still being set, completes the promoted members' waiting space tasks, and
 * clears the mark. Safe to run concurrently with itself: every promotion is conditioned on the
 * person being the guest we read, so nobody is promoted (or counted) twice.
 */
export async function finishPendingPromotion(db: Directory, siteId: string, groupId: string, now: string, options: GroupOptions = {}): Promise<GroupRecord> {
  const chunkMembers = Math.max(1, Math.min(options.chunkMembers ?? PROMOTION_CHUNK_MEMBERS, PROMOTION_CHUNK_MEMBERS));
  let refusals = 0;
  for (;;) {
    const group = await requireGroup(db, siteId, groupId);
    if (!group.pendingPromotion) return group;
    const actor = group.promotionStartedBy ?? 'system';
    const reason = group.promotionReason ?? `group:${groupId}`;
    const [site, members] = await Promise.all([requireSiteItem(db, siteId), groupMembers(db, siteId, groupId)]);
    const guests = members.filter((person) => person.kind === 'guest');

    let refused = false;
    if (guests.length === 0) {
      const tasks = Object.entries(group.spaceTasks ?? {}).map(([userId, taskToken]) => ({ userId, taskToken }));
      if (tasks.length > 0 && options.completeSpaceTasks) await options.completeSpaceTasks(tasks);
      const cleared = await commit(db, [
        {
          Update: {
            TableName: db.tableName,
            Key: keys.group(siteId, groupId),
            UpdateExpression: 'SET updatedAt = :now REMOVE pendingPromotion, promotionStartedBy, promotionReason, spaceTasks',
            ConditionExpression: 'pendingPromotion = :true',
            ExpressionAttributeValues: { ':now': now, ':true': true },
          },
        },
      ]);
      if (cleared) return requireGroup(db, siteId, groupId);
      refused = true;
    } else {
      for (const chunk of chunked(guests, chunkMembers)) {
        if (!(await commit(db, promotionChunkItems(db, site, groupId, chunk, actor, now, reason)))) {
          refused = true;
          break;
        }
      }
    }
    // A refused chunk means someone changed a member, the site's ratio or the mark: re-read.
    if (refused && ++refusals >= MAX_ATTEMPTS) {
      throw new AppError('service_unavailable', 'The group’s members are changing too fast to promote; try again to finish.');
    }
  }
}

function promotionChunkItems(db: Directory, site: SiteItem, groupId: string, guests: readonly PersonItem[], actor: string, now: string, reason: string): TransactItem[] {
  const waiting = guests.filter((person) => person.spaceTaskToken);
  const groupKey = keys.group(site.siteId, groupId);
  const mark: TransactItem =
    waiting.length > 0
      ? {
          Update: {
            TableName: db.tableName,
            Key: groupKey,
            UpdateExpression: `SET ${waiting.map((_, index) => `spaceTasks.#task${index} = :task${index}`).join(', ')}`,
            ConditionExpression: 'pendingPromotion = :true',
            ExpressionAttributeNames: Object.fromEntries(waiting.map((person, index) => [`#task${index}`, person.userId])),
            ExpressionAttributeValues: { ':true': true, ...Object.fromEntries(waiting.map((person, index) => [`:task${index}`, person.spaceTaskToken])) },
          },
        }
      : { ConditionCheck: { TableName: db.tableName, Key: groupKey, ConditionExpression: 'pendingPromotion = :true', ExpressionAttributeValues: { ':true': true } } };
  const items = mergeCounterUpdates([mark, ...guests.flatMap((person) => memberPromotion(db, site, person, actor, now, reason))]);
  if (items.length > MAX_TRANSACTION_ITEMS) throw new Error(`A promotion chunk of ${items.length} items is over the transaction limit`);
  return items;
}

/**
 * Gives the group a paid role and makes every guest member paid, as a recoverable batch. With
 * `sweepUnchanged`, a group that already has the role is still checked for guest members.
 */
async function toPaidRole(
  db: Directory,
  siteId: string,
  groupId: string,
  target: (group: GroupRecord) => AppRole,
  event: { action: string; reason: string; sweepUnchanged: boolean },
  actor: string,
  now: string,
  options: GroupOptions,
): Promise<GroupRecord> {
  return withRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    const role = target(group);
    if (group.role === role) {
      if (!event.sweepUnchanged) return group;
      const members = await groupMembers(db, siteId, groupId);
      if (!members.some((person) => person.kind === 'guest')) return group;
    }
    const started = await commit(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: keys.group(siteId, groupId),
          UpdateExpression:
            'SET #role = :role, pendingPromotion = :true, promotionStartedBy = :actor, promotionReason = :reason, spaceTasks = if_not_exists(spaceTasks, :none), updatedAt = :now',
          ConditionExpression: '#role = :seenRole AND attribute_not_exists(pendingPromotion)',
          ExpressionAttributeNames: { '#role': 'role' },
          ExpressionAttributeValues: { ':role': role, ':true': true, ':actor': actor, ':reason': event.reason, ':none': {}, ':now': now, ':seenRole': group.role },
        },
      },
      auditPut(db, { siteId, actor, action: event.action, target: groupId, at: now, details: { before: { role: group.role }, after: { role } } }),
    ]);
    if (!started) return RETRY;
    return finishPendingPromotion(db, siteId, groupId, now, options);
  });
}

// ---------------------------------------------------------------------------------------------
// Admin actions
// ---------------------------------------------------------------------------------------------

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
  return withRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    if (group.role === role) return group;
    const changed = await commit(db, [roleUpdate(db, group, role, now), auditPut(db, { siteId, actor, action: 'group.role_changed', target: groupId, at: now, details: { before: { role: group.role }, after: { role } } })]);
    return changed ? { ...group, role, updatedAt: now } : RETRY;
  });
}

/** The group's role change, guarded on the group as read: its role, its member count, no pending promotion. */
function roleUpdate(db: Directory, group: GroupRecord, role: AppRole, now: string): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.group(group.siteId, group.groupId),
      UpdateExpression: 'SET #role = :role, updatedAt = :now',
      ConditionExpression: '#role = :seenRole AND memberCount = :seenCount AND attribute_not_exists(pendingPromotion)',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: { ':role': role, ':now': now, ':seenRole': group.role, ':seenCount': group.memberCount },
    },
  };
}

/**
 * Rule 3 for groups: a guest group may hold no current or former paid user. Paid members are seen
 * on the people, former paid ones by their address markers; the change is one transaction that
 * also checks every member is still a guest and the member count is unchanged, so a member
 * promoted or added meanwhile makes it re-check instead of slipping through.
 */
async function toGuestRole(db: Directory, siteId: string, groupId: string, actor: string, now: string, options: GroupOptions): Promise<GroupRecord> {
  return withRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    if (group.role === 'guest') return group;
    const members = await groupMembers(db, siteId, groupId);
    const paid = members.filter((person) => person.kind === 'paid');
    if (paid.length > 0) throw conversionForbidden(paid.map((person) => person.userId));
    const markers = await batchGet(db, members.map((person) => keys.formerPaid(siteId, emailDigest(person.email))));
    if (markers.length > 0) {
      const digests = new Set(markers.map((marker) => String(marker.sk)));
      throw conversionForbidden(members.filter((person) => digests.has(keys.formerPaid(siteId, emailDigest(person.email)).sk)).map((person) => person.userId));
    }
    if (members.length > MAX_GUEST_GROUP_MEMBERS) {
      throw conflict(
        `A group with more than ${MAX_GUEST_GROUP_MEMBERS} members cannot become a guest group in one step: every member is checked in a single transaction, which holds at most ${MAX_TRANSACTION_ITEMS} items.`,
        { memberCount: members.length, maxMembers: MAX_GUEST_GROUP_MEMBERS },
      );
    }
    const changed = await commit(db, [
      roleUpdate(db, group, 'guest', now),
      ...members.map(
        (person): TransactItem => ({
          ConditionCheck: {
            TableName: db.tableName,
            Key: keys.person(siteId, person.userId),
            ConditionExpression: 'kind = :guest',
            ExpressionAttributeValues: { ':guest': 'guest' },
          },
        }),
      ),
      auditPut(db, { siteId, actor, action: 'group.role_changed', target: groupId, at: now, details: { before: { role: group.role }, after: { role: 'guest' }, members: members.length } }),
    ]);
    return changed ? { ...group, role: 'guest' as const, updatedAt: now } : RETRY;
  });
}

function conversionForbidden(userIds: string[]): AppError {
  return new AppError(
    'paid_user_conversion_forbidden',
    'This group has current or former paid users; it cannot become a guest group. Remove them from the group first.',
    { userIds },
  );
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

export interface MembersAdded {
  readonly group: GroupRecord;
  /** The people who joined (already-members skipped). */
  readonly added: string[];
  /** Guests who became paid by joining a paid group. */
  readonly promoted: string[];
  /** Waiting space-assignment tasks of the promoted: the caller completes them. */
  readonly spaceTasks: SpaceTask[];
}

/** Items per joining person, at most: membership, person, and for a promotion marker, audit, space count. */
const JOIN_ITEMS = 2;
const JOIN_AND_PROMOTE_ITEMS = 5;
/** Shared by a transaction of joins: the group's count, the site's seat counters, the audit event. */
const JOIN_SHARED_ITEMS = 3;

/**
 * `POST …/groups/{groupId}/members`. Every user must be a person of the site (404 before anything
 * is written). Already-members are skipped. A guest joining a paid group becomes paid in the same
 * transaction as the join; nobody becomes a guest by joining. Each transaction carries one
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
  await withRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    const [site, people] = await Promise.all([requireSiteItem(db, siteId), readPeople(db, siteId, wanted)]);
    const byId = new Map(people.map((person) => [person.userId, person]));
    const missing = wanted.filter((userId) => !byId.has(userId));
    if (missing.length > 0) throw notFound(`The user ${missing.join(', ')}`);
    const joining = wanted.map((userId) => byId.get(userId)!).filter((person) => !person.groups.includes(groupId));
    if (joining.length === 0) return undefined;

    const paidGroup = isPaidRole(group.role);
    const promotes = (person: PersonItem) => paidGroup && person.kind === 'guest';
    const chunks: PersonItem[][] = [];
    let current: PersonItem[] = [];
    let budget = MAX_TRANSACTION_ITEMS - JOIN_SHARED_ITEMS;
    for (const person of joining) {
      const cost = promotes(person) ? JOIN_AND_PROMOTE_ITEMS : JOIN_ITEMS;
      if (cost > budget) {
        chunks.push(current);
        current = [];
        budget = MAX_TRANSACTION_ITEMS - JOIN_SHARED_ITEMS;
      }
      current.push(person);
      budget -= cost;
    }
    chunks.push(current);

    for (const chunk of chunks) {
      const items: TransactItem[] = [
        {
          Update: {
            TableName: db.tableName,
            Key: keys.group(siteId, groupId),
            UpdateExpression: 'ADD memberCount :added',
            // The role decides who is promoted, so it must still be the one we read.
            ConditionExpression: '#role = :seenRole AND attribute_not_exists(pendingPromotion)',
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: { ':added': chunk.length, ':seenRole': group.role },
          },
        },
      ];
      for (const person of chunk) {
        items.push({
          Put: {
            TableName: db.tableName,
            Item: { ...keys.membership(siteId, groupId, person.userId), type: 'membership', groupId, userId: person.userId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        // The person's group list as read guards against a concurrent join of the same person.
        const join: UpdateExtension = {
          set: ['#groups = list_append(#groups, :joined)'],
          condition: '#groups = :seenGroups',
          names: { '#groups': 'groups' },
          values: { ':joined': [groupId], ':seenGroups': person.groups },
        };
        if (promotes(person)) {
          items.push(...memberPromotion(db, site, person, actor, now, `joined_group:${groupId}`, join));
        } else {
          items.push({
            Update: {
              TableName: db.tableName,
              Key: keys.person(siteId, person.userId),
              UpdateExpression: 'SET #groups = list_append(#groups, :joined)',
              ConditionExpression: '#groups = :seenGroups',
              ExpressionAttributeNames: join.names,
              ExpressionAttributeValues: join.values,
            },
          });
        }
      }
      const chunkPromoted = chunk.filter(promotes).map((person) => person.userId);
      items.push(
        auditPut(db, {
          siteId,
          actor,
          action: 'group.members_added',
          target: groupId,
          at: now,
          details: { role: group.role, userIds: chunk.map((person) => person.userId), promoted: chunkPromoted },
        }),
      );
      if (!(await commit(db, mergeCounterUpdates(items)))) return RETRY;
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
