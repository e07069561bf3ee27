import { twoStepRequiredFor } from '../domain/two-step';
import { acceptInvitation as recordAcceptance, openInvitationLink } from '../directory/onboarding/links';
import { assignSpace } from '../directory/onboarding/space-assignment';
import type { PersonItem } from '../directory/entities/person';
import type { SiteItem } from '../directory/entities/site';
import { completeTask } from '../workflow/client';
import type { OnboardingDeps } from './deps';
import { passTwoStep, type TwoStepDeps } from './two-step';

/** Accepting may enrol two-step verification, which seals and opens secrets. */
export interface AcceptDeps extends OnboardingDeps, TwoStepDeps {}

export interface Acceptance {
  readonly displayName?: string | undefined;
  /** The authenticator's code, on a site that requires two-step verification of this invitee. */
  readonly totpCode?: string | undefined;
}

export type AcceptOutcome =
  | { readonly kind: 'accepted'; readonly person: PersonItem; readonly site: SiteItem }
  /** Nothing accepted yet: enrol this secret, then accept again with a code from it. */
  | { readonly kind: 'enrolment'; readonly otpauthUrl: string; readonly secret: string; readonly site: SiteItem };

/**
 * A guest accepts through their link. Where the site's policy requires two-step verification of
 * this (external) invitee, the code is checked and recorded first: without one the answer is the
 * enrolment and nothing is accepted. The acceptance is stored next; then the waiting workflow task
 * is completed. If the workflow has not stored its token yet, it sees the acceptance itself when it
 * does, so whichever comes second moves the onboarding on and nothing is lost.
 */
export async function acceptThroughLink(deps: AcceptDeps, token: string, acceptance: Acceptance, now: Date): Promise<AcceptOutcome> {
  const open = await openInvitationLink(deps.db, token, now);
  if (twoStepRequiredFor(open.site, open.invitation)) {
    const twoStep = await passTwoStep(deps, { site: open.site, person: open.person, code: acceptance.totpCode, now });
    if (twoStep.kind === 'enrolment') return { kind: 'enrolment', otpauthUrl: twoStep.otpauthUrl, secret: twoStep.secret, site: open.site };
  }
  const { person, acceptTaskToken } = await recordAcceptance(deps.db, open, acceptance.displayName, now);
  if (acceptTaskToken) {
    await completeTask(deps.sfn, acceptTaskToken, { acceptedAt: now.toISOString() }, { siteId: person.siteId, invitationId: open.invitation.invitationId });
  }
  return { kind: 'accepted', person, site: open.site };
}

export type TwoStepPrompt =
  | { readonly kind: 'enrolment'; readonly otpauthUrl: string; readonly secret: string; readonly site: SiteItem }
  | { readonly kind: 'code'; readonly site: SiteItem };

/**
 * What the accept page asks for again after a refused code: the same enrolment (its pending
 * secret) while not enrolled, else only a code. Checks the link as accepting does.
 */
export async function acceptancePrompt(deps: AcceptDeps, token: string, now: Date): Promise<TwoStepPrompt> {
  const open = await openInvitationLink(deps.db, token, now);
  if (open.person.twoStepEnrolled) return { kind: 'code', site: open.site };
  const twoStep = await passTwoStep(deps, { site: open.site, person: open.person, code: undefined, now });
  return twoStep.kind === 'enrolment' ? { ...twoStep, site: open.site } : { kind: 'code', site: open.site };
}

/** Assigns (or replaces) a guest's space; an onboarding waiting for one goes on to activation. */
export async function assignGuestSpace(deps: OnboardingDeps, siteId: string, userId: string, spaceKey: string, actor: string, now: Date): Promise<PersonItem> {
  const person = await assignSpace(deps.db, siteId, userId, spaceKey, actor, now.toISOString());
  if (person.status === 'invited' && person.spaceTaskToken) {
    await completeTask(deps.sfn, person.spaceTaskToken, { spaceKey }, { siteId, userId });
  }
  return person;
}
