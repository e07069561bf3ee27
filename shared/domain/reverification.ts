import { AppError } from './errors';
import { graceEndsAt, verificationOwed, type ExternalUserPolicy, type VerificationState } from './external';

/**
 * What the re-verification job does with one person its index read found (rule 13). Pure: the
 * job reads the person and the site and acts on the answer.
 * - `send`: owes a verification and has not been asked: mail a link.
 * - `suspend`: was sent a link, the grace is over, still owes it.
 * - `release`: was sent a link but owes nothing any more (the policy was relaxed, or a paid user
 *   turned internal): the request is withdrawn so nobody is denied for it.
 * - `checked`: a paid user who is not external: moves on in the index, so it is read once per interval.
 * - `unmark`: a paid user once found internal is external now and owes nothing yet: back to the
 *   ordinary stages, to be asked when due.
 * - `wait`: within the grace, or not due under the policy that applies to them.
 */
export type ReverificationStep = 'send' | 'suspend' | 'release' | 'checked' | 'unmark' | 'wait';

export function reverificationStep(person: VerificationState & { readonly verificationCheckedAt?: string | undefined }, policy: ExternalUserPolicy, external: boolean, now: Date): ReverificationStep {
  if (person.status !== 'active') return 'wait';
  if (person.verificationRequestedAt !== undefined) {
    if (!external || verificationOwed(person, policy, now) === null) return 'release';
    return now.getTime() >= graceEndsAt(person.verificationRequestedAt).getTime() ? 'suspend' : 'wait';
  }
  if (!external) return person.kind === 'paid' ? 'checked' : 'wait';
  if (verificationOwed(person, policy, now) !== null) return 'send';
  return person.verificationCheckedAt !== undefined ? 'unmark' : 'wait';
}

export interface VerificationLink {
  readonly purpose: string;
  readonly expiresAt?: string | undefined;
  readonly usedAt?: string | undefined;
}

export const unknownVerificationLink = () => new AppError('not_found', 'This verification link is not valid.');

/**
 * What a re-verification link may still do. Unknown, used, replaced and expired links are told
 * apart, in that order, and say nothing else (same codes as invitation links: the guest routes
 * share one contract). A link only works for a person who is still active or suspended for it.
 */
export function verificationLinkRefusal(
  link: VerificationLink | null,
  person: { readonly status: string; readonly verifyLinkDigest?: string | undefined } | null,
  digest: string,
  now: Date,
): AppError | null {
  if (!link || link.purpose !== 'reverification' || !person) return unknownVerificationLink();
  if (link.usedAt !== undefined) return new AppError('invitation_used', 'This verification link has already been used.');
  if (person.verifyLinkDigest !== digest || (person.status !== 'active' && person.status !== 'suspended')) {
    return new AppError('invitation_revoked', 'This verification link is no longer valid: a newer one was sent, or your access changed.');
  }
  if (link.expiresAt === undefined || Date.parse(link.expiresAt) <= now.getTime()) {
    return new AppError('invitation_expired', 'This verification link has expired; ask the site admin to restore your access.');
  }
  return null;
}
