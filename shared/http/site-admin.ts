import { forbidden } from '../domain/errors';
import type { Directory } from '../directory/directory';
import { OrgAdminItem, orgAdminKey } from '../directory/entities/org-admin';
import { PersonItem, personKey } from '../directory/entities/person';
import { SiteItem, siteKey } from '../directory/entities/site';
import { readItem } from '../directory/reads';
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
    readItem(db, siteKey(siteId), SiteItem),
    readItem(db, personKey(siteId, caller.userId), PersonItem),
  ]);
  if (!site) throw forbidden();
  if (person?.adminRole && person.status === 'active') return { site, userId: caller.userId, displayName: person.displayName ?? person.email };
  const orgAdmin = await readItem(db, orgAdminKey(site.orgId, caller.userId), OrgAdminItem);
  if (orgAdmin) return { site, userId: caller.userId, displayName: orgAdmin.displayName ?? orgAdmin.email };
  throw forbidden();
}

/** How an admin route's chain finds its admin; given by the handler, so only admin routes bundle it. */
export type SiteAdminLookup = (siteId: string, caller: Caller) => Promise<SiteAdmin>;

export const siteAdminsIn =
  (db: Directory): SiteAdminLookup =>
  (siteId, caller) =>
    requireSiteAdmin(db, siteId, caller);
