import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { GuestList, GuestListQuery, SiteParams } from '../schemas';

export const listGuestsRoute = defineRoute({
  name: 'list-guests',
  method: 'GET',
  path: '/sites/{siteId}/guests',
  auth: 'admin',
  summary: 'List guests, newest first, by status, space or no space',
  params: SiteParams,
  query: GuestListQuery,
  responses: { 200: { description: 'One page of the site’s guests, newest first.', schema: GuestList }, ...errors(ADMIN_ERRORS) },
  table: 'read',
});
