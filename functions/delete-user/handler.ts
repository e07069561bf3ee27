import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { deletePerson } from '../../shared/directory/people';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { deleteUserRoute } from '../../shared/http/routes/delete-user';
import { revokeOnboarding } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute(deleteUserRoute, async ({ params, admin, now }) => {
  const deleted = await deletePerson(db, params.siteId, params.userId, admin.userId, now.toISOString());
  await revokeOnboarding(sfn, deleted.taskTokens, 'An administrator deleted the person', { siteId: params.siteId, userId: params.userId });
  return { status: 202, body: { userId: params.userId, eraseAfter: deleted.eraseAfter } };
}, { siteAdmin: siteAdminsIn(db) });
