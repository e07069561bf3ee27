import { createSpace } from '../../shared/directory/catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { SiteParams, SpaceBody } from '../../shared/http/schemas';
import { toSpace } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  body: SpaceBody,
  handle: async ({ params, body, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const space = await createSpace(db, { siteId: params.siteId, ...body }, caller.userId, now);
    return { status: 201, body: toSpace(space) };
  },
});
