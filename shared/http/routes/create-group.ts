import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { Group, GroupBody, SiteParams } from '../schemas';

export const createGroupRoute = defineRoute({
  name: 'create-group',
  method: 'POST',
  path: '/sites/{siteId}/groups',
  auth: 'admin',
  summary: 'Create a group with a wiki role',
  params: SiteParams,
  body: GroupBody,
  responses: { 201: { description: 'The new group.', schema: Group }, ...errors([...ADMIN_ERRORS, ...BODY_ERRORS]) },
  table: 'write',
});
