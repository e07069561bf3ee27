import { BODY_ERRORS, defineRoute, errors } from '../declaration';
import { LinkParams, ReverifyBody, ReverifyResult } from '../schemas';

export const reverifyRoute = defineRoute({
  name: 'reverify',
  method: 'POST',
  path: '/verify/{token}',
  auth: 'public',
  summary: 'Re-verify through the emailed link (with a two-step code when enrolled)',
  params: LinkParams,
  body: ReverifyBody,
  form: true,
  pages: 'form-post',
  responses: {
    200: {
      description: 'Verified (a page for a form post); someone who must enrol in two-step verification first gets the enrollment instead.',
      schema: ReverifyResult,
      html: true,
    },
    ...errors([400, ...BODY_ERRORS]),
    ...errors([404, 409, 410, 429], { html: true }),
  },
  table: 'write',
  uses: ['two-step-secrets'],
});
