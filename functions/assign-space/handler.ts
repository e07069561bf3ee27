import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { assignSpace } from '../../shared/directory/onboarding';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { assignSpaceRoute } from '../../shared/http/routes/assign-space';
import { toPerson } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute(assignSpaceRoute, async ({ params, body, admin, now }) => {
  const person = await assignSpace(db, params.siteId, params.userId, body.spaceKey, admin.userId, now.toISOString());
  // An onboarding guest's workflow is waiting for this; the assignment itself is already stored.
  if (person.status === 'invited' && person.spaceTaskToken) {
    await completeTask(sfn, person.spaceTaskToken, { spaceKey: body.spaceKey }, { siteId: params.siteId, userId: params.userId });
  }
  return { body: toPerson(person) };
}, { siteAdmin: siteAdminsIn(db) });
