import { AppError } from '../../domain/errors';
import { chunked, MAX_TRANSACTION_ITEMS, promotionChunkSize } from '../../domain/groups';
import type { AppRole } from '../../domain/vocabulary';
import type { Directory } from '../directory';
import { and } from '../expressions';
import { auditWrite } from '../entities/audit-event';
import { groupIs, groupKey, groupUpdate, noPendingPromotion, promotionPending, type GroupRecord } from '../entities/group';
import type { PersonItem } from '../entities/person';
import type { SiteItem } from '../entities/site';
import { promotionWrites } from '../people/promotion';
import { requireSite } from '../sites';
import { again, DECISION_BACKOFF, retryWithBackoff } from '../retry';
import { commitWritesIfUnchanged, decideAndCommit, RETRY } from '../transact';
import { checkWrite, mergeWrites, updateWrite, type Write } from '../writes';
import { groupMembers, requireGroup } from './read';

/** A waiting space-assignment task of a guest who became paid: the onboarding may go on. */
export interface SpaceTask {
  readonly userId: string;
  readonly taskToken: string;
}

export interface GroupOptions {
  /**
   * Completes the space-assignment tasks of promoted members (the handlers pass the Step Functions
   * call). Called before the promotion mark is cleared, so a failure leaves the batch resumable.
   */
  readonly completeSpaceTasks?: ((tasks: readonly SpaceTask[]) => Promise<void>) | undefined;
  /** Members per promotion transaction; at most {@link PROMOTION_CHUNK_MEMBERS}. */
  readonly chunkMembers?: number | undefined;
}

export const groupRetries = <T>(attempt: () => Promise<T | typeof RETRY>) => decideAndCommit(attempt, 'group');

/**
 * Finishes a group's pending promotion, if it has one: promotes every guest member in chunks, each
 * conditioned on the mark still being set, completes the promoted members' waiting space tasks, and
 * clears the mark. Safe to run concurrently with itself: every promotion is conditioned on the
 * person being the guest we read, so nobody is promoted (or counted) twice.
 */
export async function finishPendingPromotion(db: Directory, siteId: string, groupId: string, now: string, options: GroupOptions = {}): Promise<GroupRecord> {
  const chunkMembers = promotionChunkSize(options.chunkMembers);
  // A refused write means someone changed a member, the site's ratio or the mark: re-read.
  return retryWithBackoff(
    DECISION_BACKOFF,
    async () => {
      for (;;) {
        const group = await requireGroup(db, siteId, groupId);
        if (!group.pendingPromotion) return group;
        const actor = group.promotionStartedBy ?? 'system';
        const reason = group.promotionReason ?? `group:${groupId}`;
        const [site, members] = await Promise.all([requireSite(db, siteId), groupMembers(db, siteId, groupId)]);
        const guests = members.filter((person) => person.kind === 'guest');
        if (guests.length > 0) {
          for (const chunk of chunked(guests, chunkMembers)) {
            if (!(await commitWritesIfUnchanged(db, promotionChunkWrites(site, groupId, chunk, actor, now, reason)))) return again();
          }
          // Every guest read is promoted; the next pass looks for guests who joined meanwhile.
          continue;
        }
        const tasks = Object.entries(group.spaceTasks ?? {}).map(([userId, taskToken]) => ({ userId, taskToken }));
        if (tasks.length > 0 && options.completeSpaceTasks) await options.completeSpaceTasks(tasks);
        const cleared = await commitWritesIfUnchanged(db, [
          updateWrite(
            groupKey(siteId, groupId),
            groupUpdate().set('updatedAt', now).remove('pendingPromotion', 'promotionStartedBy', 'promotionReason', 'spaceTasks'),
            promotionPending,
          ),
        ]);
        return cleared ? requireGroup(db, siteId, groupId) : again();
      }
    },
    () => new AppError('service_unavailable', 'The group’s members are changing too fast to promote; try again to finish.'),
  );
}

function promotionChunkWrites(site: SiteItem, groupId: string, guests: readonly PersonItem[], actor: string, now: string, reason: string): Write[] {
  const waiting = guests.filter((person) => person.spaceTaskToken);
  const key = groupKey(site.siteId, groupId);
  let keep = groupUpdate();
  for (const person of waiting) keep = keep.set(`spaceTasks.${person.userId}`, person.spaceTaskToken);
  const mark = waiting.length > 0 ? updateWrite(key, keep, promotionPending) : checkWrite(key, promotionPending);
  const writes = mergeWrites([mark, ...guests.flatMap((person) => promotionWrites({ person, site }, actor, now, reason))]);
  if (writes.length > MAX_TRANSACTION_ITEMS) throw new Error(`A promotion chunk of ${writes.length} items is over the transaction limit`);
  return writes;
}

/**
 * Gives the group a paid role and makes every guest member paid, as a recoverable batch. With
 * `sweepUnchanged`, a group that already has the role is still checked for guest members.
 */
export async function toPaidRole(
  db: Directory,
  siteId: string,
  groupId: string,
  target: (group: GroupRecord) => AppRole,
  event: { action: string; reason: string; sweepUnchanged: boolean },
  actor: string,
  now: string,
  options: GroupOptions,
): Promise<GroupRecord> {
  return groupRetries(async () => {
    const group = await requireGroup(db, siteId, groupId);
    if (group.pendingPromotion) {
      await finishPendingPromotion(db, siteId, groupId, now, options);
      return RETRY;
    }
    const role = target(group);
    if (group.role === role) {
      if (!event.sweepUnchanged) return group;
      const members = await groupMembers(db, siteId, groupId);
      if (!members.some((person) => person.kind === 'guest')) return group;
    }
    const started = await commitWritesIfUnchanged(db, [
      updateWrite(
        groupKey(siteId, groupId),
        groupUpdate()
          .set('role', role)
          .set('pendingPromotion', true)
          .set('promotionStartedBy', actor)
          .set('promotionReason', event.reason)
          .setIfNotExists('spaceTasks', {})
          .set('updatedAt', now),
        and(groupIs.eq('role', group.role), noPendingPromotion),
      ),
      auditWrite({ siteId, actor, action: event.action, target: groupId, at: now, details: { before: { role: group.role }, after: { role } } }),
    ]);
    if (!started) return RETRY;
    return finishPendingPromotion(db, siteId, groupId, now, options);
  });
}
