import { listAuditEvents } from '../../shared/directory/audit-log';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { listAuditEventsRoute } from '../../shared/http/routes/list-audit-events';

const db = directoryFromEnvironment();

// The chain checks the admin before this runs, so a non-admin learns nothing from a cursor.
export const handler = httpRoute(listAuditEventsRoute, async ({ params, query }) => {
  const page = await listAuditEvents(db, params.siteId, { limit: query.limit, cursor: query.cursor });
  return { body: { events: page.events, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
}, { siteAdmin: siteAdminsIn(db) });
