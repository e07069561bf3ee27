import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSite, updateSite } from '../../shared/directory/sites';
import { forbidden } from '../../shared/domain/errors';
import { httpRoute } from '../../shared/http/route';
import { updateSiteRoute } from '../../shared/http/routes/update-site';
import { toSite } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(updateSiteRoute, async ({ params, body, caller, now }) => {
  // An operator learns no more than an admin would about which sites exist.
  await requireSite(db, params.siteId).catch(() => {
    throw forbidden();
  });
  return { body: toSite(await updateSite(db, params.siteId, body, caller.userId, now.toISOString())) };
});
