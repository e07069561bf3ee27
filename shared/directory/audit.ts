import { environment } from '../config';
import { newEventId } from '../domain/ids';
import { epochSeconds, type Directory } from './directory';
import { keys } from './keys';
import type { TransactItem } from './transact';

export interface AuditEntry {
  readonly siteId: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details?: Record<string, unknown>;
  readonly at: string;
}

/**
 * An audit event as a transaction item: written in the same transaction as the change it records,
 * so a change can never commit without its event, nor an event without its change.
 */
export function auditPut(db: Directory, entry: AuditEntry): TransactItem {
  const retentionSeconds = environment().AUDIT_RETENTION_DAYS * 86_400;
  return {
    Put: {
      TableName: db.tableName,
      Item: {
        ...keys.auditEvent(entry.siteId, `${entry.at}#${newEventId()}`),
        type: 'audit',
        ...entry,
        details: entry.details ?? {},
        ttl: epochSeconds(entry.at) + retentionSeconds,
      },
    },
  };
}
