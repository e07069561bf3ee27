import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { SpaceParams } from '../schemas';

export const deleteSpaceRoute = defineRoute({
  name: 'delete-space',
  method: 'DELETE',
  path: '/sites/{siteId}/spaces/{key}',
  auth: 'admin',
  summary: 'Delete a space; its guests keep app access and lose the space',
  params: SpaceParams,
  responses: { 204: { description: 'Deleted; its guests keep their app access and lose the space.' }, ...errors([...ADMIN_ERRORS, 404]) },
  table: 'write',
});
