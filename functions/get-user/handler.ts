import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requirePerson } from '../../shared/directory/people/load';
import { httpRoute } from '../../shared/http/route';
import { getUserRoute } from '../../shared/http/routes/get-user';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(getUserRoute, async ({ params }) => ({ body: toPerson(await requirePerson(db, params.siteId, params.userId)) }), {
  siteAdmin: siteAdminsIn(db),
});
