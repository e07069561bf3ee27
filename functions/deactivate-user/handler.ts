import { directoryFromEnvironment } from '../../shared/directory/directory';
import { deactivatePerson } from '../../shared/directory/people/status';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { deactivateUserRoute } from '../../shared/http/routes/deactivate-user';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(deactivateUserRoute, async ({ params, admin, now }) => ({
  body: toPerson(await deactivatePerson(db, params.siteId, params.userId, admin.userId, now.toISOString())),
}), { siteAdmin: siteAdminsIn(db) });
