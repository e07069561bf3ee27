import type { InvitationStatus } from '../domain/vocabulary';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor';
import type { Directory } from './directory';
import { conditionsOn } from './expressions';
import { InvitationItem, invitationIndexKeys, invitationKey, invitationsByStatusPartition } from './entities/invitation';
import { sitePartition } from './key';
import { queryPages } from './reads';

export interface InvitationFilter {
  readonly status: InvitationStatus;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

const index = conditionsOn<{ gsi1pk: string }>();

/**
 * The invitations of a site in one status, newest first: one Query of that status's partition of
 * gsi1, which holds exactly those invitations (every status change moves the index key with it).
 * Reads one past the page, so a cursor is only handed out when another invitation follows.
 */
export async function listInvitations(db: Directory, siteId: string, filter: InvitationFilter): Promise<{ invitations: InvitationItem[]; nextCursor?: string }> {
  const partition = invitationsByStatusPartition(siteId, filter.status);
  let startKey: Record<string, string> | undefined;
  if (filter.cursor !== undefined) {
    startKey = decodeCursor(filter.cursor, { pk: sitePartition(siteId), gsi1pk: partition });
    if (!startKey.sk?.startsWith('INVITATION#') || startKey.gsi1sk === undefined) throw invalidCursor();
  }
  const found: InvitationItem[] = [];
  for await (const page of queryPages(db, { index: 'gsi1', keyCondition: index.eq('gsi1pk', partition), newestFirst: true, pageSize: filter.limit + 1, startKey })) {
    for (const item of page.items) found.push(InvitationItem.parse(item));
    if (found.length > filter.limit) break;
  }
  const invitations = found.slice(0, filter.limit);
  const last = invitations.at(-1);
  const nextCursor =
    found.length > filter.limit && last ? encodeCursor({ ...invitationKey(siteId, last.invitationId), ...invitationIndexKeys({ ...last, status: filter.status }) }) : undefined;
  return { invitations, ...(nextCursor ? { nextCursor } : {}) };
}
