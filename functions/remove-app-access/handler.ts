import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { removeAppAccess } from '../../shared/directory/people';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { UserParams } from '../../shared/http/schemas';
import { revokeOnboarding } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: UserParams,
  handle: async ({ params, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const ended = await removeAppAccess(db, params.siteId, params.userId, caller.userId, now);
    // The removal is stored; a workflow still waiting on this guest ends as revoked.
    await revokeOnboarding(sfn, ended.taskTokens, 'An administrator removed the guest’s app access', { siteId: params.siteId, userId: params.userId });
    return { status: 204 };
  },
});
