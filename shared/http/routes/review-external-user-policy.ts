import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { PolicyReviewBody, PolicyReviewResult, SiteParams } from '../schemas';

export const reviewExternalUserPolicyRoute = defineRoute({
  name: 'review-external-user-policy',
  method: 'POST',
  path: '/sites/{siteId}/external-user-policy/review',
  auth: 'admin',
  summary: 'Review a policy change: who it affects and how, page by page, and a token to apply it',
  params: SiteParams,
  body: PolicyReviewBody,
  responses: {
    200: {
      description:
        'One entry per affected external user and effect; `nextCursor` while more follow. Every page answers a fresh `reviewToken` for this proposal (15 minutes, single use).',
      schema: PolicyReviewResult,
    },
    ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
  },
  table: 'write',
});
