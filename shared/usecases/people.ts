import { deletePerson, removeAppAccess } from '../directory/people/departure';
import { promoteGuest } from '../directory/people/promotion';
import type { PersonItem } from '../directory/entities/person';
import { completeTask, revokeOnboarding } from '../workflow/client';
import type { OnboardingDeps } from './deps';

/** A paid user needs no space: an onboarding still waiting for one goes on to activation. */
export async function promoteToPaid(deps: OnboardingDeps, siteId: string, userId: string, actor: string, now: Date): Promise<PersonItem> {
  const { person, spaceTaskToken } = await promoteGuest(deps.db, siteId, userId, actor, now.toISOString());
  if (spaceTaskToken) await completeTask(deps.sfn, spaceTaskToken, { promoted: true }, { siteId, userId });
  return person;
}

/** The removal is stored first (seat freed); a workflow still waiting on this guest ends as revoked. */
export async function removeGuestAccess(deps: OnboardingDeps, siteId: string, userId: string, actor: string, now: Date): Promise<void> {
  const ended = await removeAppAccess(deps.db, siteId, userId, actor, now.toISOString());
  await revokeOnboarding(deps.sfn, ended.taskTokens, 'An administrator removed the guest’s app access', { siteId, userId });
}

/** Access ends at once; personal data is erased after the grace period. */
export async function deleteAndRevoke(deps: OnboardingDeps, siteId: string, userId: string, actor: string, now: Date): Promise<{ eraseAfter: string }> {
  const deleted = await deletePerson(deps.db, siteId, userId, actor, now.toISOString());
  await revokeOnboarding(deps.sfn, deleted.taskTokens, 'An administrator deleted the person', { siteId, userId });
  return { eraseAfter: deleted.eraseAfter };
}
