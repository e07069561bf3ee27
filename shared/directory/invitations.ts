import { conflict, notFound } from '../domain/errors';
import type { AppRole, Roles } from '../domain/people';
import { seatRefusal, takeSeat, type Kind, type SeatDelta } from '../domain/seats';
import { emailDigest } from '../domain/tokens';
import { auditPut } from './audit';
import { epochSeconds, getItem, type Directory } from './directory';
import { InvitationItem, PersonItem, SiteItem, type GroupItem } from './items';
import { keys, personIndexKeys } from './keys';
import { transactWrite, TransactionRefused, type TransactItem } from './transact';

/** The site-item update that moves the seat counters by `delta`, guarded for the seat taken. */
export function seatUpdate(db: Directory, siteId: string, delta: SeatDelta, ratio: number, guard: 'none' | 'user' | 'guest'): TransactItem {
  // The ratio the delta was computed with must still be the site's, or ratioRoom would drift.
  const conditions = ['attribute_exists(pk)', 'seatRatio = :ratio'];
  if (guard !== 'none') conditions.push('userRoom >= :one');
  if (guard === 'guest') conditions.push('ratioRoom >= :one');
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.site(siteId),
      UpdateExpression: 'ADD paid :paid, guests :guests, ratioRoom :ratioRoom, userRoom :userRoom',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: {
        ':paid': delta.paid,
        ':guests': delta.guests,
        ':ratioRoom': delta.ratioRoom,
        ':userRoom': delta.userRoom,
        ':ratio': ratio,
        ...(guard === 'none' ? {} : { ':one': 1 }),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export interface InviteRow {
  readonly site: SiteItem;
  readonly email: string;
  readonly kind: Kind;
  readonly roles: Roles;
  readonly groups: readonly GroupItem[];
  readonly spaceKey?: string | undefined;
  readonly message?: string | undefined;
  readonly invitedBy: string;
  readonly inviterName: string;
  readonly userId: string;
  readonly invitationId: string;
  readonly now: string;
  readonly expiresAt: string;
}

export type InviteRefusal = 'paid_user_conversion_forbidden' | 'already_member' | 'user_limit_reached' | 'guest_limit_reached';
/** The site's guest ratio changed between our read and the write: re-read the site and try again. */
type InviteOutcome = { invited: true } | { invited: false; reason: InviteRefusal | 'site_changed' };

/**
 * Creates one invitee: person, address claim, invitation, seat, group and space counts and the
 * audit event, all in one transaction. Each row reason of the HTTP contract is a condition of that transaction,
 * so two concurrent invites can never both take the last seat or both claim one address.
 */
export async function inviteOne(db: Directory, row: InviteRow): Promise<InviteOutcome> {
  const { site, kind } = row;
  const ratio = site.seatRatio;
  const person: PersonItem = {
    siteId: site.siteId,
    userId: row.userId,
    email: row.email,
    kind,
    status: 'invited',
    roles: { ...row.roles },
    groups: row.groups.map((group) => group.groupId),
    spaceKey: kind === 'guest' ? row.spaceKey : undefined,
    invitedBy: row.invitedBy,
    invitedAt: row.now,
    twoStepEnrolled: false,
    invitationId: row.invitationId,
  };
  const invitation: InvitationItem = {
    siteId: site.siteId,
    invitationId: row.invitationId,
    userId: row.userId,
    email: row.email,
    kind,
    status: 'pending',
    invitedBy: row.invitedBy,
    inviterName: row.inviterName,
    spaceKey: person.spaceKey,
    message: row.message,
    createdAt: row.now,
    expiresAt: row.expiresAt,
  };
  const marker = keys.formerPaid(site.siteId, emailDigest(row.email));
  const items: TransactItem[] = [
    seatUpdate(db, site.siteId, takeSeat(kind, ratio), ratio, kind === 'guest' ? 'guest' : 'user'),
    kind === 'guest'
      ? { ConditionCheck: { TableName: db.tableName, Key: marker, ConditionExpression: 'attribute_not_exists(pk)' } }
      : { Put: { TableName: db.tableName, Item: { ...marker, type: 'paid-marker', since: row.now } } },
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.emailClaim(site.siteId, row.email), type: 'email-claim', userId: row.userId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: db.tableName, Item: { ...keys.person(site.siteId, row.userId), type: 'person', ...person, ...personIndexKeys(person) } } },
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.invitation(site.siteId, row.invitationId), type: 'invitation', ...invitation, ttl: epochSeconds(row.expiresAt) + 90 * 86_400 },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  const firstGroupIndex = items.length;
  for (const group of row.groups) items.push(groupMemberUpdate(db, site.siteId, group, +1));
  for (const group of row.groups) {
    items.push({ Put: { TableName: db.tableName, Item: { ...keys.membership(site.siteId, group.groupId, row.userId), type: 'membership', groupId: group.groupId, userId: row.userId } } });
  }
  const spaceIndex = items.length;
  if (person.spaceKey) items.push(spaceGuestCountUpdate(db, site.siteId, person.spaceKey, +1));
  items.push(
    auditPut(db, {
      siteId: site.siteId,
      actor: row.invitedBy,
      action: 'person.invited',
      target: row.userId,
      at: row.now,
      details: { kind, invitationId: row.invitationId, roles: row.roles, groups: person.groups, spaceKey: person.spaceKey ?? null, expiresAt: row.expiresAt },
    }),
  );

  try {
    await transactWrite(db.client, items);
    return { invited: true };
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    const failed = new Set(error.failedIndexes);
    if (failed.has(1)) return { invited: false, reason: 'paid_user_conversion_forbidden' };
    if (failed.has(2)) return { invited: false, reason: 'already_member' };
    if (failed.has(0)) {
      const siteImage = error.oldItems.get(0);
      if (!siteImage) throw notFound('The site');
      if (siteImage.seatRatio !== ratio) return { invited: false, reason: 'site_changed' };
      const refusal = seatRefusal(kind, { ratioRoom: Number(siteImage.ratioRoom), userRoom: Number(siteImage.userRoom) });
      return { invited: false, reason: refusal ?? (kind === 'guest' ? 'guest_limit_reached' : 'user_limit_reached') };
    }
    if ([...failed].some((index) => index >= firstGroupIndex && index < firstGroupIndex + row.groups.length)) {
      throw conflict('A selected group was changed or removed while inviting; check the groups and try again.');
    }
    if (failed.has(spaceIndex)) throw notFound(`The space ${person.spaceKey}`);
    throw error;
  }
}

/** Group membership count change, guarded by the role we classified the invitee with. */
function groupMemberUpdate(db: Directory, siteId: string, group: GroupItem, by: number): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.group(siteId, group.groupId),
      UpdateExpression: 'ADD memberCount :by',
      ConditionExpression: 'attribute_exists(pk) AND #role = :role',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: { ':by': by, ':role': group.role satisfies AppRole },
    },
  };
}

export function spaceGuestCountUpdate(db: Directory, siteId: string, spaceKey: string, by: number): TransactItem {
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.space(siteId, spaceKey),
      UpdateExpression: 'ADD guestCount :by',
      // A space being deleted takes no new guests; releasing a guest from it is always fine.
      ConditionExpression: by > 0 ? 'attribute_exists(pk) AND attribute_not_exists(deleting)' : 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':by': by },
    },
  };
}

export async function getInvitation(db: Directory, siteId: string, invitationId: string): Promise<InvitationItem | null> {
  return getItem(db, keys.invitation(siteId, invitationId), InvitationItem);
}

export async function requireInvitation(db: Directory, siteId: string, invitationId: string): Promise<InvitationItem> {
  const invitation = await getInvitation(db, siteId, invitationId);
  if (!invitation) throw notFound('The invitation');
  return invitation;
}
