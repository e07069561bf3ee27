import { directoryFromEnvironment } from '../../shared/directory/directory';
import { reactivatePerson } from '../../shared/directory/people/status';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { reactivateUserRoute } from '../../shared/http/routes/reactivate-user';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(reactivateUserRoute, async ({ params, admin, now }) => ({
  body: toPerson(await reactivatePerson(db, params.siteId, params.userId, admin.userId, now.toISOString())),
}), { siteAdmin: siteAdminsIn(db) });
