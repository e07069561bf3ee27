import { deliveryForEvent } from '../domain/invitations';
import type { Directory } from '../directory/directory';
import { recordDelivery, type DeliveryOutcome } from '../directory/onboarding/delivery';
import { eventTime, tagOf, type SesEmailEvent } from '../email/events';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One SES event: the invitation email it is about (from the tags the send put on it) gets its
 * delivery moved on. Events about other emails (welcome, re-verification) and event types that say
 * nothing about delivery (opens, clicks, delays) are ignored.
 */
export async function recordEmailEvent(db: Directory, event: SesEmailEvent): Promise<DeliveryOutcome | 'ignored'> {
  const { detail } = event;
  const delivery = deliveryForEvent(detail.eventType);
  const siteId = tagOf(detail, 'site');
  const invitationId = tagOf(detail, 'invitation');
  const resend = Number(tagOf(detail, 'resend') ?? '0');
  if (!delivery || tagOf(detail, 'kind') !== 'invitation' || !siteId || !ID.test(siteId) || !invitationId || !ID.test(invitationId) || !Number.isInteger(resend) || resend < 0) {
    return 'ignored';
  }
  return recordDelivery(db, {
    siteId,
    invitationId,
    resend,
    messageId: detail.mail.messageId,
    delivery,
    at: eventTime(detail),
    ...(detail.bounce ? { bounce: { type: detail.bounce.bounceType, subType: detail.bounce.bounceSubType } } : {}),
    ...(detail.complaint?.complaintFeedbackType ? { complaintType: detail.complaint.complaintFeedbackType } : {}),
  });
}
