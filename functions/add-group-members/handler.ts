import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { addGroupMembers, type SpaceTask } from '../../shared/directory/groups';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { addGroupMembersRoute } from '../../shared/http/routes/add-group-members';
import { toGroup } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute(addGroupMembersRoute, async ({ params, body, admin, now }) => {
  // Guests who became paid by joining (or by a pending group promotion finished first) while
  // still onboarding need no space any more: their onboarding goes on.
  const completeSpaceTasks = async (tasks: readonly SpaceTask[]) => {
    for (const task of tasks) await completeTask(sfn, task.taskToken, { promoted: true }, { siteId: params.siteId, userId: task.userId });
  };
  const { group, spaceTasks } = await addGroupMembers(db, params.siteId, params.groupId, body.userIds, admin.userId, now.toISOString(), { completeSpaceTasks });
  await completeSpaceTasks(spaceTasks);
  return { body: toGroup(group) };
}, { siteAdmin: siteAdminsIn(db) });
