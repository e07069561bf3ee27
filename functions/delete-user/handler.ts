import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { deleteUserRoute } from '../../shared/http/routes/delete-user';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { deleteAndRevoke } from '../../shared/usecases/people';

const deps = { db: directoryFromEnvironment(), sfn };

export const handler = httpRoute(
  deleteUserRoute,
  async ({ params, admin, now }) => {
    const { eraseAfter } = await deleteAndRevoke(deps, params.siteId, params.userId, admin.userId, now);
    return { status: 202, body: { userId: params.userId, eraseAfter } };
  },
  { siteAdmin: siteAdminsIn(deps.db) },
);
