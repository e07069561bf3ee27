import { listAuditEvents } from '../../shared/directory/audit-log';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { AuditEventsQuery, AuditEventsResponse, SiteParams } from '../../shared/http/schemas';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  query: AuditEventsQuery,
  handle: async ({ params, query, caller }) => {
    // The admin check comes before the cursor is looked at, so a non-admin learns nothing from it.
    await requireSiteAdmin(db, params.siteId, caller);
    const page = await listAuditEvents(db, params.siteId, { limit: query.limit, cursor: query.cursor });
    return { body: AuditEventsResponse.parse(page) };
  },
});
