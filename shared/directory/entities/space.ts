import * as z from 'zod/mini';
import { and, conditionsOn, itemAbsent, itemExists, update } from '../expressions';
import { sitePartition, type Key } from '../key';
import { putWrite, updateWrite, type Write } from '../writes';

export const SPACE_TYPE = 'space';
export const SPACE_PREFIX = 'SPACE#';

export const spaceKey = (siteId: string, key: string): Key => ({ pk: sitePartition(siteId), sk: `${SPACE_PREFIX}${key}` });

export const SpaceItem = z.object({
  siteId: z.string(),
  key: z.string(),
  name: z.string(),
  anonymousAccess: z.boolean(),
  guestCount: z.int(),
  createdAt: z.string(),
  /** Set while the space is being deleted: it takes no new guests and is no longer listed. */
  deleting: z.optional(z.string()),
});
export type SpaceItem = z.infer<typeof SpaceItem>;

export const spaceUpdate = () => update<SpaceItem>();
export const spaceIs = conditionsOn<SpaceItem>();

export const newSpaceWrite = (space: SpaceItem): Write => putWrite(spaceKey(space.siteId, space.key), { type: SPACE_TYPE, ...space }, itemAbsent);

/** A space being deleted takes no new guests; releasing a guest from it is always fine. */
export function spaceGuestCountWrite(siteId: string, key: string, by: number): Write {
  return updateWrite(spaceKey(siteId, key), spaceUpdate().add('guestCount', by), by > 0 ? and(itemExists, spaceIs.attributeNotExists('deleting')) : itemExists);
}
