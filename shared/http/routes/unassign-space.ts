import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Person, UserParams } from '../schemas';

export const unassignSpaceRoute = defineRoute({
  name: 'unassign-space',
  method: 'DELETE',
  path: '/sites/{siteId}/guests/{userId}/space',
  auth: 'admin',
  summary: 'Unassign a guest’s space (still a guest)',
  params: UserParams,
  responses: { 200: { description: 'The guest, still a guest, without a space.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  table: 'write',
});
