import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Group, GroupParams } from '../schemas';

export const promoteGroupRoute = defineRoute({
  name: 'promote-group',
  method: 'POST',
  path: '/sites/{siteId}/groups/{groupId}/promote',
  auth: 'admin',
  summary: 'Promote a group: role User, every member paid',
  params: GroupParams,
  responses: { 200: { description: 'The group with the User role (or App admin, kept); every member is paid.', schema: Group }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  table: 'write',
  uses: ['sfn-callback'],
});
