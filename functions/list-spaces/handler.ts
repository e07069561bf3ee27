import { listSpaces } from '../../shared/directory/spaces';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { listSpacesRoute } from '../../shared/http/routes/list-spaces';
import { toSpace } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(listSpacesRoute, async ({ params }) => ({ body: { spaces: (await listSpaces(db, params.siteId)).map(toSpace) } }), { siteAdmin: siteAdminsIn(db) });
