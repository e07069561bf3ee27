/** Compatibility: audit events are the `entities/audit-event` module's now. */
import type { Directory } from './directory';
import { auditWrite, type AuditEntry } from './entities/audit-event';
import type { TransactItem } from './transact';
import { toTransactItem } from './writes';

export type { AuditEntry } from './entities/audit-event';

export function auditPut(db: Directory, entry: AuditEntry): TransactItem {
  return toTransactItem(db.tableName, auditWrite(entry));
}
