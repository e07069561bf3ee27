import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { DeletedUser, UserParams } from '../schemas';

export const deleteUserRoute = defineRoute({
  name: 'delete-user',
  method: 'DELETE',
  path: '/sites/{siteId}/users/{userId}',
  auth: 'admin',
  summary: 'Delete; personal data erased after the grace period',
  params: UserParams,
  responses: {
    202: { description: 'Deleted; personal data is erased after the grace period.', schema: DeletedUser },
    ...errors([...ADMIN_ERRORS, 404, 409]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
