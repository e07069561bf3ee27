import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { Group, GroupMembersBody, GroupParams } from '../schemas';

export const addGroupMembersRoute = defineRoute({
  name: 'add-group-members',
  method: 'POST',
  path: '/sites/{siteId}/groups/{groupId}/members',
  auth: 'admin',
  summary: 'Add people to a group; a guest joining a paid group becomes paid',
  params: GroupParams,
  body: GroupMembersBody,
  responses: {
    200: { description: 'The group; guests who joined a paid group are now paid, already-members were skipped.', schema: Group },
    ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
