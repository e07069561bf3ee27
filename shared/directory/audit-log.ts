import { AppError } from '../domain/errors';
import type { Directory } from './directory';
import { decodeCursor, encodeCursor, invalidCursor, type CursorKey } from './cursor';
import { conditionsOn } from './expressions';
import { AUDIT_EVENT_PREFIX, auditPartition, StoredAuditEvent } from './entities/audit-event';
import { queryOnePage } from './reads';
import { TABLE_DEFINITION } from './table';

// ---------------------------------------------------------------------------------------------
// The audit log of a site, newest first.
// ---------------------------------------------------------------------------------------------

export const AUDIT_PAGE_MAX = 100;

export interface AuditEventView {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: Record<string, unknown>;
}

export interface AuditPage {
  readonly events: AuditEventView[];
  readonly nextCursor?: string;
}

const auditKey = conditionsOn<{ pk: string }>();

/**
 * One page of a site's audit events, newest first. The sort key starts with the event's ISO time,
 * so a reverse query of the site's audit partition is the log in order. We ask for one item more
 * than the page: the cursor then only exists when there really is a next page, instead of the
 * empty last page a bare LastEvaluatedKey gives when the log ends exactly at a page boundary.
 */
export async function listAuditEvents(
  db: Directory,
  siteId: string,
  options: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<AuditPage> {
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) {
    throw new AppError('validation_failed', `The page size must be a whole number from 1 to ${AUDIT_PAGE_MAX}.`, {
      issues: [{ path: 'query.limit', message: `Use a whole number from 1 to ${AUDIT_PAGE_MAX}` }],
    });
  }
  const partition = auditPartition(siteId);
  const start = options.cursor === undefined ? undefined : auditStartKey(options.cursor, partition);
  const page = await queryOnePage(db, {
    keyCondition: auditKey.eq('pk', partition),
    newestFirst: true,
    // An admin who just changed something expects to see its event on the next read.
    consistent: true,
    pageSize: limit + 1,
    startKey: start,
  });
  const stored = page.items.map((item) => StoredAuditEvent.parse(item));
  const shown = stored.slice(0, limit);
  const last = shown.at(-1);
  // More items than the page, or DynamoDB stopped early at its 1 MB page size: either way the next
  // page starts after the last event shown.
  const more = stored.length > limit || (page.lastKey !== undefined && shown.length > 0);
  return {
    events: shown.map(({ at, actor, action, target, details }) => ({ at, actor, action, target, details })),
    ...(more && last ? { nextCursor: encodeCursor({ pk: last.pk, sk: last.sk }) } : {}),
  };
}

/** A base-table query takes exactly `pk` and `sk` as its start key; anything else is refused. */
function auditStartKey(cursor: string, partition: string): CursorKey {
  const key = decodeCursor(cursor, partition);
  const names = Object.keys(key);
  const sk = key[TABLE_DEFINITION.sortKey];
  if (names.length !== 2 || sk === undefined || !sk.startsWith(AUDIT_EVENT_PREFIX)) throw invalidCursor();
  return key;
}
