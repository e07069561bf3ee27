import { BODY_ERRORS, defineRoute, errors } from '../declaration';
import { AccessDecision, AccessDecisionBody, SiteParams } from '../schemas';

export const accessDecisionRoute = defineRoute({
  name: 'access-decision',
  method: 'POST',
  path: '/sites/{siteId}/access-decisions',
  auth: 'service',
  summary: 'May this user open this space from this client? (the wiki, on every guest page view)',
  params: SiteParams,
  body: AccessDecisionBody,
  responses: {
    200: { description: 'Whether the user may open the space from this client, and why.', schema: AccessDecision },
    ...errors([400, 401, 403, ...BODY_ERRORS]),
  },
  table: 'read',
});
