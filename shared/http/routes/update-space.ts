import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { Space, SpaceParams, SpacePatchBody } from '../schemas';

export const updateSpaceRoute = defineRoute({
  name: 'update-space',
  method: 'PATCH',
  path: '/sites/{siteId}/spaces/{key}',
  auth: 'admin',
  summary: 'Rename a space or change its anonymous access',
  params: SpaceParams,
  body: SpacePatchBody,
  responses: { 200: { description: 'The changed space.', schema: Space }, ...errors([...ADMIN_ERRORS, 404, ...BODY_ERRORS]) },
  table: 'write',
});
