import { defineRoute, errors } from '../declaration';
import { LinkParams, VerificationView } from '../schemas';

export const viewReverificationRoute = defineRoute({
  name: 'view-reverification',
  method: 'GET',
  path: '/verify/{token}',
  auth: 'public',
  summary: 'Re-verification page (HTML) or its JSON',
  params: LinkParams,
  pages: 'negotiated',
  responses: {
    200: { description: 'The re-verification page, or its JSON with `Accept: application/json`. Showing it changes nothing.', schema: VerificationView, html: true },
    ...errors([400]),
    ...errors([404, 410], { html: true }),
  },
  table: 'read',
});
