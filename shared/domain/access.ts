import { isExternal, verificationOwed, type ExternalUserPolicy, type VerificationState } from './external';

/**
 * The access decision the wiki asks for on every guest page view (product rules 8, 12, 13).
 * Pure: the caller reads the person, the space and the site (its external-user policy and domains).
 */
export const ACCESS_REASONS = [
  'paid_user',
  'assigned_space',
  'anonymous_space',
  'not_a_member',
  'not_active',
  'no_space_access',
  'mobile_not_supported',
  'api_tokens_blocked',
  'two_step_required',
  'reverification_required',
] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

export const ACCESS_CLIENTS = ['web', 'mobile', 'api-token'] as const;
export type AccessClient = (typeof ACCESS_CLIENTS)[number];

export interface AccessPerson extends VerificationState {
  readonly spaceKey?: string | undefined;
}

export interface AccessSpace {
  readonly key: string;
  readonly anonymousAccess: boolean;
}

export interface AccessInput {
  /** `null` when the user is not a person of the site asked about (or the site does not exist). */
  readonly person: AccessPerson | null;
  /** `null` when the requested space does not exist on the site. */
  readonly space: AccessSpace | null;
  /** The policy that applies to this person (`policyFor`: a trial's or the site's). */
  readonly policy: ExternalUserPolicy;
  /** The site's verified email domains: paid users outside them are external too. */
  readonly verifiedDomains: readonly string[];
  readonly client: AccessClient;
  readonly now: Date;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason: AccessReason;
}

const deny = (reason: AccessReason): AccessDecision => ({ allowed: false, reason });
const allow = (reason: AccessReason): AccessDecision => ({ allowed: true, reason });

/**
 * The precedence is fixed by the product issue: membership and status first (they say the most
 * about why), then the client restrictions, then the external-user security policy, and only then
 * what the person may see. Guests are external; so are paid users outside the site's verified
 * domains, and the policy applies to both. Mobile is refused to guests only (rule 12).
 *
 * Two-step and re-verification deny only once a re-verification link has been sent: until the
 * job has mailed one, the person has no way to comply, and denying would lock them out for good.
 * A paid user otherwise only has to be active; a guest sees their one assigned space and spaces
 * open to anonymous users, nothing else. A space that does not exist is never anonymous, so a
 * deleted space can never be reached that way.
 */
export function decideAccess(input: AccessInput): AccessDecision {
  const { person, space, policy, client, now } = input;
  if (!person) return deny('not_a_member');
  if (person.status !== 'active') return deny('not_active');
  const guest = person.kind === 'guest';
  if (guest && client === 'mobile') return deny('mobile_not_supported');
  if (isExternal(person, input.verifiedDomains)) {
    if (client === 'api-token' && !policy.apiTokensAllowed) return deny('api_tokens_blocked');
    if (person.verificationRequestedAt !== undefined) {
      const owed = verificationOwed(person, policy, now);
      if (owed === 'enrol_two_step') return deny('two_step_required');
      if (owed === 'reverify') return deny('reverification_required');
    }
  }
  if (!guest) return allow('paid_user');
  if (space && person.spaceKey !== undefined && person.spaceKey === space.key) return allow('assigned_space');
  if (space?.anonymousAccess) return allow('anonymous_space');
  return deny('no_space_access');
}
