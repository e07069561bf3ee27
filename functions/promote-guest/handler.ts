import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { promoteGuest } from '../../shared/directory/people';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { promoteGuestRoute } from '../../shared/http/routes/promote-guest';
import { toPerson } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute(promoteGuestRoute, async ({ params, admin, now }) => {
  const { person, spaceTaskToken } = await promoteGuest(db, params.siteId, params.userId, admin.userId, now.toISOString());
  // A paid user needs no space: an onboarding still waiting for one can go on to activation.
  if (spaceTaskToken) await completeTask(sfn, spaceTaskToken, { promoted: true }, { siteId: params.siteId, userId: params.userId });
  return { body: toPerson(person) };
}, { siteAdmin: siteAdminsIn(db) });
