import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Person, UserParams } from '../schemas';

export const getUserRoute = defineRoute({
  name: 'get-user',
  method: 'GET',
  path: '/sites/{siteId}/users/{userId}',
  auth: 'admin',
  summary: 'One person of the site',
  params: UserParams,
  responses: { 200: { description: 'The person.', schema: Person }, ...errors([...ADMIN_ERRORS, 404]) },
  table: 'read',
});
