import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { reviewExternalUserPolicyRoute } from '../../shared/http/routes/review-external-user-policy';
import { reviewPolicyChange } from '../../shared/usecases/external-policy';

const db = directoryFromEnvironment();

export const handler = httpRoute(reviewExternalUserPolicyRoute, async ({ body, admin, now }) => ({
  body: await reviewPolicyChange(db, admin.site, admin.userId, body, now),
}), { siteAdmin: siteAdminsIn(db) });
