import type { AppRole } from '../domain/people';
import { addGroupMembers } from '../directory/groups/members';
import { changeGroupRole, promoteGroup } from '../directory/groups/role';
import { type SpaceTask } from '../directory/groups/promotion';
import type { GroupItem } from '../directory/entities/group';
import { completeTask } from '../workflow/client';
import type { OnboardingDeps } from './deps';

/** Members who became paid while still onboarding need no space any more: their onboarding goes on. */
function spaceTaskCompleter(deps: OnboardingDeps, siteId: string) {
  return async (tasks: readonly SpaceTask[]) => {
    for (const task of tasks) await completeTask(deps.sfn, task.taskToken, { promoted: true }, { siteId, userId: task.userId });
  };
}

export async function addMembers(deps: OnboardingDeps, siteId: string, groupId: string, userIds: readonly string[], actor: string, now: Date): Promise<GroupItem> {
  const completeSpaceTasks = spaceTaskCompleter(deps, siteId);
  const { group, spaceTasks } = await addGroupMembers(deps.db, siteId, groupId, [...userIds], actor, now.toISOString(), { completeSpaceTasks });
  await completeSpaceTasks(spaceTasks);
  return group;
}

export async function changeRole(deps: OnboardingDeps, siteId: string, groupId: string, role: AppRole, actor: string, now: Date): Promise<GroupItem> {
  return changeGroupRole(deps.db, siteId, groupId, role, actor, now.toISOString(), { completeSpaceTasks: spaceTaskCompleter(deps, siteId) });
}

export async function promoteWholeGroup(deps: OnboardingDeps, siteId: string, groupId: string, actor: string, now: Date): Promise<GroupItem> {
  return promoteGroup(deps.db, siteId, groupId, actor, now.toISOString(), { completeSpaceTasks: spaceTaskCompleter(deps, siteId) });
}
