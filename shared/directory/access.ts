import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/errors';
import type { Directory } from './directory';
import { PersonItem, SiteItem, SpaceItem } from './items';
import { keys, type Key } from './keys';

export interface AccessFacts {
  readonly person: PersonItem | null;
  readonly space: SpaceItem | null;
  readonly site: SiteItem | null;
}

const MAX_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Everything an access decision needs, in one round trip: a strongly consistent BatchGetItem of
 * three items of the caller's site partition (repeated only for keys DynamoDB leaves unprocessed). Three is the minimum because the facts live on three
 * items that exist for other reasons: the person (membership, status, kind, assigned space, two-step
 * enrolment, last verification), the space (its anonymous-access flag) and the site (the
 * external-user policy). Denormalising any of them onto the person would need a fan-out write on
 * every space or policy change. Every key is built from the path's siteId, so a user of another site
 * is simply absent here and can never be answered with another site's data.
 */
export async function readAccessFacts(db: Directory, siteId: string, userId: string, spaceKey: string): Promise<AccessFacts> {
  const wanted = { person: keys.person(siteId, userId), space: keys.space(siteId, spaceKey), site: keys.site(siteId) };
  const found = new Map<string, Record<string, unknown>>();
  let pending: Key[] = Object.values(wanted);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new AppError('service_unavailable', 'The directory is busy; try again shortly.');
    }
    if (attempt > 1) {
      // Unprocessed keys mean the partition is throttled right now; full jitter spreads the retries.
      await sleep(Math.random() * Math.min(500, 20 * 2 ** attempt));
    }
    const { Responses, UnprocessedKeys } = await db.client.send(
      new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of Responses?.[db.tableName] ?? []) found.set(keyId(item), item);
    pending = (UnprocessedKeys?.[db.tableName]?.Keys ?? []).map(toKey);
  }
  const item = (key: Key) => found.get(keyId(key));
  const person = item(wanted.person);
  const space = item(wanted.space);
  const site = item(wanted.site);
  return {
    person: person ? PersonItem.parse(person) : null,
    space: space ? SpaceItem.parse(space) : null,
    site: site ? SiteItem.parse(site) : null,
  };
}

// Items are matched to the keys asked for by their own key, never by position or type: BatchGet
// returns items in any order, and this way an item can only ever answer for the key that named it.
const keyId = (item: { readonly pk?: unknown; readonly sk?: unknown }) => JSON.stringify([item.pk, item.sk]);

function toKey(raw: Record<string, unknown>): Key {
  return { pk: String(raw.pk), sk: String(raw.sk) };
}
