import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { deletePerson } from '../../shared/directory/people';
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
    const deleted = await deletePerson(db, params.siteId, params.userId, caller.userId, now);
    await revokeOnboarding(sfn, deleted.taskTokens, 'An administrator deleted the person', { siteId: params.siteId, userId: params.userId });
    return { status: 202, body: { userId: params.userId, eraseAfter: deleted.eraseAfter } };
  },
});
