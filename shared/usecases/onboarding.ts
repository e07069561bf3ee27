import { acceptInvitation as recordAcceptance, openInvitationLink } from '../directory/onboarding/links';
import { assignSpace } from '../directory/onboarding/space-assignment';
import type { PersonItem } from '../directory/entities/person';
import type { SiteItem } from '../directory/entities/site';
import { completeTask } from '../workflow/client';
import type { OnboardingDeps } from './deps';

/**
 * A guest accepts through their link. The acceptance is stored first; then the waiting workflow
 * task is completed. If the workflow has not stored its token yet, it sees the acceptance itself
 * when it does, so whichever comes second moves the onboarding on and nothing is lost.
 */
export async function acceptThroughLink(deps: OnboardingDeps, token: string, displayName: string | undefined, now: Date): Promise<{ person: PersonItem; site: SiteItem }> {
  const open = await openInvitationLink(deps.db, token, now);
  const { person, acceptTaskToken } = await recordAcceptance(deps.db, open, displayName, now);
  if (acceptTaskToken) {
    await completeTask(deps.sfn, acceptTaskToken, { acceptedAt: now.toISOString() }, { siteId: person.siteId, invitationId: open.invitation.invitationId });
  }
  return { person, site: open.site };
}

/** Assigns (or replaces) a guest's space; an onboarding waiting for one goes on to activation. */
export async function assignGuestSpace(deps: OnboardingDeps, siteId: string, userId: string, spaceKey: string, actor: string, now: Date): Promise<PersonItem> {
  const person = await assignSpace(deps.db, siteId, userId, spaceKey, actor, now.toISOString());
  if (person.status === 'invited' && person.spaceTaskToken) {
    await completeTask(deps.sfn, person.spaceTaskToken, { spaceKey }, { siteId, userId });
  }
  return person;
}
