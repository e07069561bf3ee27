import { sfn } from '../../shared/clients/sfn';
import { required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { withdrawInvitationRoute } from '../../shared/http/routes/withdraw-invitation';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { withdrawInvitation } from '../../shared/usecases/invitations';

const deps = { db: directoryFromEnvironment(), sfn, stateMachineArn: required('STATE_MACHINE_ARN') };

export const handler = httpRoute(
  withdrawInvitationRoute,
  async ({ params, admin, now }) => {
    await withdrawInvitation(deps, params.siteId, params.invitationId, admin.userId, now);
    return { status: 204 };
  },
  { siteAdmin: siteAdminsIn(deps.db) },
);
