import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { downgradePlanRoute } from '../../shared/http/routes/downgrade-plan';
import { downgradeToFree } from '../../shared/usecases/downgrade';

const db = directoryFromEnvironment();

export const handler = httpRoute(downgradePlanRoute, async ({ body, admin, now }) => ({
  body: await downgradeToFree(db, sfn, admin.site, body.confirm, admin.userId, now.toISOString()),
}), { siteAdmin: siteAdminsIn(db) });
