import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { GroupList, SiteParams } from '../schemas';

export const listGroupsRoute = defineRoute({
  name: 'list-groups',
  method: 'GET',
  path: '/sites/{siteId}/groups',
  auth: 'admin',
  summary: 'List groups',
  params: SiteParams,
  responses: { 200: { description: 'The site’s groups.', schema: GroupList }, ...errors(ADMIN_ERRORS) },
  table: 'read',
});
