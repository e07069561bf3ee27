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
      description:
        'Accepted (a page for a form post). Where the site requires two-step verification of this invitee, the first POST without `totpCode` accepts nothing and answers `twoStepEnrollment` (a page with the QR code for a form post); the POST with a valid code completes.',
      schema: AcceptResult,
      html: true,
    },
    303: { description: 'A form post that accepted: see other, the accepted page (`Location: /invitations/accepted?next=space|ready`), so the page the guest stays on carries no token.' },
    // Two-step refusals (a wrong, reused or missing code; the lock) are pages too, for a form post.
    ...errors([400, 429], { html: true }),
    ...errors([...BODY_ERRORS]),
    ...errors([404, 409, 410], { html: true }),
  },
  table: 'write',
  uses: ['sfn-callback', 'two-step-secrets'],
});
