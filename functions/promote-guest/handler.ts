import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { promoteGuestRoute } from '../../shared/http/routes/promote-guest';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toPerson } from '../../shared/http/views';
import { promoteToPaid } from '../../shared/usecases/people';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  promoteGuestRoute,
  async ({ params, admin, now }) => ({ body: toPerson(await promoteToPaid(deps, params.siteId, params.userId, admin.userId, now)) }),
  { siteAdmin: siteAdminsIn(deps.db) },
);
