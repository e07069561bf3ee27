import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { UserParams } from '../schemas';

export const removeAppAccessRoute = defineRoute({
  name: 'remove-app-access',
  method: 'DELETE',
  path: '/sites/{siteId}/guests/{userId}/app-access',
  auth: 'admin',
  summary: 'Remove a guest’s app access; frees the seat, revokes a pending onboarding, keeps the person as removed',
  params: UserParams,
  responses: {
    204: { description: 'The guest left the guest list, the seat is freed and a pending invitation revoked; the person stays, `removed`, and inviting the address again brings them back under the same id.' },
    ...errors([...ADMIN_ERRORS, 404, 409]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
