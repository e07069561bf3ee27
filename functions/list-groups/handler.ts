import { listGroups } from '../../shared/directory/catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { SiteParams } from '../../shared/http/schemas';
import { toGroup } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  handle: async ({ params, caller }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const groups = await listGroups(db, params.siteId);
    return { body: { groups: groups.map(toGroup) } };
  },
});
