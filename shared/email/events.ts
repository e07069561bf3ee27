import * as z from 'zod/mini';

/**
 * SES email sending events as EventBridge delivers them (`source: aws.ses`), for emails sent
 * through a configuration set whose event destination is the default event bus. The detail is
 * the event publishing record SES also publishes to SNS or Firehose; only what we read is
 * declared, the rest passes through.
 */
const Timestamped = z.object({ timestamp: z.string() });

export const SesEventDetail = z.object({
  /** `Send`, `Delivery`, `Bounce`, `Complaint`, `Reject`, `Open`, `Click`, `DeliveryDelay`, … */
  eventType: z.string(),
  mail: z.object({
    messageId: z.string().check(z.minLength(1)),
    timestamp: z.string(),
    /** The message tags of the send (and SES's own `ses:*` ones), each name with a list of values. */
    tags: z._default(z.record(z.string(), z.array(z.string())), {}),
  }),
  bounce: z.optional(z.extend(Timestamped, { bounceType: z.string(), bounceSubType: z.optional(z.string()) })),
  complaint: z.optional(z.extend(Timestamped, { complaintFeedbackType: z.optional(z.string()) })),
  delivery: z.optional(Timestamped),
});
export type SesEventDetail = z.infer<typeof SesEventDetail>;

export const SesEmailEvent = z.object({
  version: z.optional(z.string()),
  id: z.string(),
  'detail-type': z.string(),
  source: z.literal('aws.ses'),
  time: z.optional(z.string()),
  detail: SesEventDetail,
});
export type SesEmailEvent = z.infer<typeof SesEmailEvent>;

/** The event's `detail-type` on EventBridge, by the detail's `eventType`. */
export const SES_DETAIL_TYPES = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
} as const;

/** The first value of one of the email's tags. */
export const tagOf = (detail: SesEventDetail, name: string): string | undefined => detail.mail.tags[name]?.[0];

/** When the reported thing happened: the bounce, complaint or delivery time, else the send's. */
export function eventTime(detail: SesEventDetail): string {
  return detail.bounce?.timestamp ?? detail.complaint?.timestamp ?? detail.delivery?.timestamp ?? detail.mail.timestamp;
}
