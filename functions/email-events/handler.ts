import { directoryFromEnvironment } from '../../shared/directory/directory';
import { SesEmailEvent } from '../../shared/email/events';
import { log, withTaskLogging } from '../../shared/log';
import { recordEmailEvent } from '../../shared/usecases/delivery';

const db = directoryFromEnvironment();

/**
 * SES email sending events (EventBridge, default bus): each invitation email's send, delivery,
 * bounce and complaint move its invitation's delivery on. Not an SES event at all is logged and
 * dropped (retrying cannot fix it); a failure to write throws, so EventBridge's retries and then
 * the dead-letter queue keep the event.
 */
export const handler = withTaskLogging('email-events', async (event: unknown) => {
  const parsed = SesEmailEvent.safeParse(event);
  if (!parsed.success) {
    log.warn('not an SES email event; dropped', { issues: parsed.error.issues.length });
    return { outcome: 'ignored' };
  }
  const outcome = await recordEmailEvent(db, parsed.data);
  log.info('email event', { eventType: parsed.data.detail.eventType, messageId: parsed.data.detail.mail.messageId, outcome });
  return { outcome };
});
