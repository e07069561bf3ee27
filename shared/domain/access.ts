import type { PersonStatus } from './people';
import type { Kind } from './seats';

/**
 * The access decision the wiki asks for on every guest page view (product rules 8, 12, 13).
 * Pure: the caller reads the person, the space and the site's external-user policy.
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

export interface AccessPerson {
  readonly kind: Kind;
  readonly status: PersonStatus;
  readonly spaceKey?: string | undefined;
  readonly twoStepEnrolled: boolean;
  readonly lastVerifiedAt?: string | undefined;
  readonly activatedAt?: string | undefined;
}

export interface AccessSpace {
  readonly key: string;
  readonly anonymousAccess: boolean;
}

export interface AccessPolicy {
  readonly twoStepRequired: boolean;
  readonly reverifyEveryDays: number;
  readonly apiTokensAllowed: boolean;
}

export interface AccessInput {
  /** `null` when the user is not a person of the site asked about (or the site does not exist). */
  readonly person: AccessPerson | null;
  /** `null` when the requested space does not exist on the site. */
  readonly space: AccessSpace | null;
  readonly policy: AccessPolicy;
  readonly client: AccessClient;
  readonly now: Date;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason: AccessReason;
}

const DAY_MS = 86_400_000;

const deny = (reason: AccessReason): AccessDecision => ({ allowed: false, reason });
const allow = (reason: AccessReason): AccessDecision => ({ allowed: true, reason });

/**
 * Whether a guest's last proof of identity is older than the policy allows. A verification exactly
 * `reverifyEveryDays` ago still counts (the interval is "every N days", so day N is the last good
 * one). Without any parseable timestamp we cannot show the guest ever verified, so we fail closed.
 */
export function reverificationDue(person: Pick<AccessPerson, 'lastVerifiedAt' | 'activatedAt'>, reverifyEveryDays: number, now: Date): boolean {
  const since = person.lastVerifiedAt ?? person.activatedAt;
  const at = since === undefined ? Number.NaN : Date.parse(since);
  if (Number.isNaN(at)) return true;
  return now.getTime() - at > reverifyEveryDays * DAY_MS;
}

/**
 * The precedence is fixed by the product issue: membership and status first (they say the most
 * about why), then the client restrictions, then the external-user security policy, and only then
 * what the person may see. A paid user only has to be active: the client and external-user rules
 * are for guests, who see their one assigned space and spaces open to anonymous users, nothing else.
 * A space that does not exist is never anonymous, so a deleted space can never be reached that way.
 */
export function decideAccess(input: AccessInput): AccessDecision {
  const { person, space, policy, client, now } = input;
  if (!person) return deny('not_a_member');
  if (person.status !== 'active') return deny('not_active');
  const guest = person.kind === 'guest';
  if (guest && client === 'mobile') return deny('mobile_not_supported');
  if (guest && client === 'api-token' && !policy.apiTokensAllowed) return deny('api_tokens_blocked');
  if (guest && policy.twoStepRequired && !person.twoStepEnrolled) return deny('two_step_required');
  if (guest && reverificationDue(person, policy.reverifyEveryDays, now)) return deny('reverification_required');
  if (!guest) return allow('paid_user');
  if (space && person.spaceKey !== undefined && person.spaceKey === space.key) return allow('assigned_space');
  if (space?.anonymousAccess) return allow('anonymous_space');
  return deny('no_space_access');
}
