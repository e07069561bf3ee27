import { AppError, conflict } from './errors';
import type { Kind } from './vocabulary';

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

/** Items per joining person, at most: membership, person, and for a promotion marker, audit, space count. */
const JOIN_ITEMS = 2;
const JOIN_AND_PROMOTE_ITEMS = 5;
/** Shared by a transaction of joins: the group's count, the site's seat counters, the audit event. */
const JOIN_SHARED_ITEMS = 3;

export interface GuestGroupMember {
  readonly userId: string;
  readonly kind: Kind;
  /** The address was a paid user of the site once (its marker exists). */
  readonly formerPaid: boolean;
}

function conversionForbidden(userIds: string[]): AppError {
  return new AppError(
    'paid_user_conversion_forbidden',
    'This group has current or former paid users; it cannot become a guest group. Remove them from the group first.',
    { userIds },
  );
}

/**
 * Rule 3 for groups: a guest group holds no current or former paid user (current ones are named
 * first), and the change must fit one transaction. Null when the group may become a guest group.
 */
export function guestGroupRefusal(members: readonly GuestGroupMember[]): AppError | null {
  const paid = members.filter((member) => member.kind === 'paid');
  if (paid.length > 0) return conversionForbidden(paid.map((member) => member.userId));
  const former = members.filter((member) => member.formerPaid);
  if (former.length > 0) return conversionForbidden(former.map((member) => member.userId));
  if (members.length > MAX_GUEST_GROUP_MEMBERS) {
    return conflict(
      `A group with more than ${MAX_GUEST_GROUP_MEMBERS} members cannot become a guest group in one step: every member is checked in a single transaction, which holds at most ${MAX_TRANSACTION_ITEMS} items.`,
      { memberCount: members.length, maxMembers: MAX_GUEST_GROUP_MEMBERS },
    );
  }
  return null;
}

/**
 * Rules 3 and 7 for joining: a guest group stays a guest group, so no current or former paid user
 * joins it (current ones are named first, as for a role change). Null when all may join.
 */
export function guestGroupJoinRefusal(joining: readonly GuestGroupMember[]): AppError | null {
  const paid = joining.filter((member) => member.kind === 'paid').map((member) => member.userId);
  const former = joining.filter((member) => member.kind !== 'paid' && member.formerPaid).map((member) => member.userId);
  const named = paid.length > 0 ? paid : former;
  if (named.length === 0) return null;
  return new AppError(
    'paid_user_conversion_forbidden',
    'Current or former paid users cannot join a guest group: its members are guests. Add them to a group with a paid role instead.',
    { userIds: named },
  );
}

/** A person whose app access was removed joins no group; they are invited again first. */
export function removedJoinersRefusal(joining: readonly { readonly userId: string; readonly status: string }[]): AppError | null {
  const removed = joining.filter((person) => person.status === 'removed').map((person) => person.userId);
  return removed.length > 0 ? conflict('These people’s app access was removed; invite them again before adding them to a group.', { userIds: removed }) : null;
}

export function chunked<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < list.length; start += size) chunks.push(list.slice(start, start + size));
  return chunks;
}

/** Members per promotion transaction: what the caller asked for, within 1 and the transaction's room. */
export const promotionChunkSize = (requested?: number) => Math.max(1, Math.min(requested ?? PROMOTION_CHUNK_MEMBERS, PROMOTION_CHUNK_MEMBERS));

/**
 * Splits the people joining a group into transactions that each fit DynamoDB's item limit, in
 * order; a joiner who is promoted by joining costs more items than one who only joins.
 */
export function planJoinChunks<T>(joining: readonly T[], promotes: (person: T) => boolean): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
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
  return chunks;
}
