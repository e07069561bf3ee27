import { ADMIN_ERRORS, BODY_ERRORS, defineRoute, errors } from '../declaration';
import { InviteBody, InviteHeaders, InviteResponse, SiteParams } from '../schemas';

export const inviteRoute = defineRoute({
  name: 'invite',
  method: 'POST',
  path: '/sites/{siteId}/invitations',
  auth: 'admin',
  summary: 'Invite 1–10 people',
  params: SiteParams,
  headers: InviteHeaders,
  body: InviteBody,
  idempotent: true,
  responses: {
    200: { description: 'One result per email, in request order (also when some rows are rejected).', schema: InviteResponse },
    ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
  },
  table: 'write',
  uses: ['sfn-start'],
});
