import { DELIVERY_RANK, type DeliveryStatus } from '../../domain/invitations';
import type { Directory } from '../directory';
import { and, itemExists, or, type Condition } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { InvitationItem, invitationIs, invitationKey, invitationUpdate } from '../entities/invitation';
import { readItem } from '../reads';
import { commitWritesIfUnchanged } from '../transact';
import { updateWrite, type Write } from '../writes';

/** One SES event about one invitation email, as the event handler understood it. */
export interface DeliveryReport {
  readonly siteId: string;
  readonly invitationId: string;
  /** Which of the invitation's emails (0: the first; n: the one sent after resend n), from its tags. */
  readonly resend: number;
  readonly messageId: string;
  readonly delivery: Exclude<DeliveryStatus, 'sending'>;
  /** When SES saw it happen. */
  readonly at: string;
  readonly bounce?: { readonly type: string; readonly subType?: string | undefined } | undefined;
  readonly complaintType?: string | undefined;
}

export type DeliveryOutcome = 'recorded' | 'unknown' | 'stale' | 'unchanged';

const emailIs = (resend: number): Condition =>
  resend === 0 ? or(invitationIs.attributeNotExists('resends'), invitationIs.eq('resends', 0)) : invitationIs.eq('resends', resend);

/**
 * Records what SES reported about the invitation's current email. The write is conditioned on the
 * report moving delivery forward (`DELIVERY_RANK`), so delivery never goes back (a late Delivery
 * after a Bounce keeps bounced) and a repeated event — SES and EventBridge deliver at least once —
 * changes nothing; a bounce or complaint writes its audit event in the same transaction, so there
 * is exactly one per email. Reports about an email a resend replaced are left out (`stale`).
 */
export async function recordDelivery(db: Directory, report: DeliveryReport): Promise<DeliveryOutcome> {
  const key = invitationKey(report.siteId, report.invitationId);
  // For the audit event's target and for telling a stale report from a repeated one; the write decides.
  const invitation = await readItem(db, key, InvitationItem);
  if (!invitation) return 'unknown';
  if ((invitation.resends ?? 0) !== report.resend) return 'stale';
  const rank = DELIVERY_RANK[report.delivery];
  let change = invitationUpdate().set('delivery', report.delivery).set('deliveryRank', rank).set('deliveryAt', report.at).set('deliveryMessageId', report.messageId);
  if (report.bounce) {
    change = change.set('bounceType', report.bounce.type);
    if (report.bounce.subType) change = change.set('bounceSubType', report.bounce.subType);
  }
  const writes: Write[] = [
    updateWrite(key, change, and(itemExists, emailIs(report.resend), or(invitationIs.attributeNotExists('deliveryRank'), invitationIs.lt('deliveryRank', rank)))),
  ];
  if (report.delivery === 'bounced' || report.delivery === 'complained') {
    writes.push(
      auditWrite({
        siteId: report.siteId,
        actor: 'email-delivery',
        action: `invitation.${report.delivery}`,
        target: invitation.userId,
        at: report.at,
        details: {
          invitationId: report.invitationId,
          messageId: report.messageId,
          ...(report.bounce ? { bounceType: report.bounce.type, bounceSubType: report.bounce.subType ?? null } : {}),
          ...(report.complaintType ? { complaintType: report.complaintType } : {}),
        },
      }),
    );
  }
  return (await commitWritesIfUnchanged(db, writes)) ? 'recorded' : 'unchanged';
}
