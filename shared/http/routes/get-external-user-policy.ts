import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { PolicyView, SiteParams } from '../schemas';

export const getExternalUserPolicyRoute = defineRoute({
  name: 'get-external-user-policy',
  method: 'GET',
  path: '/sites/{siteId}/external-user-policy',
  auth: 'admin',
  summary: 'The external-user security policy, any trial of another policy, and the verified domains',
  params: SiteParams,
  responses: {
    200: { description: 'The site’s policy; `trial` while a policy is tried on a few people; `verifiedDomains` decide which paid users are external.', schema: PolicyView },
    ...errors(ADMIN_ERRORS),
  },
  table: 'read',
});
