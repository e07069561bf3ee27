import { updateSpace } from '../../shared/directory/spaces';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { updateSpaceRoute } from '../../shared/http/routes/update-space';
import { toSpace } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(updateSpaceRoute, async ({ params, body, admin, now }) => ({
  body: toSpace(await updateSpace(db, params.siteId, params.key, body, admin.userId, now.toISOString())),
}), { siteAdmin: siteAdminsIn(db) });
