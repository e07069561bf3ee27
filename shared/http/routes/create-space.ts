import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { SiteParams, Space, SpaceBody } from '../schemas';

export const createSpaceRoute = defineRoute({
  name: 'create-space',
  method: 'POST',
  path: '/sites/{siteId}/spaces',
  auth: 'admin',
  summary: 'Create a space',
  params: SiteParams,
  body: SpaceBody,
  responses: { 201: { description: 'The new space.', schema: Space }, ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]) },
  table: 'write',
});
