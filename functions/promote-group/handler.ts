import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { promoteGroup, type SpaceTask } from '../../shared/directory/groups';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { GroupParams } from '../../shared/http/schemas';
import { toGroup } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: GroupParams,
  handle: async ({ params, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    // Members promoted while still onboarding need no space any more: their onboarding goes on.
    const completeSpaceTasks = async (tasks: readonly SpaceTask[]) => {
      for (const task of tasks) await completeTask(sfn, task.taskToken, { promoted: true }, { siteId: params.siteId, userId: task.userId });
    };
    const group = await promoteGroup(db, params.siteId, params.groupId, caller.userId, now, { completeSpaceTasks });
    return { body: toGroup(group) };
  },
});
