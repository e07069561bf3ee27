import { directoryFromEnvironment } from '../../shared/directory/directory';
import { unassignSpace } from '../../shared/directory/people/space';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { unassignSpaceRoute } from '../../shared/http/routes/unassign-space';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(unassignSpaceRoute, async ({ params, admin, now }) => ({
  body: toPerson(await unassignSpace(db, params.siteId, params.userId, admin.userId, now.toISOString())),
}), { siteAdmin: siteAdminsIn(db) });
