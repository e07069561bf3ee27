import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { SiteParams, UserList, UserListQuery } from '../schemas';

export const listUsersRoute = defineRoute({
  name: 'list-users',
  method: 'GET',
  path: '/sites/{siteId}/users',
  auth: 'admin',
  summary: 'List everyone on the site, paid users and guests, removed people included: by kind, status or the start of a name or address',
  params: SiteParams,
  query: UserListQuery,
  responses: {
    200: { description: 'One page of the site’s people: newest first, or with `q` in the order of the name or address matched.', schema: UserList },
    ...errors(ADMIN_ERRORS),
  },
  table: 'read',
});
