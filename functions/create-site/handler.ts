import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { createSiteRoute } from '../../shared/http/routes/create-site';
import { toSite } from '../../shared/http/views';
import { createSiteWithAdmins } from '../../shared/usecases/sites';

const db = directoryFromEnvironment();

export const handler = httpRoute(createSiteRoute, async ({ body, caller, now }) => {
  const created = await createSiteWithAdmins(db, body, caller.userId, now);
  const warnings = created.site.wikiUrl
    ? []
    : [{ code: 'no_wiki_url', message: 'The site has no wikiUrl: welcome emails will carry no button to the wiki. Set it with PATCH /sites/{siteId}.' }];
  return { status: 201, body: { ...toSite(created.site), admins: created.admins, ...(warnings.length > 0 ? { warnings } : {}) } };
});
