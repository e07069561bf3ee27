import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { forbidden } from '../domain/errors';
import { getItem, type Directory } from '../directory/directory';
import { PersonItem, SiteItem } from '../directory/items';
import { keys } from '../directory/keys';
import type { Caller } from './caller';

/**
 * Rule 4: only org admins of the site's org and site admins of the site. The answer for a site
 * that does not exist is the same 403, so callers cannot probe which sites exist.
 */
export interface SiteAdmin {
  readonly site: SiteItem;
  readonly userId: string;
  /** How the admin is named to the people they invite (their name, else their address). */
  readonly displayName: string | undefined;
}

export async function requireSiteAdmin(db: Directory, siteId: string, caller: Caller): Promise<SiteAdmin> {
  const [site, person] = await Promise.all([
    getItem(db, keys.site(siteId), SiteItem),
    getItem(db, keys.person(siteId, caller.userId), PersonItem),
  ]);
  if (!site) throw forbidden();
  if (person?.adminRole && person.status === 'active') return { site, userId: caller.userId, displayName: person.displayName ?? person.email };
  const { Item: orgAdmin } = await db.client.send(new GetCommand({ TableName: db.tableName, Key: keys.orgAdmin(site.orgId, caller.userId), ConsistentRead: true }));
  if (orgAdmin) {
    const name = typeof orgAdmin.displayName === 'string' ? orgAdmin.displayName : typeof orgAdmin.email === 'string' ? orgAdmin.email : undefined;
    return { site, userId: caller.userId, displayName: name };
  }
  throw forbidden();
}

/** How an admin route's chain finds its admin; given by the handler, so only admin routes bundle it. */
export type SiteAdminLookup = (siteId: string, caller: Caller) => Promise<SiteAdmin>;

export const siteAdminsIn =
  (db: Directory): SiteAdminLookup =>
  (siteId, caller) =>
    requireSiteAdmin(db, siteId, caller);
