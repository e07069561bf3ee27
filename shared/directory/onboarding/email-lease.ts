import { executionStanding } from '../../domain/invitations';
import { hashToken, newLinkToken } from '../../domain/tokens';
import type { Directory } from '../directory';
import { and, or } from '../expressions';
import { drivenBy, INVITATION_KEEP_SECONDS, InvitationItem, invitationIs, invitationKey, invitationUpdate } from '../entities/invitation';
import { newLinkWrite, type LinkItem } from '../entities/link';
import { readItem } from '../reads';
import { writeOne, writeOneIfAllowed } from '../single';
import { epochSeconds } from '../time';
import { commitWrites, TransactionRefused } from '../transact';
import { updateWrite } from '../writes';

// Invitation email: one link token per send, and a lease so a retried step never sends twice.

// Longer than one SendInvitation attempt may run (30 s), shorter than the workflow's retry window.
export const SEND_LEASE_SECONDS = 45;

/**
 * `ahead`: the execution was started by a resend whose write has not landed yet (wait for it);
 * `superseded`: a resend replaced the execution, which must send nothing and end.
 */
export type SendClaim =
  | { readonly kind: 'claimed'; readonly token: string; readonly invitation: InvitationItem }
  | { readonly kind: 'already-sent' | 'not-pending' | 'busy' | 'ahead' | 'superseded' };

/**
 * Sent: our own mark, or an SES event about the invitation's current email (its configuration set
 * reports the send, keyed by the invitation's tags; a resend clears both). The event covers an
 * attempt that died after SES took the email but before it wrote the mark: once it is recorded, a
 * retry after the lease sends nothing. SendEmail has no idempotency key, so an attempt retried
 * before the event is recorded can still send a second copy; README "Delivery guarantees".
 */
const isSent = (invitation: InvitationItem) => invitation.emailSentAt !== undefined || invitation.deliveryMessageId !== undefined;

const leaseEnd = (now: Date) => new Date(now.getTime() + SEND_LEASE_SECONDS * 1000).toISOString();

/**
 * Claims the right to send the invitation email and issues its link. The new token's digest
 * replaces any earlier one, so only the newest link works. The claim fails once an email was
 * recorded as sent, while another attempt holds the lease, or for an execution that does not
 * drive the invitation (`execution`: its name; the first execution is named by the invitation id).
 */
export async function claimInvitationSend(db: Directory, siteId: string, invitationId: string, now: Date, execution: string = invitationId): Promise<SendClaim> {
  const invitation = await readItem(db, invitationKey(siteId, invitationId), InvitationItem);
  if (!invitation || invitation.status !== 'pending') return { kind: 'not-pending' };
  const standing = executionStanding(invitation, execution);
  if (standing !== 'current') return { kind: standing };
  if (isSent(invitation)) return { kind: 'already-sent' };
  const token = newLinkToken();
  const digest = hashToken(token);
  const nowIso = now.toISOString();
  const link: LinkItem = {
    purpose: 'invitation',
    siteId,
    invitationId,
    userId: invitation.userId,
    invitedBy: invitation.invitedBy,
    ...(invitation.spaceKey ? { spaceKey: invitation.spaceKey } : {}),
    ttl: epochSeconds(invitation.expiresAt) + INVITATION_KEEP_SECONDS,
  };
  try {
    await commitWrites(db, [
      updateWrite(
        invitationKey(siteId, invitationId),
        invitationUpdate().set('tokenDigest', digest).set('sendingUntil', leaseEnd(now)),
        and(
          invitationIs.eq('status', 'pending'),
          drivenBy(invitationId, execution),
          invitationIs.attributeNotExists('emailSentAt'),
          invitationIs.attributeNotExists('deliveryMessageId'),
          or(invitationIs.attributeNotExists('sendingUntil'), invitationIs.lt('sendingUntil', nowIso)),
        ),
      ),
      newLinkWrite(digest, link),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) {
      const fresh = await readItem(db, invitationKey(siteId, invitationId), InvitationItem);
      if (!fresh || fresh.status !== 'pending') return { kind: 'not-pending' };
      const standingNow = executionStanding(fresh, execution);
      if (standingNow !== 'current') return { kind: standingNow };
      return { kind: isSent(fresh) ? 'already-sent' : 'busy' };
    }
    throw error;
  }
  return { kind: 'claimed', token, invitation: { ...invitation, tokenDigest: digest } };
}

/**
 * Both are conditioned on the link the claim issued (`digest`): once a resend replaced that link,
 * a late mark of the old email would stop the new one from being sent.
 */
export async function recordInvitationSent(db: Directory, siteId: string, invitationId: string, digest: string, messageId: string, now: string): Promise<void> {
  await writeOne(
    db,
    updateWrite(invitationKey(siteId, invitationId), invitationUpdate().set('emailSentAt', now).set('emailMessageId', messageId).remove('sendingUntil'), invitationIs.eq('tokenDigest', digest)),
  );
}

/** SES refused or failed for sure: give the lease back so the workflow's retry can send. */
export async function releaseInvitationSend(db: Directory, siteId: string, invitationId: string, digest: string): Promise<void> {
  await writeOneIfAllowed(db, updateWrite(invitationKey(siteId, invitationId), invitationUpdate().remove('sendingUntil'), invitationIs.eq('tokenDigest', digest)));
}

// The welcome email is sent once, under a lease like the invitation's.

export async function claimWelcomeSend(db: Directory, siteId: string, invitationId: string, now: Date): Promise<boolean> {
  return writeOneIfAllowed(
    db,
    updateWrite(
      invitationKey(siteId, invitationId),
      invitationUpdate().set('welcomeSendingUntil', leaseEnd(now)),
      and(
        invitationIs.attributeNotExists('welcomeSentAt'),
        or(invitationIs.attributeNotExists('welcomeSendingUntil'), invitationIs.lt('welcomeSendingUntil', now.toISOString())),
      ),
    ),
  );
}

export async function recordWelcomeSent(db: Directory, siteId: string, invitationId: string, sent: boolean, now: string): Promise<void> {
  const release = invitationUpdate().remove('welcomeSendingUntil');
  await writeOne(db, updateWrite(invitationKey(siteId, invitationId), sent ? invitationUpdate().set('welcomeSentAt', now).with(release) : release));
}
