import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { CreatedSite, CreateSiteBody } from '../schemas';

export const createSiteRoute = defineRoute({
  name: 'create-site',
  method: 'POST',
  path: '/sites',
  auth: 'operator',
  summary: 'Create a site with its first admins',
  body: CreateSiteBody,
  responses: {
    201: { description: 'The site with its first admins (paid users, active at once).', schema: CreatedSite },
    ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]),
  },
  table: 'write',
});
