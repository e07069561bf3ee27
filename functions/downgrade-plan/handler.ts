import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { DowngradeBody, SiteParams } from '../../shared/http/schemas';
import { downgradeToFree } from '../../shared/workflow/downgrade';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: SiteParams,
  body: DowngradeBody,
  handle: async ({ params, body, caller, now }) => {
    const { site } = await requireSiteAdmin(db, params.siteId, caller);
    return { body: await downgradeToFree(db, sfn, site, body.confirm, caller.userId, now) };
  },
});
