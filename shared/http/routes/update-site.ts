import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { Site, SiteParams, UpdateSiteBody } from '../schemas';

export const updateSiteRoute = defineRoute({
  name: 'update-site',
  method: 'PATCH',
  path: '/sites/{siteId}',
  auth: 'operator',
  summary: 'Change a site’s user limit, plan, guest ratio or invite expiry',
  params: SiteParams,
  body: UpdateSiteBody,
  responses: { 200: { description: 'The changed site.', schema: Site }, ...errors([...ADMIN_ERRORS, ...BODY_ERRORS]) },
  table: 'write',
});
