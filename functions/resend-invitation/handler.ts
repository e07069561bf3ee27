import { sfn } from '../../shared/clients/sfn';
import { environment, required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { resendInvitationRoute } from '../../shared/http/routes/resend-invitation';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { toInvitation } from '../../shared/http/views';
import { resendInvitation } from '../../shared/usecases/invitations';

const deps = {
  db: directoryFromEnvironment(),
  sfn,
  stateMachineArn: required('STATE_MACHINE_ARN'),
  expirySecondsOverride: environment().INVITE_EXPIRY_SECONDS,
};

export const handler = httpRoute(
  resendInvitationRoute,
  async ({ params, admin, now }) => ({ body: toInvitation(await resendInvitation(deps, admin.site, params.invitationId, admin.userId, now)) }),
  { siteAdmin: siteAdminsIn(deps.db) },
);
