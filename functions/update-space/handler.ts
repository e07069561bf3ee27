import { updateSpace } from '../../shared/directory/catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { SpaceParams, SpacePatchBody } from '../../shared/http/schemas';
import { toSpace } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SpaceParams,
  body: SpacePatchBody,
  handle: async ({ params, body, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    return { body: toSpace(await updateSpace(db, params.siteId, params.key, body, caller.userId, now)) };
  },
});
