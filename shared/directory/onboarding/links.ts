import { conflict, notFound } from '../../domain/errors';
import { linkRefusal, unknownLink } from '../../domain/links';
import { hashToken, LINK_TOKEN_PATTERN } from '../../domain/tokens';
import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { InvitationItem, invitationIs, invitationKey, invitationUpdate } from '../entities/invitation';
import { LinkItem, linkKey } from '../entities/link';
import { byNamePartition, nameOrder, PersonItem, personIs, personKey, personUpdate } from '../entities/person';
import { SiteItem, siteKey } from '../entities/site';
import { SpaceItem, spaceKey } from '../entities/space';
import { readItem } from '../reads';
import { commitWrites, TransactionRefused } from '../transact';
import { updateWrite } from '../writes';

// Links: unknown, used, expired and revoked tokens are told apart without revealing anything else.

export interface OpenInvitation {
  readonly invitation: InvitationItem;
  readonly site: SiteItem;
  readonly space: SpaceItem | null;
  readonly inviter: PersonItem | null;
  readonly digest: string;
}

export async function openInvitationLink(db: Directory, token: string, now: Date): Promise<OpenInvitation> {
  if (!LINK_TOKEN_PATTERN.test(token)) throw unknownLink();
  const digest = hashToken(token);
  const link = await readItem(db, linkKey(digest), LinkItem);
  if (!link || link.purpose !== 'invitation' || !link.invitationId) throw unknownLink();
  const [invitation, site] = await Promise.all([
    readItem(db, invitationKey(link.siteId, link.invitationId), InvitationItem),
    readItem(db, siteKey(link.siteId), SiteItem),
  ]);
  if (!invitation || !site) throw unknownLink();
  const refusal = linkRefusal(invitation, digest, now);
  if (refusal) throw refusal;
  const [space, inviter] = await Promise.all([
    invitation.spaceKey ? readItem(db, spaceKey(link.siteId, invitation.spaceKey), SpaceItem) : Promise.resolve(null),
    readItem(db, personKey(link.siteId, invitation.invitedBy), PersonItem),
  ]);
  return { invitation, site, space, inviter, digest };
}

/**
 * Accepts the invitation: the invitation is used and the person records the acceptance, in one
 * transaction conditioned on the link still being the current, pending, unexpired one. Returns the
 * waiting task's token, if the workflow already stored it.
 */
export async function acceptInvitation(
  db: Directory,
  open: OpenInvitation,
  displayName: string | undefined,
  now: Date,
): Promise<{ person: PersonItem; acceptTaskToken: string | undefined }> {
  const { invitation } = open;
  const nowIso = now.toISOString();
  let acceptance = personUpdate().set('acceptedAt', nowIso);
  // The name index (the users list's search) follows the name.
  if (displayName) {
    acceptance = acceptance
      .set('displayName', displayName)
      .set('gsi5pk', byNamePartition(invitation.siteId))
      .set('gsi5sk', nameOrder({ userId: invitation.userId, displayName }));
  }
  try {
    await commitWrites(db, [
      updateWrite(
        invitationKey(invitation.siteId, invitation.invitationId),
        invitationUpdate().set('status', 'accepted').set('acceptedAt', nowIso),
        and(invitationIs.eq('status', 'pending'), invitationIs.eq('tokenDigest', open.digest), invitationIs.gt('expiresAt', nowIso)),
      ),
      updateWrite(personKey(invitation.siteId, invitation.userId), acceptance, personIs.eq('status', 'invited')),
      auditWrite({
        siteId: invitation.siteId,
        actor: invitation.userId,
        action: 'invitation.accepted',
        target: invitation.userId,
        at: nowIso,
        details: { invitationId: invitation.invitationId },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) {
      // Someone else used, revoked or expired it between our read and write: answer as for that state.
      const current = await readItem(db, invitationKey(invitation.siteId, invitation.invitationId), InvitationItem);
      const refusal = linkRefusal(current, open.digest, now);
      if (refusal) throw refusal;
      throw conflict('The invitation changed while accepting it; reload the page.');
    }
    throw error;
  }
  const [fresh, person] = await Promise.all([
    readItem(db, invitationKey(invitation.siteId, invitation.invitationId), InvitationItem),
    readItem(db, personKey(invitation.siteId, invitation.userId), PersonItem),
  ]);
  if (!person) throw notFound('The person');
  return { person, acceptTaskToken: fresh?.acceptTaskToken };
}
