import type { ServiceUse, TableUse } from './capabilities';
import { SES_DETAIL_TYPES } from './email/events';

/**
 * Functions an EventBridge rule invokes with one event at a time. Each names the events it takes
 * (source and detail types), and the CDK app gives it a rule on the default bus, retries and a
 * dead-letter queue. The local stack delivers the same events to the same handler modules.
 */
export const EVENT_FUNCTIONS = [
  {
    name: 'email-delivery',
    handler: 'email-events',
    source: 'aws.ses',
    detailTypes: Object.values(SES_DETAIL_TYPES),
    // Only invitation emails: the welcome and re-verification ones say nothing this function records.
    detail: { mail: { tags: { kind: ['invitation'] } } },
    table: 'write',
    uses: [],
    summary: 'Delivery of invitation emails from SES events: delivered, bounced or complained, never backwards',
  },
] as const satisfies readonly {
  name: string;
  handler: string;
  source: string;
  detailTypes: readonly string[];
  /** An EventBridge pattern on the event's `detail`, narrowing what the rule delivers. */
  detail?: Record<string, unknown>;
  table: Exclude<TableUse, 'none'>;
  uses: readonly ServiceUse[];
  summary: string;
}[];
