import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { createSiteRoute } from '../../shared/http/routes/create-site';
import { toSite } from '../../shared/http/views';
import { createSiteWithAdmins } from '../../shared/usecases/sites';

const db = directoryFromEnvironment();

export const handler = httpRoute(createSiteRoute, async ({ body, caller, now }) => {
  const created = await createSiteWithAdmins(db, body, caller.userId, now);
  return { status: 201, body: { ...toSite(created.site), admins: created.admins } };
});
