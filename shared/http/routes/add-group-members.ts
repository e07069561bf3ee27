import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { Group, GroupMembersBody, GroupParams } from '../schemas';

export const addGroupMembersRoute = defineRoute({
  name: 'add-group-members',
  method: 'POST',
  path: '/sites/{siteId}/groups/{groupId}/members',
  auth: 'admin',
  summary: 'Add people to a group; a guest joining a paid group becomes paid, a paid user never joins a guest group',
  params: GroupParams,
  body: GroupMembersBody,
  responses: {
    200: { description: 'The group; guests who joined a paid group are now paid, already-members were skipped. A current or former paid user added to a guest group is a 409 `paid_user_conversion_forbidden` naming them in `details.userIds`, and nobody is added.', schema: Group },
    ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
