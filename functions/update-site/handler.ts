import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSite, updateSite } from '../../shared/directory/sites';
import { forbidden } from '../../shared/domain/errors';
import { httpRoute } from '../../shared/http/route';
import { SiteParams, UpdateSiteBody } from '../../shared/http/schemas';
import { toSite } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  scope: 'sites:manage',
  params: SiteParams,
  body: UpdateSiteBody,
  handle: async ({ params, body, caller, now }) => {
    await requireSite(db, params.siteId).catch(() => {
      throw forbidden();
    });
    const site = await updateSite(db, params.siteId, body, caller.userId, now);
    return { body: toSite(site) };
  },
});
