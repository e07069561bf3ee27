import type { Directory } from './directory';
import { PersonItem, personKey } from './entities/person';
import { SiteItem, siteKey } from './entities/site';
import { SpaceItem, spaceKey } from './entities/space';
import type { Key } from './key';
import { batchGetItems, foundItem } from './reads';
import { LATENCY_BACKOFF } from './retry';

export interface AccessFacts {
  readonly person: PersonItem | null;
  readonly space: SpaceItem | null;
  readonly site: SiteItem | null;
}

/**
 * Everything an access decision needs, in one round trip: a strongly consistent BatchGetItem of
 * three items of the caller's site partition (repeated only for keys DynamoDB leaves unprocessed).
 * Items are matched to the keys asked for by their own key, never by position, so an item can only
 * answer for the key that named it. Three is the minimum because the facts live on three items that exist for other reasons: the person (membership, status, kind, assigned space, two-step
 * enrolment, last verification), the space (its anonymous-access flag) and the site (the
 * external-user policy). Denormalising any of them onto the person would need a fan-out write on
 * every space or policy change. Every key is built from the path's siteId, so a user of another site
 * is simply absent here and can never be answered with another site's data.
 */
export async function readAccessFacts(db: Directory, siteId: string, userId: string, spaceKeyValue: string): Promise<AccessFacts> {
  const wanted = { person: personKey(siteId, userId), space: spaceKey(siteId, spaceKeyValue), site: siteKey(siteId) };
  // Unprocessed keys are asked again with short waits: this read is on every guest page view.
  const found = await batchGetItems(db, Object.values(wanted), LATENCY_BACKOFF);
  const item = (key: Key) => foundItem(found, key);
  const person = item(wanted.person);
  const space = item(wanted.space);
  const site = item(wanted.site);
  return {
    person: person ? PersonItem.parse(person) : null,
    space: space ? SpaceItem.parse(space) : null,
    site: site ? SiteItem.parse(site) : null,
  };
}

