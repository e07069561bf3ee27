import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { putExternalUserPolicyRoute } from '../../shared/http/routes/put-external-user-policy';
import { toPolicyView } from '../../shared/http/views';
import { changeExternalUserPolicy } from '../../shared/usecases/external-policy';

const db = directoryFromEnvironment();

export const handler = httpRoute(putExternalUserPolicyRoute, async ({ body, admin, now }) => ({
  body: toPolicyView(await changeExternalUserPolicy(db, admin.site, admin.userId, body, now)),
}), { siteAdmin: siteAdminsIn(db) });
