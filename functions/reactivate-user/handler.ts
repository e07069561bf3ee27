import { directoryFromEnvironment } from '../../shared/directory/directory';
import { reactivatePerson } from '../../shared/directory/people';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { UserParams } from '../../shared/http/schemas';
import { toPerson } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: UserParams,
  handle: async ({ params, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    return { body: toPerson(await reactivatePerson(db, params.siteId, params.userId, caller.userId, now)) };
  },
});
