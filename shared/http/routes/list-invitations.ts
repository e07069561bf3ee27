import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { InvitationList, InvitationListQuery, SiteParams } from '../schemas';

export const listInvitationsRoute = defineRoute({
  name: 'list-invitations',
  method: 'GET',
  path: '/sites/{siteId}/invitations',
  auth: 'admin',
  summary: 'List the site’s invitations in one status, newest first, with the delivery of their emails',
  params: SiteParams,
  query: InvitationListQuery,
  responses: { 200: { description: 'One page of the site’s invitations in that status, newest first.', schema: InvitationList }, ...errors(ADMIN_ERRORS) },
  table: 'read',
});
