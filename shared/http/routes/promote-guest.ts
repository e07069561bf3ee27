import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Person, UserParams } from '../schemas';

export const promoteGuestRoute = defineRoute({
  name: 'promote-guest',
  method: 'POST',
  path: '/sites/{siteId}/guests/{userId}/promote',
  auth: 'admin',
  summary: 'Promote a guest to a paid user',
  params: UserParams,
  responses: { 200: { description: 'The person, now a paid user.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  table: 'write',
  uses: ['sfn-callback'],
});
