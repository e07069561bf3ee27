import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Person, UserParams } from '../schemas';

export const reactivateUserRoute = defineRoute({
  name: 'reactivate-user',
  method: 'POST',
  path: '/sites/{siteId}/users/{userId}/reactivate',
  auth: 'admin',
  summary: 'Reactivate (takes a seat under the seat rules)',
  params: UserParams,
  responses: { 200: { description: 'The reactivated person.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  table: 'write',
});
