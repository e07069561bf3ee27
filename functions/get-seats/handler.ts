import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { SiteParams } from '../../shared/http/schemas';
import { toSeats } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  handle: async ({ params, caller }) => {
    const { site } = await requireSiteAdmin(db, params.siteId, caller);
    return { body: toSeats(site) };
  },
});
