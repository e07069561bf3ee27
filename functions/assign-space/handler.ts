import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { assignSpace } from '../../shared/directory/onboarding';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { AssignSpaceBody, UserParams } from '../../shared/http/schemas';
import { toPerson } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: UserParams,
  body: AssignSpaceBody,
  handle: async ({ params, body, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const person = await assignSpace(db, params.siteId, params.userId, body.spaceKey, caller.userId, now);
    // An onboarding guest's workflow is waiting for this; the assignment itself is already stored.
    if (person.status === 'invited' && person.spaceTaskToken) {
      await completeTask(sfn, person.spaceTaskToken, { spaceKey: body.spaceKey }, { siteId: params.siteId, userId: params.userId });
    }
    return { body: toPerson(person) };
  },
});
