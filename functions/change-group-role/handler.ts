import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { changeGroupRoleRoute } from '../../shared/http/routes/change-group-role';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toGroup } from '../../shared/http/views';
import { changeRole } from '../../shared/usecases/groups';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  changeGroupRoleRoute,
  async ({ params, body, admin, now }) => ({ body: toGroup(await changeRole(deps, params.siteId, params.groupId, body.role, admin.userId, now)) }),
  { siteAdmin: siteAdminsIn(deps.db) },
);
