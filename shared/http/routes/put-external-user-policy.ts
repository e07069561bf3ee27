import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { PolicyView, PutPolicyBody, SiteParams } from '../schemas';

export const putExternalUserPolicyRoute = defineRoute({
  name: 'put-external-user-policy',
  method: 'PUT',
  path: '/sites/{siteId}/external-user-policy',
  auth: 'admin',
  summary: 'Apply a reviewed policy change (the site’s policy, or a trial on the reviewed people)',
  params: SiteParams,
  body: PutPolicyBody,
  responses: {
    200: { description: 'The policy as it now is.', schema: PolicyView },
    ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]),
  },
  table: 'write',
});
