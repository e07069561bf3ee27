import { BODY_ERRORS, defineRoute, errors } from '../declaration';
import { AcceptBody, AcceptResult, LinkParams } from '../schemas';

export const acceptInvitationRoute = defineRoute({
  name: 'accept-invitation',
  method: 'POST',
  path: '/invitations/{token}/accept',
  auth: 'public',
  summary: 'Accept an invitation',
  params: LinkParams,
  body: AcceptBody,
  form: true,
  pages: 'form-post',
  responses: {
    200: {
      description: 'Accepted (a page for a form post); on a site requiring two-step verification, the first POST without a code answers the enrollment instead.',
      schema: AcceptResult,
      html: true,
    },
    ...errors([400, ...BODY_ERRORS]),
    ...errors([404, 409, 410], { html: true }),
  },
  table: 'write',
  uses: ['sfn-callback', 'two-step-secrets'],
});
