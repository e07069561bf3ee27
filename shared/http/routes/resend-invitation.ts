import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { Invitation, InvitationParams } from '../schemas';

export const resendInvitationRoute = defineRoute({
  name: 'resend-invitation',
  method: 'POST',
  path: '/sites/{siteId}/invitations/{invitationId}/resend',
  auth: 'admin',
  summary: 'Resend a pending invitation: a new link (the old one stops working), a new lifetime, one new email; at most 3 times in 24 hours',
  params: InvitationParams,
  responses: {
    200: { description: 'The invitation, resent: its new email is on its way (`delivery: sending`).', schema: Invitation },
    ...errors([...ADMIN_ERRORS, 404, 409, 429]),
  },
  table: 'write',
  uses: ['sfn-start', 'sfn-stop'],
});
