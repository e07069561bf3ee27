import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { addGroupMembers, type SpaceTask } from '../../shared/directory/groups';
import { requireSiteAdmin } from '../../shared/http/auth';
import { httpRoute } from '../../shared/http/route';
import { GroupMembersBody, GroupParams } from '../../shared/http/schemas';
import { toGroup } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute({
  auth: 'token',
  params: GroupParams,
  body: GroupMembersBody,
  handle: async ({ params, body, caller, now }) => {
    await requireSiteAdmin(db, params.siteId, caller);
    // Guests who became paid by joining (or by a pending group promotion finished first) while
    // still onboarding need no space any more: their onboarding goes on.
    const completeSpaceTasks = async (tasks: readonly SpaceTask[]) => {
      for (const task of tasks) await completeTask(sfn, task.taskToken, { promoted: true }, { siteId: params.siteId, userId: task.userId });
    };
    const { group, spaceTasks } = await addGroupMembers(db, params.siteId, params.groupId, body.userIds, caller.userId, now, { completeSpaceTasks });
    await completeSpaceTasks(spaceTasks);
    return { body: toGroup(group) };
  },
});
