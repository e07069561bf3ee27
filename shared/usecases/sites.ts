import { AppError, forbidden } from '../domain/errors';
import { adminListProblem, normalizeEmail } from '../domain/people';
import type { Directory } from '../directory/directory';
import type { SiteItem } from '../directory/entities/site';
import { createSite, getSite, updateSite, type CreatedSite, type NewSite, type SitePatch } from '../directory/sites';

/** An operator creates a site with its first admins, addresses normalised and checked first. */
export async function createSiteWithAdmins(db: Directory, input: NewSite, actor: string, now: Date): Promise<CreatedSite> {
  const admins = input.admins.map((admin) => ({ ...admin, email: normalizeEmail(admin.email) }));
  const problem = adminListProblem(admins.map((admin) => admin.email));
  if (problem) throw new AppError('validation_failed', problem.message, { issues: problem.issues });
  return createSite(db, { ...input, admins }, actor, now.toISOString());
}

/** An operator changes a site; an unknown site is the same 403 an admin gets, so none can be probed. */
export async function changeSite(db: Directory, siteId: string, patch: SitePatch, actor: string, now: Date): Promise<SiteItem> {
  if (!(await getSite(db, siteId))) throw forbidden();
  return updateSite(db, siteId, patch, actor, now.toISOString());
}
