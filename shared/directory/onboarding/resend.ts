import { resendSlot, resendWindowStart } from '../../domain/invitations';
import type { Directory } from '../directory';
import { and, or, type Condition } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { INVITATION_KEEP_SECONDS, type InvitationItem, invitationIs, invitationKey, invitationUpdate } from '../entities/invitation';
import { epochSeconds } from '../time';
import { commitWritesIfUnchanged } from '../transact';
import { updateWrite } from '../writes';

export interface Resend {
  /** The invitation as read before deciding; the write is conditioned on what was read. */
  readonly invitation: InvitationItem;
  /** The execution the resend started, which sends the new email. */
  readonly execution: string;
  readonly expiresAt: string;
  readonly actor: string;
  readonly now: Date;
}

/** What a write needs for "this is still resend number `n`": the first resend finds none recorded. */
const resendsAre = (count: number): Condition =>
  count === 0 ? or(invitationIs.attributeNotExists('resends'), invitationIs.eq('resends', 0)) : invitationIs.eq('resends', count);

/**
 * Records a resend: the old link stops working at once (its digest is gone), the lifetime starts
 * again, the new execution takes over and the email's send state and delivery start over, so the
 * new execution's SendInvitation issues a new link and sends exactly one email. All of it is
 * conditioned on the invitation item itself: still pending and unexpired, no email being handed
 * to SES, the resend count read (two racing resends: one wins) and the rolling limit — the slot
 * this resend writes holds the third most recent resend, which must be empty or a day old.
 * False: a condition refused it; the caller reads the invitation again to say why.
 */
export async function recordResend(db: Directory, resend: Resend): Promise<boolean> {
  const { invitation, now } = resend;
  const nowIso = now.toISOString();
  const done = invitation.resends ?? 0;
  const slot = resendSlot(done);
  const slotAttribute = (['resentAt0', 'resentAt1', 'resentAt2'] as const)[slot];
  const change = invitationUpdate()
    .set('resends', done + 1)
    .set(slotAttribute, nowIso)
    .set('execution', resend.execution)
    .set('expiresAt', resend.expiresAt)
    .set('ttl', epochSeconds(resend.expiresAt) + INVITATION_KEEP_SECONDS)
    .remove(
      'tokenDigest',
      'emailSentAt',
      'emailMessageId',
      'sendingUntil',
      'acceptTaskToken',
      'delivery',
      'deliveryRank',
      'deliveryAt',
      'deliveryMessageId',
      'bounceType',
      'bounceSubType',
    );
  return commitWritesIfUnchanged(db, [
    updateWrite(
      invitationKey(invitation.siteId, invitation.invitationId),
      change,
      and(
        invitationIs.eq('status', 'pending'),
        invitationIs.gt('expiresAt', nowIso),
        resendsAre(done),
        or(invitationIs.attributeNotExists(slotAttribute), invitationIs.le(slotAttribute, resendWindowStart(now))),
        or(invitationIs.attributeNotExists('sendingUntil'), invitationIs.lt('sendingUntil', nowIso)),
      ),
    ),
    auditWrite({
      siteId: invitation.siteId,
      actor: resend.actor,
      action: 'invitation.resent',
      target: invitation.userId,
      at: nowIso,
      details: { invitationId: invitation.invitationId, resends: done + 1, expiresAt: resend.expiresAt },
    }),
  ]);
}
