import { PERSON_KINDS, type Kind, type PersonStatus } from '../../domain/vocabulary';
import { invalidCursor } from '../cursor';
import type { Directory } from '../directory';
import { and, conditionsOn } from '../expressions';
import { EMAIL_CLAIM_PREFIX } from '../entities/email-claim';
import {
  byKindAndStatusPartition,
  byNamePartition,
  guestsByKindPartition,
  nameOrder,
  PersonItem,
  personKey,
  removedByKindPartition,
  searchText,
} from '../entities/person';
import { sitePartition } from '../key';
import { batchGetItems, foundItem, queryPages } from '../reads';
import type { IndexName } from '../table';

/**
 * The users list: everyone on the site, paid users and guests, removed people included, served by
 * Queries only. Each filter maps to the index partitions that hold exactly its people, and when
 * more than one partition holds them (all kinds, or all statuses) their pages are merged in the
 * order they share, so no partition is read further than the page needs:
 *
 * - no `q`: newest invitation first, from gsi1 (members by kind; the removed in their own
 *   partitions) or gsi2 (members by kind and status) — at most four partitions, each read from the
 *   cursor on, a page at a time;
 * - `q`: a prefix of the display name or the address, in the order of the matched text. Names come
 *   from gsi5 (lower-cased name, then id), addresses from the address claims (`EMAIL#<address>`,
 *   in the site's own partition, which every person keeps until deleted): a range read of each
 *   from the prefix on, merged, each person once. Kind and status then filter the matches: the
 *   prefix has narrowed the read to the matches already.
 */
