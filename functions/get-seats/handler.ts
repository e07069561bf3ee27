import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { getSeatsRoute } from '../../shared/http/routes/get-seats';
import { toSeats } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(getSeatsRoute, async ({ admin }) => ({ body: toSeats(admin.site) }), { siteAdmin: siteAdminsIn(db) });
