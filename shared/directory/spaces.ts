import { AppError, conflict, notFound } from '../domain/errors';
import type { Directory } from './directory';
import { and, conditionsOn, itemExists } from './expressions';
import { auditWrite } from './entities/audit-event';
import { guestsBySpacePartition, PersonItem, personIs, personKey, personUpdate } from './entities/person';
import { newSpaceWrite, SPACE_PREFIX, spaceGuestCountWrite, spaceIs, spaceKey, SpaceItem, spaceUpdate } from './entities/space';
import { sitePartition } from './key';
import { queryAll, queryOnePage, readItem } from './reads';
import { sleep } from './retry';
import { writeOne } from './single';
import { commitWrites, commitWritesIfUnchanged, TransactionRefused } from './transact';
import { deleteWrite, updateWrite } from './writes';

/** Spaces of a site: the catalogue invites and assignments refer to. */
export async function createSpace(
  db: Directory,
  input: { siteId: string; key: string; name: string; anonymousAccess: boolean },
  actor: string,
  now: string,
): Promise<SpaceItem> {
  const space: SpaceItem = { siteId: input.siteId, key: input.key, name: input.name, anonymousAccess: input.anonymousAccess, guestCount: 0, createdAt: now };
  try {
    await commitWrites(db, [
      newSpaceWrite(space),
      auditWrite({ siteId: input.siteId, actor, action: 'space.created', target: input.key, at: now, details: { name: input.name, anonymousAccess: input.anonymousAccess } }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) throw conflict(`A space with key ${input.key} already exists.`);
    throw error;
  }
  return space;
}

const tableKey = conditionsOn<{ pk: string; sk: string }>();

/** The items of a site whose sort key starts with `prefix` (one entity's items). */
export async function queryPrefix<T>(db: Directory, siteId: string, prefix: string, schema: { parse: (value: unknown) => T }): Promise<T[]> {
  const items = await queryAll(db, { keyCondition: and(tableKey.eq('pk', sitePartition(siteId)), tableKey.beginsWith('sk', prefix)) });
  return items.map((item) => schema.parse(item));
}

export async function listSpaces(db: Directory, siteId: string): Promise<SpaceItem[]> {
  return (await queryPrefix(db, siteId, SPACE_PREFIX, SpaceItem)).filter((space) => !space.deleting);
}

export async function requireSpace(db: Directory, siteId: string, key: string): Promise<SpaceItem> {
  const space = await readItem(db, spaceKey(siteId, key), SpaceItem);
  if (!space) throw notFound(`The space ${key}`);
  return space;
}

export async function updateSpace(
  db: Directory,
  siteId: string,
  key: string,
  patch: { name?: string | undefined; anonymousAccess?: boolean | undefined },
  actor: string,
  now: string,
): Promise<SpaceItem> {
  const before = await requireSpace(db, siteId, key);
  const after: SpaceItem = { ...before, ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.anonymousAccess !== undefined ? { anonymousAccess: patch.anonymousAccess } : {}) };
  try {
    await commitWrites(db, [
      updateWrite(spaceKey(siteId, key), spaceUpdate().set('name', after.name).set('anonymousAccess', after.anonymousAccess), and(itemExists, spaceIs.attributeNotExists('deleting'))),
      auditWrite({
        siteId,
        actor,
        action: 'space.updated',
        target: key,
        at: now,
        details: { before: { name: before.name, anonymousAccess: before.anonymousAccess }, after: { name: after.name, anonymousAccess: after.anonymousAccess } },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) throw notFound(`The space ${key}`);
    throw error;
  }
  return { ...after, guestCount: before.guestCount };
}

/** Guests unassigned per transaction while deleting a space (one item each, plus the space). */
const UNASSIGN_CHUNK = 40;
const INDEX_WAIT_ROUNDS = 20;
const INDEX_WAIT_MS = 250;

const guestIndex = conditionsOn<{ gsi3pk: string }>();

/**
 * Deletes a space; its guests keep their app access and lose the space. A recoverable batch: the
 * space is first marked `deleting` (no new assignments), its guests are unassigned in chunks that
 * also count them off the space, and the space goes, with the audit event, once its strongly
 * consistent guest count is zero. The guest index lags the table in AWS, so an empty index page
 * with guests still counted means "wait for the index", never "done". A crash or a slow index
 * leaves the mark, and deleting again resumes.
 */
export async function deleteSpace(db: Directory, siteId: string, key: string, actor: string, now: string): Promise<void> {
  await requireSpace(db, siteId, key);
  await writeOne(db, updateWrite(spaceKey(siteId, key), spaceUpdate().set('deleting', now), itemExists));
  const unassigned: string[] = [];
  for (let waitedForIndex = 0; ; ) {
    const page = await queryOnePage(db, { index: 'gsi3', keyCondition: guestIndex.eq('gsi3pk', guestsBySpacePartition(siteId, key)), pageSize: UNASSIGN_CHUNK });
    const guests = page.items.map((item) => PersonItem.parse(item)).filter((guest) => guest.spaceKey === key);
    if (guests.length === 0) {
      const space = await requireSpace(db, siteId, key);
      if (space.guestCount <= 0) break;
      if (++waitedForIndex > INDEX_WAIT_ROUNDS) {
        throw new AppError('service_unavailable', 'The space still has guests being unassigned; delete it again in a moment to finish.');
      }
      await sleep(INDEX_WAIT_MS);
      continue;
    }
    const committed = await commitWritesIfUnchanged(db, [
      ...guests.map((guest) =>
        updateWrite(personKey(siteId, guest.userId), personUpdate().set('gsi3pk', guestsBySpacePartition(siteId, undefined)).remove('spaceKey'), personIs.eq('spaceKey', key)),
      ),
      spaceGuestCountWrite(siteId, key, -guests.length),
    ]);
    // Refused: a guest moved meanwhile; the next page re-reads the index and the count.
    if (committed) unassigned.push(...guests.map((guest) => guest.userId));
  }
  const deleted = await commitWritesIfUnchanged(db, [
    deleteWrite(spaceKey(siteId, key), and(itemExists, spaceIs.le('guestCount', 0))),
    auditWrite({ siteId, actor, action: 'space.deleted', target: key, at: now, details: { unassignedGuests: unassigned } }),
  ]);
  if (!deleted) throw new AppError('service_unavailable', 'The space changed while it was being deleted; delete it again to finish.');
}
