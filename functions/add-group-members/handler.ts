import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { addGroupMembersRoute } from '../../shared/http/routes/add-group-members';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toGroup } from '../../shared/http/views';
import { addMembers } from '../../shared/usecases/groups';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  addGroupMembersRoute,
  async ({ params, body, admin, now }) => ({ body: toGroup(await addMembers(deps, params.siteId, params.groupId, body.userIds, admin.userId, now)) }),
  { siteAdmin: siteAdminsIn(deps.db) },
);
