import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Person, UserParams } from '../schemas';

export const deactivateUserRoute = defineRoute({
  name: 'deactivate-user',
  method: 'POST',
  path: '/sites/{siteId}/users/{userId}/deactivate',
  auth: 'admin',
  summary: 'Deactivate (reversible; frees the seat)',
  params: UserParams,
  responses: { 200: { description: 'The deactivated person.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  table: 'write',
});
