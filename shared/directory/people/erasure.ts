import type { Directory } from '../directory';
import { auditWrite } from '../entities/audit-event';
import { dueErasures, eraseTombstoneWrite } from '../entities/erasure';
import { invitationKey } from '../entities/invitation';
import { queryPages } from '../reads';
import { commitWritesIfUnchanged } from '../transact';
import { deleteWrite } from '../writes';

export { ERASURE_PARTITION } from '../entities/erasure';

/**
 * The erasure job: removes the personal data of people deleted more than the grace period ago.
 * Reads only the sparse index of due tombstones, so its cost follows the deletions, not the directory.
 */
export async function eraseDueTombstones(db: Directory, now: Date): Promise<number> {
  const at = now.toISOString();
  let erased = 0;
  for await (const page of queryPages(db, { index: 'gsi4', keyCondition: dueErasures(at) })) {
    for (const item of page.items) {
      const siteId = String(item.siteId);
      const userId = String(item.userId);
      const invitationId = typeof item.invitationId === 'string' ? item.invitationId : undefined;
      const done = await commitWritesIfUnchanged(db, [
        eraseTombstoneWrite(siteId, userId),
        ...(invitationId ? [deleteWrite(invitationKey(siteId, invitationId))] : []),
        auditWrite({ siteId, actor: 'erasure-job', action: 'person.erased', target: userId, at, details: { deletedAt: item.deletedAt } }),
      ]);
      if (done) erased += 1;
    }
  }
  return erased;
}
