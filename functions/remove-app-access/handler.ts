import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { removeAppAccessRoute } from '../../shared/http/routes/remove-app-access';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { removeGuestAccess } from '../../shared/usecases/people';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  removeAppAccessRoute,
  async ({ params, admin, now }) => {
    await removeGuestAccess(deps, params.siteId, params.userId, admin.userId, now);
    return { status: 204 };
  },
  { siteAdmin: siteAdminsIn(deps.db) },
);
