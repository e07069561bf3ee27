import { canRemoveAppAccess, holdsSeat, mustChange, selfActionRefusal } from '../../domain/lifecycle';
import { releaseSeat } from '../../domain/seats';
import type { Directory } from '../directory';
import { auditWrite } from '../entities/audit-event';
import { releaseEmailWrite } from '../entities/email-claim';
import { tombstoneWrite } from '../entities/erasure';
import { leaveMemberCountWrite } from '../entities/group';
import { InvitationItem, invitationIs, invitationKey, invitationUpdate } from '../entities/invitation';
import { leaveGroupWrite } from '../entities/membership';
import { PersonItem, personDeleteWrite, personKey, removalWrite } from '../entities/person';
import { SiteItem, seatWrite, siteKey } from '../entities/site';
import { spaceGuestCountWrite } from '../entities/space';
import { readItem } from '../reads';
import { commitWritesIfUnchanged, RETRY } from '../transact';
import { updateWrite, type Write } from '../writes';
import { loadPerson, personRetries, type Loaded } from './load';

export const ERASURE_GRACE_DAYS = 14;

/** Task tokens of an onboarding that a removal ended; the caller fails them with `Revoked`. */
export interface EndedOnboarding {
  readonly taskTokens: string[];
}

/**
 * Writes that take a person off the site: the person (kept as `removed`, or deleted with their
 * address claim), memberships and space count, the seat (if they held one) and a pending invitation
 * (ended, so its link says so). The person's write is guarded on everything undone here as read.
 */
async function departureWrites(
  db: Directory,
  loaded: Loaded,
  now: string,
  options: { readonly keepPerson: boolean; readonly invitationEnd?: 'revoked' | 'expired' },
): Promise<{ writes: Write[]; ended: EndedOnboarding }> {
  const { person, site } = loaded;
  const invitationEnd = options.invitationEnd ?? 'revoked';
  const writes: Write[] = options.keepPerson ? [removalWrite(person, now)] : [personDeleteWrite(person), releaseEmailWrite(site.siteId, person.email)];
  if (holdsSeat(person.status)) writes.push(seatWrite(site.siteId, releaseSeat(person.kind, site.seatRatio), site.seatRatio, 'none'));
  if (person.spaceKey) writes.push(spaceGuestCountWrite(site.siteId, person.spaceKey, -1));
  for (const groupId of person.groups) writes.push(leaveGroupWrite(site.siteId, groupId, person.userId), leaveMemberCountWrite(site.siteId, groupId));
  const taskTokens: string[] = person.spaceTaskToken ? [person.spaceTaskToken] : [];
  if (person.status === 'invited' && person.invitationId) {
    const invitation = await readItem(db, invitationKey(site.siteId, person.invitationId), InvitationItem);
    // An expiry only ends an invitation nobody accepted; an admin's removal ends either.
    const endable = invitationEnd === 'expired' ? ['pending'] : ['pending', 'accepted'];
    if (invitation && endable.includes(invitation.status)) {
      if (invitation.acceptTaskToken) taskTokens.push(invitation.acceptTaskToken);
      writes.push(
        updateWrite(
          invitationKey(site.siteId, invitation.invitationId),
          invitationUpdate().set('status', invitationEnd).set('endedAt', now).remove('acceptTaskToken'),
          invitationIs.eq('status', invitation.status),
        ),
      );
    }
  }
  return { writes, ended: { taskTokens } };
}

/**
 * Ends a pending invitation without activation — it expired, or its onboarding could not start —
 * and frees everything the invite took: the person leaves the site (so the address can be invited
 * again), the seat and counts are released. Someone who was removed before and invited again goes
 * back to `removed`, keeping their id and history; a first invitation's person is erased. The
 * invitation item stays, marked, so its link keeps answering with the right 410. False when there
 * was nothing left to end (accepted, or already ended by an admin).
 */
export async function endPendingInvitation(
  db: Directory,
  invitation: InvitationItem,
  outcome: 'expired' | 'withdrawn',
  actor: string,
  now: string,
): Promise<boolean> {
  return personRetries(async () => {
    const [person, site, current] = await Promise.all([
      readItem(db, personKey(invitation.siteId, invitation.userId), PersonItem),
      readItem(db, siteKey(invitation.siteId), SiteItem),
      readItem(db, invitationKey(invitation.siteId, invitation.invitationId), InvitationItem),
    ]);
    if (!person || !site || current?.status !== 'pending' || person.status !== 'invited' || person.invitationId !== invitation.invitationId) return false;
    const { writes } = await departureWrites(db, { person, site }, now, {
      keepPerson: person.removedAt !== undefined,
      invitationEnd: outcome === 'expired' ? 'expired' : 'revoked',
    });
    writes.push(
      auditWrite({ siteId: site.siteId, actor, action: `invitation.${outcome}`, target: person.userId, at: now, details: { invitationId: invitation.invitationId, kind: person.kind } }),
    );
    return (await commitWritesIfUnchanged(db, writes)) ? true : RETRY;
  });
}

/**
 * Rule 11: the guest leaves the guest list, the seat is freed and a pending onboarding is revoked.
 * The person stays, as `removed`: same id, address claim and history, so inviting the address again
 * brings the same person back. Removing a removed guest again changes nothing.
 */
export async function removeAppAccess(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<EndedOnboarding> {
  return personRetries(async () => {
    const loaded = await loadPerson(db, siteId, userId);
    if (!mustChange(canRemoveAppAccess(loaded.person))) return { taskTokens: [] };
    const { writes, ended } = await departureWrites(db, loaded, now, { keepPerson: true });
    writes.push(
      auditWrite({
        siteId,
        actor,
        action: 'guest.app_access_removed',
        target: userId,
        at: now,
        details: {
          before: { status: loaded.person.status, spaceKey: loaded.person.spaceKey ?? null, groups: loaded.person.groups },
          after: { status: 'removed' },
        },
      }),
    );
    return (await commitWritesIfUnchanged(db, writes)) ? ended : RETRY;
  });
}

/**
 * Rule 14 (delete): access ends at once; a tombstone keeps the personal data for the grace period,
 * after which the erasure job (and, as a backstop, the table's TTL) removes it. The former-paid
 * marker is a hash of the address and stays, so the person can never come back as a guest.
 */
export async function deletePerson(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<EndedOnboarding & { eraseAfter: string }> {
  const refusal = selfActionRefusal(actor, userId, 'delete');
  if (refusal) throw refusal;
  return personRetries(async () => {
    const loaded = await loadPerson(db, siteId, userId);
    const { person } = loaded;
    const { writes, ended } = await departureWrites(db, loaded, now, { keepPerson: false });
    const eraseAfter = new Date(Date.parse(now) + ERASURE_GRACE_DAYS * 86_400_000).toISOString();
    writes.push(
      tombstoneWrite({
        siteId,
        userId,
        email: person.email,
        displayName: person.displayName,
        kind: person.kind,
        deletedAt: now,
        eraseAfter,
        ...(person.invitationId ? { invitationId: person.invitationId } : {}),
      }),
      auditWrite({ siteId, actor, action: 'person.deleted', target: userId, at: now, details: { kind: person.kind, status: person.status, eraseAfter } }),
    );
    return (await commitWritesIfUnchanged(db, writes)) ? { ...ended, eraseAfter } : RETRY;
  });
}
