import type { PersonStatus } from '../../domain/vocabulary';
import { decodeCursor, encodeCursor } from '../cursor';
import type { Directory } from '../directory';
import { conditionsOn } from '../expressions';
import { guestsByKindPartition, guestsBySpacePartition, guestsByStatusPartition, PersonItem, personIndexKeys, personIs, personKey } from '../entities/person';
import { sitePartition } from '../key';
import { queryPages } from '../reads';
import type { IndexName } from '../table';

export interface GuestFilter {
  readonly status?: PersonStatus | undefined;
  readonly spaceKey?: string | undefined;
  readonly noSpace?: boolean | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

type IndexAttributes = Record<'gsi1pk' | 'gsi2pk' | 'gsi3pk', string>;
const index = conditionsOn<IndexAttributes>();

/**
 * The guest list, newest first, from the index that matches the filter: by space (or none), by
 * status, or all guests. Only a space plus status filter reads more than it returns, and then only
 * within that space's guests.
 */
export async function listGuests(db: Directory, siteId: string, filter: GuestFilter): Promise<{ guests: PersonItem[]; nextCursor?: string }> {
  const bySpace = filter.noSpace ? '-' : filter.spaceKey;
  const [indexName, keyAttribute, sortAttribute, keyValue]: [IndexName, keyof IndexAttributes, string, string] =
    bySpace !== undefined
      ? ['gsi3', 'gsi3pk', 'gsi3sk', guestsBySpacePartition(siteId, bySpace === '-' ? undefined : bySpace)]
      : filter.status
        ? ['gsi2', 'gsi2pk', 'gsi2sk', guestsByStatusPartition(siteId, filter.status)]
        : ['gsi1', 'gsi1pk', 'gsi1sk', guestsByKindPartition(siteId, 'guest')];
  const statusFilter = bySpace !== undefined && filter.status ? filter.status : undefined;
  const startKey = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, { pk: sitePartition(siteId), [keyAttribute]: keyValue });
  // Reads one guest past the page, so a cursor is only handed out when another guest follows.
  const found: PersonItem[] = [];
  for await (const page of queryPages(db, {
    index: indexName,
    keyCondition: index.eq(keyAttribute, keyValue),
    filter: statusFilter ? personIs.eq('status', statusFilter) : undefined,
    newestFirst: true,
    pageSize: filter.limit + 1,
    startKey,
  })) {
    for (const item of page.items) found.push(PersonItem.parse(item));
    if (found.length > filter.limit) break;
  }
  const guests = found.slice(0, filter.limit);
  const last = guests[guests.length - 1];
  const nextCursor =
    found.length > filter.limit && last
      ? encodeCursor({ ...personKey(siteId, last.userId), [keyAttribute]: keyValue, [sortAttribute]: personIndexKeys(last)[sortAttribute]! })
      : undefined;
  return { guests, ...(nextCursor ? { nextCursor } : {}) };
}
