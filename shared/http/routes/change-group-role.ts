import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { Group, GroupParams, GroupRoleBody } from '../schemas';

export const changeGroupRoleRoute = defineRoute({
  name: 'change-group-role',
  method: 'PUT',
  path: '/sites/{siteId}/groups/{groupId}/role',
  auth: 'admin',
  summary: 'Change a group’s role; a paid role makes every guest member paid, a guest group may hold no current or former paid user',
  params: GroupParams,
  body: GroupRoleBody,
  responses: {
    200: { description: 'The group with its new role; with a paid role every guest member is now paid.', schema: Group },
    ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