export interface UserFilter {
  readonly kind?: Kind | undefined;
  readonly status?: PersonStatus | undefined;
  readonly q?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** One listed person at their place in a list's order: the key of the index they came from and its rank among the merged sources. */
interface Entry {
  readonly key: string;
  readonly rank: number;
  readonly person: PersonItem;
}

interface Position {
  readonly key: string;
  readonly rank: number;
}

type KeyAttribute = 'pk' | 'sk' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'gsi5pk' | 'gsi5sk';
const keyOf = conditionsOn<Record<KeyAttribute, string>>();

/** The highest code point: every text that starts with a prefix sorts at or below prefix + this. */
const TOP = '\u{10FFFF}';
const CLAIM_PREFIX = EMAIL_CLAIM_PREFIX;
/** DynamoDB's limit on a sort key value; a longer one in a key condition would be a 500. */
const MAX_SORT_KEY_BYTES = 1024;

/** DynamoDB orders string keys by their UTF-8 bytes, which is not JavaScript's UTF-16 order. */
const compareBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const ascending = (a: Position, b: Position) => compareBytes(a.key, b.key) || a.rank - b.rank;

export async function listUsers(db: Directory, siteId: string, filter: UserFilter): Promise<{ users: PersonItem[]; nextCursor?: string }> {
  const q = filter.q === undefined ? '' : searchText(filter.q.trim());
  const list = listId(filter, q);
  const after = filter.cursor === undefined ? undefined : decodeListCursor(filter.cursor, list, q);
  const want = filter.limit + 1;
  const found = q
    ? await mergeSources(matchSources(db, siteId, q, after, want), ascending, want, (entry) => matchesFilter(entry.person, filter) && firstMatch(entry, q))
    : await mergeSources(
        newestFirstSources(siteId, filter).map((source) => newestFirst(db, source, after?.key, want)),
        (a, b) => -ascending(a, b),
        want,
        () => true,
      );
  const page = found.slice(0, filter.limit);
  const last = page[page.length - 1];
  const nextCursor = found.length > filter.limit && last ? encodeListCursor(list, last) : undefined;
  return { users: page.map((entry) => entry.person), ...(nextCursor ? { nextCursor } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Without q: newest first, from the partitions of the kind and status asked for
// ---------------------------------------------------------------------------------------------

interface Partition {
  readonly index: IndexName;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly value: string;
}

function newestFirstSources(siteId: string, filter: UserFilter): Partition[] {
  const kinds: readonly Kind[] = filter.kind ? [filter.kind] : PERSON_KINDS;
  const gsi1 = (value: string): Partition => ({ index: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', value });
  const { status } = filter;
  if (status === 'removed') return kinds.map((kind) => gsi1(removedByKindPartition(siteId, kind)));
  if (status) return kinds.map((kind) => ({ index: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', value: byKindAndStatusPartition(siteId, kind, status) }));
  return kinds.flatMap((kind) => [gsi1(guestsByKindPartition(siteId, kind)), gsi1(removedByKindPartition(siteId, kind))]);
}

/** One partition, newest first, from just before `before` on (the sort keys are `<invitedAt>#<userId>`). */
async function* newestFirst(db: Directory, partition: Partition, before: string | undefined, pageSize: number): AsyncGenerator<Entry> {
  const keyCondition = and(keyOf.eq(partition.partitionKey, partition.value), before === undefined ? undefined : keyOf.lt(partition.sortKey, before));
  for await (const page of queryPages(db, { index: partition.index, keyCondition, newestFirst: true, pageSize })) {
    for (const item of page.items) yield { key: String(item[partition.sortKey]), rank: 0, person: PersonItem.parse(item) };
  }
}

// ---------------------------------------------------------------------------------------------
// With q: names (gsi5) and addresses (the address claims), by the text matched
// ---------------------------------------------------------------------------------------------

const NAME_RANK = 0;
const ADDRESS_RANK = 1;

function matchSources(db: Directory, siteId: string, q: string, after: Position | undefined, pageSize: number): AsyncGenerator<Entry>[] {
  return [namesFrom(db, siteId, q, after, pageSize), addressesFrom(db, siteId, q, after, pageSize)];
}

/** Names starting with `q`, after `after`: a range of gsi5 from there to the end of the prefix. */
async function* namesFrom(db: Directory, siteId: string, q: string, after: Position | undefined, pageSize: number): AsyncGenerator<Entry> {
  const keyCondition = and(keyOf.eq('gsi5pk', byNamePartition(siteId)), keyOf.between('gsi5sk', after?.key ?? q, q + TOP));
  for await (const page of queryPages(db, { index: 'gsi5', keyCondition, pageSize })) {
    for (const item of page.items) {
      const entry = { key: String(item.gsi5sk), rank: NAME_RANK, person: PersonItem.parse(item) };
      if (!after || ascending(entry, after) > 0) yield entry;
    }
  }
}

/**
 * Addresses starting with `q`, after `after`: a consistent range read of the claims, each page's
 * people read in one BatchGet.
 */
async function* addressesFrom(db: Directory, siteId: string, q: string, after: Position | undefined, pageSize: number): AsyncGenerator<Entry> {
  const keyCondition = and(keyOf.eq('pk', sitePartition(siteId)), keyOf.between('sk', CLAIM_PREFIX + (after?.key ?? q), CLAIM_PREFIX + q + TOP));
  for await (const page of queryPages(db, { keyCondition, consistent: true, pageSize })) {
    const claims = page.items.map((item) => ({ address: String(item.sk).slice(CLAIM_PREFIX.length), userId: String(item.userId) }));
    const people = await batchGetItems(db, claims.map((claim) => personKey(siteId, claim.userId)));
    for (const claim of claims) {
      const item = foundItem(people, personKey(siteId, claim.userId));
      if (!item) continue;
      const entry = { key: claim.address, rank: ADDRESS_RANK, person: PersonItem.parse(item) };
      if (!after || ascending(entry, after) > 0) yield entry;
    }
  }
}

const matchesFilter = (person: PersonItem, filter: UserFilter) =>
  (filter.kind === undefined || person.kind === filter.kind) && (filter.status === undefined || person.status === filter.status);

/**
 * A person whose name and address both match is listed once, where they come first in the order;
 * the check is on the person alone, so every page decides it the same way. An entry that only
 * matches through the separator of its key (`q` running into `#<userId>`) is no match.
 */
function firstMatch(entry: Entry, q: string): boolean {
  const { person } = entry;
  const nameMatches = person.displayName !== undefined && searchText(person.displayName).startsWith(q);
  const addressMatches = person.email.startsWith(q);
  if (entry.rank === NAME_RANK) return nameMatches && !(addressMatches && ascending({ key: person.email, rank: ADDRESS_RANK }, entry) < 0);
  return addressMatches && !(nameMatches && ascending({ key: nameOrder({ userId: person.userId, displayName: person.displayName! }), rank: NAME_RANK }, entry) < 0);
}

// ---------------------------------------------------------------------------------------------
// Merging and cursors
// ---------------------------------------------------------------------------------------------

/**
 * The first `want` entries `keep` accepts from sources each already in `order`, in that order. A
 * source is read on only when its head is taken, so each is read about as far as the page needs.
 */
async function mergeSources(
  sources: readonly AsyncGenerator<Entry>[],
  order: (a: Entry, b: Entry) => number,
  want: number,
  keep: (entry: Entry) => boolean,
): Promise<Entry[]> {
  const heads = await Promise.all(sources.map((source) => source.next()));
  const out: Entry[] = [];
  try {
    while (out.length < want) {
      let best = -1;
      heads.forEach((head, index) => {
        if (head.done) return;
        const current = heads[best];
        if (best < 0 || (current && !current.done && order(head.value, current.value) < 0)) best = index;
      });
      if (best < 0) break;
      const taken = heads[best]!;
      if (taken.done) break;
      heads[best] = await sources[best]!.next();
      if (keep(taken.value)) out.push(taken.value);
    }
  } finally {
    await Promise.all(sources.map((source) => source.return(undefined)));
  }
  return out;
}

/** Which list a cursor belongs to: a cursor continues only the list (kind, status and q) that gave it out. */
const listId = (filter: UserFilter, q: string) => JSON.stringify([filter.kind ?? '', filter.status ?? '', q]);

function encodeListCursor(list: string, last: Position): string {
  return Buffer.from(JSON.stringify({ list, key: last.key, rank: last.rank }), 'utf8').toString('base64url');
}

/**
 * A cursor this list gave out, or `validation_failed`: base64url JSON of the list, the last key and
 * its rank. With `q` the key must lie inside the prefix's range, so the range read stays valid.
 */
function decodeListCursor(text: string, list: string, q: string): Position {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor();
  const { list: cursorList, key, rank } = parsed as Record<string, unknown>;
  if (cursorList !== list || typeof key !== 'string' || key.length === 0 || (rank !== NAME_RANK && rank !== ADDRESS_RANK)) throw invalidCursor();
  if (Buffer.byteLength(CLAIM_PREFIX + key, 'utf8') > MAX_SORT_KEY_BYTES) throw invalidCursor();
  if (q ? compareBytes(key, q) < 0 || compareBytes(key, q + TOP) > 0 : rank !== NAME_RANK) throw invalidCursor();
  return { key, rank };
}
