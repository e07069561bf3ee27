import { conflict, notFound } from '../domain/errors';
import { refusedSeatReason, takeSeat } from '../domain/seats';
import { mayInviteAgain, type Roles } from '../domain/people';
import type { Kind } from '../domain/vocabulary';
import type { Directory } from './directory';
import { itemAbsent } from './expressions';
import { auditWrite } from './entities/audit-event';
import { claimEmailWrite, claimHeldByCheck, EmailClaimItem, emailClaimKey } from './entities/email-claim';
import { formerPaidKeyOf, markPaidWrite, neverPaidCheck } from './entities/former-paid';
import { inviteMemberCountWrite, type GroupItem } from './entities/group';
import { INVITATION_KEEP_SECONDS, INVITATION_TYPE, InvitationItem, invitationIndexKeys, invitationKey } from './entities/invitation';
import { membershipWrite } from './entities/membership';
import { newPersonWrite, PersonItem, personKey, returningPersonWrite } from './entities/person';
import { seatWrite, SiteItem, siteKey } from './entities/site';
import { spaceGuestCountWrite } from './entities/space';
import { batchGetItems, foundItem, foundParsed, readItem } from './reads';
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
/**
 * `userId` is there when the invitee is not the new person asked for: the address belonged to a
 * person whose app access was removed, who keeps their id. `site_changed`: the site's guest ratio
 * changed between our read and the write; re-read the site and try again.
 */
type InviteOutcome = { invited: true; userId?: string } | { invited: false; reason: InviteRefusal | 'site_changed' };

/** Attempts at one row while the address's person keeps changing under it (removed, invited, deleted). */
const MAX_PERSON_ATTEMPTS = 5;

/**
 * Invites one address: a new person, or — when the address belongs to a person whose app access was
 * removed (rule 11) — that same person again, with their id. Each is one transaction that takes the
 * seat and checks every row rule as a condition (see {@link inviteAttempt}), so two concurrent
 * invites can never both take the last seat or both claim one address. Only when the address is
 * already claimed is its person read, to tell a removed person (invited again) from a member
 * (`already_member`); the re-invite is then guarded on the claim and the person as read.
 */
export async function inviteOne(db: Directory, row: InviteRow): Promise<InviteOutcome> {
  for (let attempt = 0; attempt < MAX_PERSON_ATTEMPTS; attempt++) {
    const outcome = await inviteAttempt(db, row, undefined);
    if (outcome !== 'claimed') return outcome;
    for (; attempt < MAX_PERSON_ATTEMPTS; attempt++) {
      const owner = await claimedPerson(db, row.site.siteId, row.email);
      // The claim went (the person was deleted meanwhile): invite a new person.
      if (owner === 'unclaimed') break;
      if (!owner || !mayInviteAgain(owner.status)) return { invited: false, reason: 'already_member' };
      const again = await inviteAttempt(db, row, owner);
      if (again !== 'claimed') return again.invited ? { invited: true, userId: owner.userId } : again;
    }
  }
  return { invited: false, reason: 'already_member' };
}

/** A consistent read, in one round trip, of what decides an invite without its transaction. */
export async function inviteFacts(db: Directory, siteId: string, email: string): Promise<{ site: SiteItem | null; claimed: boolean; formerPaid: boolean }> {
  const keys = { site: siteKey(siteId), claim: emailClaimKey(siteId, email), marker: formerPaidKeyOf(siteId, email) };
  const found = await batchGetItems(db, Object.values(keys));
  return { site: foundParsed(found, keys.site, SiteItem), claimed: foundItem(found, keys.claim) !== undefined, formerPaid: foundItem(found, keys.marker) !== undefined };
}

/** The person an address claim points at, null when it points at nobody, `unclaimed` when there is no claim. */
async function claimedPerson(db: Directory, siteId: string, email: string): Promise<PersonItem | null | 'unclaimed'> {
  const claim = await readItem(db, emailClaimKey(siteId, email), EmailClaimItem);
  if (!claim) return 'unclaimed';
  return readItem(db, personKey(siteId, claim.userId), PersonItem);
}

/**
 * One transaction: person (new, or the removed one written afresh), address claim (taken, or
 * checked to still be theirs), invitation, seat, group and space counts and the audit event.
 * Answers `claimed` when the address's claim or person is not what this attempt assumed.
 */
async function inviteAttempt(db: Directory, row: InviteRow, returning: PersonItem | undefined): Promise<InviteOutcome | 'claimed'> {
  const { site, kind } = row;
  const ratio = site.seatRatio;
  const userId = returning?.userId ?? row.userId;
  const person: PersonItem = {
    siteId: site.siteId,
    userId,
    email: row.email,
    ...(returning?.displayName ? { displayName: returning.displayName } : {}),
    kind,
    status: 'invited',
    roles: { ...row.roles },
    groups: row.groups.map((group) => group.groupId),
    spaceKey: kind === 'guest' ? row.spaceKey : undefined,
    invitedBy: row.invitedBy,
    invitedAt: row.now,
    twoStepEnrolled: false,
    invitationId: row.invitationId,
    ...(returning?.removedAt ? { removedAt: returning.removedAt } : {}),
  };
  const invitation: InvitationItem = {
    siteId: site.siteId,
    invitationId: row.invitationId,
    userId,
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
    returning ? claimHeldByCheck(site.siteId, row.email, userId) : claimEmailWrite(site.siteId, row.email, userId),
    returning ? returningPersonWrite(person, returning) : newPersonWrite(person),
    putWrite(
      invitationKey(site.siteId, row.invitationId),
      { type: INVITATION_TYPE, ...invitation, ...invitationIndexKeys(invitation), ttl: epochSeconds(row.expiresAt) + INVITATION_KEEP_SECONDS },
      itemAbsent,
    ),
  ];
  const firstGroupIndex = writes.length;
  for (const group of row.groups) writes.push(inviteMemberCountWrite(site.siteId, group, +1));
  for (const group of row.groups) writes.push(membershipWrite(site.siteId, group.groupId, userId));
  const spaceIndex = writes.length;
  if (person.spaceKey) writes.push(spaceGuestCountWrite(site.siteId, person.spaceKey, +1));
  writes.push(
    auditWrite({
      siteId: site.siteId,
      actor: row.invitedBy,
      action: 'person.invited',
      target: userId,
      at: row.now,
      details: {
        kind,
        invitationId: row.invitationId,
        roles: row.roles,
        groups: person.groups,
        spaceKey: person.spaceKey ?? null,
        expiresAt: row.expiresAt,
        ...(returning ? { before: { status: 'removed', removedAt: returning.removedAt ?? null } } : {}),
      },
    }),
  );

  try {
    await commitWrites(db, writes);
    return { invited: true };
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    const failed = new Set(error.failedIndexes);
    if (failed.has(1)) return { invited: false, reason: 'paid_user_conversion_forbidden' };
    if (failed.has(2) || failed.has(3)) return 'claimed';
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
