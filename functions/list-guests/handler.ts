import { directoryFromEnvironment } from '../../shared/directory/directory';
import { listGuests } from '../../shared/directory/people/guest-list';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { listGuestsRoute } from '../../shared/http/routes/list-guests';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(listGuestsRoute, async ({ params, query }) => {
  const page = await listGuests(db, params.siteId, query);
  return { body: { guests: page.guests.map(toPerson), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
}, { siteAdmin: siteAdminsIn(db) });
