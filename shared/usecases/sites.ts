import { AppError, forbidden } from '../domain/errors';
import { normalizeDomains, verifiedDomainsProblem } from '../domain/external-policy';
import { canonicalEmail } from '../domain/email-address';
import { adminListProblem } from '../domain/people';
import { wikiUrlProblem } from '../domain/wiki-links';
import type { Directory } from '../directory/directory';
import type { SiteItem } from '../directory/entities/site';
import { createSite, getSite, updateSite, type CreatedSite, type NewSite, type SitePatch } from '../directory/sites';

/** An operator's verified domains, checked and stored lower-cased, each once; a bad one is a 400 naming it. */
function checkedDomains(domains: readonly string[] | undefined): string[] | undefined {
  if (domains === undefined) return undefined;
  const problem = verifiedDomainsProblem(domains);
  if (problem) throw new AppError('validation_failed', problem.message, { issues: problem.issues });
  return normalizeDomains(domains);
}

/** The wiki's address as stored: trailing slashes trimmed; a bad one is a 400 naming `body.wikiUrl`. */
function checkedWikiUrl<T extends string | null | undefined>(url: T): T {
  if (typeof url !== 'string') return url;
  const problem = wikiUrlProblem(url);
  if (problem) throw new AppError('validation_failed', problem, { issues: [{ path: 'body.wikiUrl', message: problem }] });
  return url.replace(/\/+$/, '') as T;
}

/** An operator creates a site with its first admins, addresses normalised and checked first. */
export async function createSiteWithAdmins(db: Directory, input: NewSite, actor: string, now: Date): Promise<CreatedSite> {
  const emails = input.admins.map((admin) => canonicalEmail(admin.email));
  const problem = adminListProblem(emails);
  if (problem) throw new AppError('validation_failed', problem.message, { issues: problem.issues });
  // Every null was refused just above; the fallback only satisfies the type.
  const admins = input.admins.map((admin, index) => ({ ...admin, email: emails[index] ?? admin.email }));
  return createSite(db, { ...input, admins, verifiedDomains: checkedDomains(input.verifiedDomains), wikiUrl: checkedWikiUrl(input.wikiUrl) }, actor, now.toISOString());
}

/** An operator changes a site; an unknown site is the same 403 an admin gets, so none can be probed. */
export async function changeSite(db: Directory, siteId: string, patch: SitePatch, actor: string, now: Date): Promise<SiteItem> {
  const verifiedDomains = checkedDomains(patch.verifiedDomains);
  const wikiUrl = checkedWikiUrl(patch.wikiUrl);
  if (!(await getSite(db, siteId))) throw forbidden();
  return updateSite(db, siteId, { ...patch, ...(verifiedDomains ? { verifiedDomains } : {}), wikiUrl }, actor, now.toISOString());
}
