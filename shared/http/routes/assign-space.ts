import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { AssignSpaceBody, Person, UserParams } from '../schemas';

export const assignSpaceRoute = defineRoute({
  name: 'assign-space',
  method: 'PUT',
  path: '/sites/{siteId}/guests/{userId}/space',
  auth: 'admin',
  summary: 'Assign (or replace) a guest’s space',
  params: UserParams,
  body: AssignSpaceBody,
  responses: {
    200: { description: 'The guest with the space (replacing any earlier one).', schema: Person },
    ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
