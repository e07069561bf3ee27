import { directoryFromEnvironment } from '../../shared/directory/directory';
import { listGuests } from '../../shared/directory/people';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { GuestListQuery, SiteParams } from '../../shared/http/schemas';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  query: GuestListQuery,
  handle: async ({ params, query, caller }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const page = await listGuests(db, params.siteId, query);
    return { body: { guests: page.guests.map(toPerson), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
  },
});
