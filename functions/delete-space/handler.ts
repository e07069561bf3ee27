import { deleteSpace } from '../../shared/directory/catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { SpaceParams } from '../../shared/http/schemas';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SpaceParams,
  handle: async ({ params, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    await deleteSpace(db, params.siteId, params.key, caller.userId, now);
    return { status: 204 };
  },
});
