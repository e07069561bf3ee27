import { httpRoute } from '../../shared/http/route';
import { getSeatsRoute } from '../../shared/http/routes/get-seats';
import { toSeats } from '../../shared/http/views';

export const handler = httpRoute(getSeatsRoute, async ({ admin }) => ({ body: toSeats(admin.site) }));
