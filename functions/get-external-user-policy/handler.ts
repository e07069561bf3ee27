import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { getExternalUserPolicyRoute } from '../../shared/http/routes/get-external-user-policy';
import { toPolicyView } from '../../shared/http/views';

const db = directoryFromEnvironment();

export const handler = httpRoute(getExternalUserPolicyRoute, async ({ admin }) => ({ body: toPolicyView(admin.site) }), { siteAdmin: siteAdminsIn(db) });
