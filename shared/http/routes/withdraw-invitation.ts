import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { InvitationParams } from '../schemas';

export const withdrawInvitationRoute = defineRoute({
  name: 'withdraw-invitation',
  method: 'DELETE',
  path: '/sites/{siteId}/invitations/{invitationId}',
  auth: 'admin',
  summary: 'Withdraw a pending invitation: the seat is freed, the invited person leaves the site, the link stops working',
  params: InvitationParams,
  responses: {
    204: { description: 'Withdrawn: the seat is free, the onboarding stopped and the link answers `invitation_revoked`.' },
    ...errors([...ADMIN_ERRORS, 404, 409]),
  },
  table: 'write',
  uses: ['sfn-stop'],
});
