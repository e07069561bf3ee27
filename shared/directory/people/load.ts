import { notFound } from '../../domain/errors';
import type { Directory } from '../directory';
import { PersonItem, personKey } from '../entities/person';
import { SiteItem, siteKey } from '../entities/site';
import { readItem } from '../reads';
import { decideAndCommit, type RETRY } from '../transact';

export interface Loaded {
  readonly person: PersonItem;
  readonly site: SiteItem;
}

/** The person and their site, read together: every lifecycle decision needs both. */
export async function loadPerson(db: Directory, siteId: string, userId: string): Promise<Loaded> {
  const [person, site] = await Promise.all([readItem(db, personKey(siteId, userId), PersonItem), readItem(db, siteKey(siteId), SiteItem)]);
  if (!site || !person) throw notFound('The user');
  return { person, site };
}

/** One person of the site, or 404. */
export async function requirePerson(db: Directory, siteId: string, userId: string): Promise<PersonItem> {
  const person = await readItem(db, personKey(siteId, userId), PersonItem);
  if (!person) throw notFound('The user');
  return person;
}

export const personRetries = <T>(attempt: () => Promise<T | typeof RETRY>) => decideAndCommit(attempt, 'person');
