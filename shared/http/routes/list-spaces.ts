import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { SiteParams, SpaceList } from '../schemas';

export const listSpacesRoute = defineRoute({
  name: 'list-spaces',
  method: 'GET',
  path: '/sites/{siteId}/spaces',
  auth: 'admin',
  summary: 'List spaces',
  params: SiteParams,
  responses: { 200: { description: 'The site’s spaces.', schema: SpaceList }, ...errors(ADMIN_ERRORS) },
  table: 'read',
});
