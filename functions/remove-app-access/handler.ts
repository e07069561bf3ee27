import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { removeAppAccess } from '../../shared/directory/people';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { removeAppAccessRoute } from '../../shared/http/routes/remove-app-access';
import { revokeOnboarding } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute(removeAppAccessRoute, async ({ params, admin, now }) => {
  const ended = await removeAppAccess(db, params.siteId, params.userId, admin.userId, now.toISOString());
  // The removal is stored; a workflow still waiting on this guest ends as revoked.
  await revokeOnboarding(sfn, ended.taskTokens, 'An administrator removed the guest’s app access', { siteId: params.siteId, userId: params.userId });
  return { status: 204 };
}, { siteAdmin: siteAdminsIn(db) });
