import { defineRoute, errors } from '../declaration';
import { InvitationView, LinkParams } from '../schemas';

export const viewInvitationRoute = defineRoute({
  name: 'view-invitation',
  method: 'GET',
  path: '/invitations/{token}',
  auth: 'public',
  summary: 'Invitation page (HTML) or its JSON',
  params: LinkParams,
  pages: 'negotiated',
  responses: {
    200: { description: 'The invitation page, or its JSON with `Accept: application/json`.', schema: InvitationView, html: true },
    // A token that does not parse is refused before the page is rendered: JSON only.
    ...errors([400]),
    ...errors([404, 410], { html: true }),
  },
  table: 'read',
});
