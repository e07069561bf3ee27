import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { assignSpaceRoute } from '../../shared/http/routes/assign-space';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toPerson } from '../../shared/http/views';
import { assignGuestSpace } from '../../shared/usecases/onboarding';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  assignSpaceRoute,
  async ({ params, body, admin, now }) => ({ body: toPerson(await assignGuestSpace(deps, params.siteId, params.userId, body.spaceKey, admin.userId, now)) }),
  { siteAdmin: siteAdminsIn(deps.db) },
);
