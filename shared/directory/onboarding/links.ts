import { conflict } from '../../domain/errors';
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
import { batchGetItems, foundParsed, readItem } from '../reads';
import { commitWrites, TransactionRefused } from '../transact';
import { updateWrite } from '../writes';

// Links: unknown, used, expired and revoked tokens are told apart without revealing anything else.

export interface OpenInvitation {
  readonly invitation: InvitationItem;
  readonly site: SiteItem;
  /** The invitee, as they stand before accepting. */
  readonly person: PersonItem;
  readonly space: SpaceItem | null;
  readonly inviter: PersonItem | null;
  readonly digest: string;
}

export async function openInvitationLink(db: Directory, token: string, now: Date): Promise<OpenInvitation> {
  if (!LINK_TOKEN_PATTERN.test(token)) throw unknownLink();
  const digest = hashToken(token);
  const link = await readItem(db, linkKey(digest), LinkItem);
  if (!link || link.purpose !== 'invitation' || !link.invitationId) throw unknownLink();
  const keys = {
    invitation: invitationKey(link.siteId, link.invitationId),
    site: siteKey(link.siteId),
    person: personKey(link.siteId, link.userId),
    inviter: link.invitedBy ? personKey(link.siteId, link.invitedBy) : undefined,
    space: link.spaceKey ? spaceKey(link.siteId, link.spaceKey) : undefined,
  };
  const found = await batchGetItems(db, Object.values(keys).filter((key) => key !== undefined));
  const invitation = foundParsed(found, keys.invitation, InvitationItem);
  const site = foundParsed(found, keys.site, SiteItem);
  const person = foundParsed(found, keys.person, PersonItem);
  if (!invitation || !site) throw unknownLink();
  const refusal = linkRefusal(invitation, digest, now);
  if (refusal) throw refusal;
  // A pending invitation always has its person; without one the link leads nowhere.
  if (!person) throw unknownLink();
  if (!link.invitedBy) {
    // A link issued before links named the inviter: read the rest as then.
    const [space, inviter] = await Promise.all([
      invitation.spaceKey ? readItem(db, spaceKey(link.siteId, invitation.spaceKey), SpaceItem) : Promise.resolve(null),
      readItem(db, personKey(link.siteId, invitation.invitedBy), PersonItem),
    ]);
    return { invitation, site, person, space, inviter, digest };
  }
  return {
    invitation,
    site,
    person,
    space: keys.space ? foundParsed(found, keys.space, SpaceItem) : null,
    inviter: keys.inviter ? foundParsed(found, keys.inviter, PersonItem) : null,
    digest,
  };
}

/** An acceptance refused by a change that leaves the invitation valid (a token stored meanwhile) is tried again. */
const MAX_ACCEPT_ATTEMPTS = 3;

/**
 * Accepts the invitation: the invitation is used and the person records the acceptance, in one
 * transaction conditioned on the link still being the current, pending, unexpired one, and on the
 * waiting task's token being the one read (stored by the workflow or not yet). So the token
 * returned is the stored one without reading again: if the workflow stores it after the
 * acceptance, it finds the invitation accepted and moves on by itself.
 */
export async function acceptInvitation(
  db: Directory,
  open: OpenInvitation,
  displayName: string | undefined,
  now: Date,
): Promise<{ person: PersonItem; acceptTaskToken: string | undefined }> {
  const nowIso = now.toISOString();
  let acceptance = personUpdate().set('acceptedAt', nowIso);
  let accepted: PersonItem = { ...open.person, acceptedAt: nowIso };
  // The name index (the users list's search) follows the name.
  if (displayName) {
    const nameIndex = { gsi5pk: byNamePartition(open.invitation.siteId), gsi5sk: nameOrder({ userId: open.invitation.userId, displayName }) };
    acceptance = acceptance.set('displayName', displayName).set('gsi5pk', nameIndex.gsi5pk).set('gsi5sk', nameIndex.gsi5sk);
    accepted = { ...accepted, displayName };
  }
  let invitation = open.invitation;
  for (let attempt = 1; ; attempt++) {
    try {
      await commitWrites(db, [
        updateWrite(
          invitationKey(invitation.siteId, invitation.invitationId),
          invitationUpdate().set('status', 'accepted').set('acceptedAt', nowIso),
          and(
            invitationIs.eq('status', 'pending'),
            invitationIs.eq('tokenDigest', open.digest),
            invitationIs.gt('expiresAt', nowIso),
            invitation.acceptTaskToken === undefined ? invitationIs.attributeNotExists('acceptTaskToken') : invitationIs.eq('acceptTaskToken', invitation.acceptTaskToken),
          ),
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
      return { person: accepted, acceptTaskToken: invitation.acceptTaskToken };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      // Someone else used, revoked or expired it between our read and write: answer as for that state.
      const current = await readItem(db, invitationKey(invitation.siteId, invitation.invitationId), InvitationItem);
      const refusal = linkRefusal(current, open.digest, now);
      if (refusal) throw refusal;
      if (!current || attempt >= MAX_ACCEPT_ATTEMPTS) throw conflict('The invitation changed while accepting it; reload the page.');
      invitation = current;
    }
  }
}
