import { deleteSpace } from '../../shared/directory/spaces';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { deleteSpaceRoute } from '../../shared/http/routes/delete-space';

const db = directoryFromEnvironment();

export const handler = httpRoute(deleteSpaceRoute, async ({ params, admin, now }) => {
  await deleteSpace(db, params.siteId, params.key, admin.userId, now.toISOString());
  return { status: 204 };
}, { siteAdmin: siteAdminsIn(db) });
