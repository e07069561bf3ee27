import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { changeGroupRole, type SpaceTask } from '../../shared/directory/groups';
import { httpRoute } from '../../shared/http/route';
import { siteAdminsIn } from '../../shared/http/site-admin';
import { changeGroupRoleRoute } from '../../shared/http/routes/change-group-role';
import { toGroup } from '../../shared/http/views';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

export const handler = httpRoute(changeGroupRoleRoute, async ({ params, body, admin, now }) => {
  // Members promoted while still onboarding need no space any more: their onboarding goes on.
  const completeSpaceTasks = async (tasks: readonly SpaceTask[]) => {
    for (const task of tasks) await completeTask(sfn, task.taskToken, { promoted: true }, { siteId: params.siteId, userId: task.userId });
  };
  const group = await changeGroupRole(db, params.siteId, params.groupId, body.role, admin.userId, now.toISOString(), { completeSpaceTasks });
  return { body: toGroup(group) };
}, { siteAdmin: siteAdminsIn(db) });
