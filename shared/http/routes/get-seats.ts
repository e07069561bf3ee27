import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Seats, SiteParams } from '../schemas';

export const getSeatsRoute = defineRoute({
  name: 'get-seats',
  method: 'GET',
  path: '/sites/{siteId}/seats',
  auth: 'admin',
  summary: 'Seat usage and limits',
  params: SiteParams,
  responses: { 200: { description: 'Seat usage and limits.', schema: Seats }, ...errors(ADMIN_ERRORS) },
  table: 'read',
});
