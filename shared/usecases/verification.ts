import { conflict } from '../domain/errors';
import { isExternal, policyFor } from '../domain/external';
import type { PersonItem } from '../directory/entities/person';
import type { SiteItem } from '../directory/entities/site';
import { completeVerification, openVerificationLink } from '../directory/reverification';
import type { TwoStepPrompt } from './onboarding';
import { passTwoStep, type TwoStepDeps } from './two-step';

export type VerifyDeps = TwoStepDeps;

export type VerifyOutcome =
  | { readonly kind: 'verified'; readonly person: PersonItem; readonly site: SiteItem; readonly wasSuspended: boolean }
  | { readonly kind: 'enrolment'; readonly otpauthUrl: string; readonly secret: string; readonly person: PersonItem; readonly site: SiteItem };

/** Whether this person must pass two-step to re-verify: always once enrolled, and to enrol when the policy now requires it. */
export const twoStepNeeded = (person: PersonItem, site: SiteItem): boolean =>
  person.twoStepEnrolled || (policyFor(site, person.userId).twoStepRequired && isExternal(person, site.verifiedDomains));

/**
 * A person re-verifies through the link the job mailed: two-step first where it applies (the
 * first POST of someone who must enrol answers the enrolment instead), then the verification is
 * recorded and any suspension lifted.
 */
export async function reverifyThroughLink(deps: VerifyDeps, token: string, code: string | undefined, now: Date): Promise<VerifyOutcome> {
  const open = await openVerificationLink(deps.db, token, now);
  const { person, site } = open;
  let enrolled = person.twoStepEnrolled;
  if (twoStepNeeded(person, site)) {
    const outcome = await passTwoStep(deps, { site, person, code, now });
    if (outcome.kind === 'enrolment') return { kind: 'enrolment', otpauthUrl: outcome.otpauthUrl, secret: outcome.secret, person, site };
    enrolled ||= outcome.enrolled;
  }
  const verified = await completeVerification(deps.db, { ...open, person: { ...person, twoStepEnrolled: enrolled } }, now);
  if (verified) return { kind: 'verified', person: verified, site, wasSuspended: person.status === 'suspended' };
  // Used or replaced between our read and write: answer as for the link's state now.
  await openVerificationLink(deps.db, token, now);
  throw conflict('Your access changed while verifying; open the link again.');
}

/**
 * What the re-verification page asks for again after a refused code: the same enrolment (its
 * pending secret) while not enrolled, else only a code. Checks the link as verifying does.
 */
export async function verificationPrompt(deps: VerifyDeps, token: string, now: Date): Promise<TwoStepPrompt> {
  const { person, site } = await openVerificationLink(deps.db, token, now);
  if (person.twoStepEnrolled) return { kind: 'code', site };
  const twoStep = await passTwoStep(deps, { site, person, code: undefined, now });
  return twoStep.kind === 'enrolment' ? { ...twoStep, site } : { kind: 'code', site };
}
