import { conflict, notFound } from '../domain/errors';
import { refusedSeatReason, takeSeat } from '../domain/seats';
import type { Roles } from '../domain/people';
import type { Kind } from '../domain/vocabulary';
import type { Directory } from './directory';
import { itemAbsent } from './expressions';
import { auditWrite } from './entities/audit-event';
import { claimEmailWrite } from './entities/email-claim';
import { markPaidWrite, neverPaidCheck } from './entities/former-paid';
import { inviteMemberCountWrite, type GroupItem } from './entities/group';
import { INVITATION_KEEP_SECONDS, INVITATION_TYPE, InvitationItem, invitationIndexKeys, invitationKey } from './entities/invitation';
import { membershipWrite } from './entities/membership';
import { newPersonWrite, type PersonItem } from './entities/person';
import { seatWrite, type SiteItem } from './entities/site';
import { spaceGuestCountWrite } from './entities/space';
import { readItem } from './reads';
import { epochSeconds } from './time';
import { commitWrites, TransactionRefused } from './transact';
import { putWrite, type Write } from './writes';

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
  // The positions of the first writes are how a refusal is told apart; see the catch below.
  const writes: Write[] = [
    seatWrite(site.siteId, takeSeat(kind, ratio), ratio, kind === 'guest' ? 'guest' : 'user'),
    kind === 'guest' ? neverPaidCheck(site.siteId, row.email) : markPaidWrite(site.siteId, row.email, row.now),
    claimEmailWrite(site.siteId, row.email, row.userId),
    newPersonWrite(person),
    putWrite(
      invitationKey(site.siteId, row.invitationId),
      { type: INVITATION_TYPE, ...invitation, ...invitationIndexKeys(invitation), ttl: epochSeconds(row.expiresAt) + INVITATION_KEEP_SECONDS },
      itemAbsent,
    ),
  ];
  const firstGroupIndex = writes.length;
  for (const group of row.groups) writes.push(inviteMemberCountWrite(site.siteId, group, +1));
  for (const group of row.groups) writes.push(membershipWrite(site.siteId, group.groupId, row.userId));
  const spaceIndex = writes.length;
  if (person.spaceKey) writes.push(spaceGuestCountWrite(site.siteId, person.spaceKey, +1));
  writes.push(
    auditWrite({
      siteId: site.siteId,
      actor: row.invitedBy,
      action: 'person.invited',
      target: row.userId,
      at: row.now,
      details: { kind, invitationId: row.invitationId, roles: row.roles, groups: person.groups, spaceKey: person.spaceKey ?? null, expiresAt: row.expiresAt },
    }),
  );

  try {
    await commitWrites(db, writes);
    return { invited: true };
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    const failed = new Set(error.failedIndexes);
    if (failed.has(1)) return { invited: false, reason: 'paid_user_conversion_forbidden' };
    if (failed.has(2)) return { invited: false, reason: 'already_member' };
    if (failed.has(0)) {
      const siteImage = error.oldItems.get(0);
      if (!siteImage) throw notFound('The site');
      const reason = refusedSeatReason(kind, { seatRatio: Number(siteImage.seatRatio), ratioRoom: Number(siteImage.ratioRoom), userRoom: Number(siteImage.userRoom) }, ratio);
      return { invited: false, reason: reason ?? (kind === 'guest' ? 'guest_limit_reached' : 'user_limit_reached') };
    }
    if ([...failed].some((index) => index >= firstGroupIndex && index < firstGroupIndex + row.groups.length)) {
      throw conflict('A selected group was changed or removed while inviting; check the groups and try again.');
    }
    if (failed.has(spaceIndex)) throw notFound(`The space ${person.spaceKey}`);
    throw error;
  }
}

export async function getInvitation(db: Directory, siteId: string, invitationId: string): Promise<InvitationItem | null> {
  return readItem(db, invitationKey(siteId, invitationId), InvitationItem);
}

export async function requireInvitation(db: Directory, siteId: string, invitationId: string): Promise<InvitationItem> {
  const invitation = await getInvitation(db, siteId, invitationId);
  if (!invitation) throw notFound('The invitation');
  return invitation;
}
