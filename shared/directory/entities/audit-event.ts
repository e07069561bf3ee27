import * as z from 'zod/mini';
import { environment } from '../../config';
import { newEventId } from '../../ids';
import { epochSeconds } from '../time';
import { sitePartition, type Key } from '../key';
import { putWrite, type Write } from '../writes';

export const AUDIT_TYPE = 'audit';
export const AUDIT_EVENT_PREFIX = 'EVENT#';

/** A site's audit log has a partition of its own, so reading it never touches the directory's items. */
export const auditPartition = (siteId: string) => `${sitePartition(siteId)}#AUDIT`;
/** The sort key starts with the event's ISO time: a reverse query is the log, newest first. */
export const auditEventKey = (siteId: string, eventId: string): Key => ({ pk: auditPartition(siteId), sk: `${AUDIT_EVENT_PREFIX}${eventId}` });

export const StoredAuditEvent = z.object({
  pk: z.string(),
  sk: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z._default(z.record(z.string(), z.unknown()), {}),
});
export type StoredAuditEvent = z.infer<typeof StoredAuditEvent>;

export interface AuditEntry {
  readonly siteId: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details?: Record<string, unknown>;
  readonly at: string;
}

/**
 * An audit event as a transaction write: written in the same transaction as the change it records,
 * so a change can never commit without its event, nor an event without its change.
 */
export function auditWrite(entry: AuditEntry): Write {
  const retentionSeconds = environment().AUDIT_RETENTION_DAYS * 86_400;
  return putWrite(auditEventKey(entry.siteId, `${entry.at}#${newEventId()}`), {
    type: AUDIT_TYPE,
    ...entry,
    details: entry.details ?? {},
    ttl: epochSeconds(entry.at) + retentionSeconds,
  });
}
