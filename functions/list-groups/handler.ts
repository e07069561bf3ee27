import { listGroups } from '../../shared/directory/group-catalog';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { listGroupsRoute } from '../../shared/http/routes/list-groups';
import { toGroup } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(listGroupsRoute, async ({ params }) => ({ body: { groups: (await listGroups(db, params.siteId)).map(toGroup) } }), { siteAdmin: siteAdminsIn(db) });
