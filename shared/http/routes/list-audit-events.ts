import { ADMIN_ERRORS, defineRoute, errors } from '../declaration';
import { AuditEventsQuery, AuditEventsResponse, SiteParams } from '../schemas';

export const listAuditEventsRoute = defineRoute({
  name: 'list-audit-events',
  method: 'GET',
  path: '/sites/{siteId}/audit-events',
  auth: 'admin',
  summary: 'The site’s audit log, newest first, paged',
  params: SiteParams,
  query: AuditEventsQuery,
  responses: { 200: { description: 'One page of the site’s audit log, newest first.', schema: AuditEventsResponse }, ...errors(ADMIN_ERRORS) },
  table: 'read',
});
