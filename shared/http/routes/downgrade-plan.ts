import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { DowngradeBody, DowngradeResult, SiteParams } from '../schemas';

export const downgradePlanRoute = defineRoute({
  name: 'downgrade-plan',
  method: 'POST',
  path: '/sites/{siteId}/plan/downgrade',
  auth: 'admin',
  summary: 'Preview or confirm a downgrade to Free (removes every guest’s access)',
  params: SiteParams,
  body: DowngradeBody,
  responses: {
    200: { description: 'Who loses app access; with `confirm: true` the access is removed and the plan set.', schema: DowngradeResult },
    ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]),
  },
  table: 'write',
  uses: ['sfn-callback'],
});
