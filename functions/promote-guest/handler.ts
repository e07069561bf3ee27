import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { promoteGuest } from '../../shared/directory/people';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { UserParams } from '../../shared/http/schemas';
import { toPerson } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: UserParams,
  handle: async ({ params, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    const { person, spaceTaskToken } = await promoteGuest(db, params.siteId, params.userId, caller.userId, now);
    // A paid user needs no space: an onboarding still waiting for one can go on to activation.
    if (spaceTaskToken) await completeTask(sfn, spaceTaskToken, { promoted: true }, { siteId: params.siteId, userId: params.userId });
    return { body: toPerson(person) };
  },
});
