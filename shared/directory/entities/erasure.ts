import * as z from 'zod/mini';
import { PERSON_KINDS } from '../../domain/vocabulary';
import { and, conditionsOn, itemExists } from '../expressions';
import { sitePartition, type Key } from '../key';
import { epochSeconds } from '../time';
import { deleteWrite, putWrite, type Write } from '../writes';

/** A deleted person's data during the grace period before erasure. */
export const ERASURE_TYPE = 'erasure';
/** gsi4 partition of people waiting for their personal data to be erased (sparse, due date order). */
export const ERASURE_PARTITION = 'ERASURE';

export const erasureKey = (siteId: string, userId: string): Key => ({ pk: sitePartition(siteId), sk: `ERASURE#${userId}` });

export const ErasureTombstone = z.object({
  siteId: z.string(),
  userId: z.string(),
  email: z.string(),
  displayName: z.optional(z.string()),
  kind: z.enum(PERSON_KINDS),
  deletedAt: z.string(),
  eraseAfter: z.string(),
  /** The invitation holds the address and the inviter's message: it goes with the person. */
  invitationId: z.optional(z.string()),
});
export type ErasureTombstone = z.infer<typeof ErasureTombstone>;

interface ErasureIndex {
  gsi4pk: string;
  gsi4sk: string;
}
export const erasureIs = conditionsOn<ErasureIndex>();

/** The due-index sort key orders tombstones by due date; `~` sorts after every id. */
export const dueErasures = (now: string) => and(erasureIs.eq('gsi4pk', ERASURE_PARTITION), erasureIs.le('gsi4sk', `${now}#~`));

export function tombstoneWrite(tombstone: ErasureTombstone): Write {
  return putWrite(erasureKey(tombstone.siteId, tombstone.userId), {
    type: ERASURE_TYPE,
    ...tombstone,
    gsi4pk: ERASURE_PARTITION,
    gsi4sk: `${tombstone.eraseAfter}#${tombstone.siteId}#${tombstone.userId}`,
    // The table's TTL is the backstop should the erasure job not run.
    ttl: epochSeconds(tombstone.eraseAfter),
  });
}

export const eraseTombstoneWrite = (siteId: string, userId: string): Write => deleteWrite(erasureKey(siteId, userId), itemExists);
