import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { updateSiteRoute } from '../../shared/http/routes/update-site';
import { toSite } from '../../shared/http/views';
import { changeSite } from '../../shared/usecases/sites';

const db = directoryFromEnvironment();

export const handler = httpRoute(updateSiteRoute, async ({ params, body, caller, now }) => ({
  body: toSite(await changeSite(db, params.siteId, body, caller.userId, now)),
}));
