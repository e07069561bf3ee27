import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { promoteGroupRoute } from '../../shared/http/routes/promote-group';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toGroup } from '../../shared/http/views';
import { promoteWholeGroup } from '../../shared/usecases/groups';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  promoteGroupRoute,
  async ({ params, admin, now }) => ({ body: toGroup(await promoteWholeGroup(deps, params.siteId, params.groupId, admin.userId, now)) }),
  { siteAdmin: siteAdminsIn(deps.db) },
);
