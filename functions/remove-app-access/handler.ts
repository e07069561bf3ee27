import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { removeAppAccess } from '../../shared/directory/people';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { UserParams } from '../../shared/http/schemas';
import { failTask } from '../../shared/workflow/client';
import { REVOKED_ERROR } from '../../shared/workflow/payloads';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: UserParams,
  handle: async ({ params, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const ended = await removeAppAccess(db, params.siteId, params.userId, caller.userId, now);
    // The removal is stored; a workflow still waiting on this guest ends as revoked.
    for (const token of ended.taskTokens) {
      await failTask(sfn, token, REVOKED_ERROR, 'An administrator removed the guest’s app access', { siteId: params.siteId, userId: params.userId });
    }
    return { status: 204 };
  },
});
