import { AppError } from './errors';
import type { InvitationStatus } from './vocabulary';

export const unknownLink = () => new AppError('not_found', 'This invitation link is not valid.');

export interface LinkedInvitation {
  readonly status: InvitationStatus;
  readonly tokenDigest?: string | undefined;
  readonly expiresAt: string;
}

/**
 * What an invitation link may still do: unknown, used, revoked (or replaced by a newer link) and
 * expired links are told apart, in that order, without revealing anything else. Null: it is open.
 */
export function linkRefusal(invitation: LinkedInvitation | null, digest: string, now: Date): AppError | null {
  if (!invitation) return unknownLink();
  if (invitation.status === 'accepted') return new AppError('invitation_used', 'This invitation has already been accepted.');
  if (invitation.status === 'revoked' || invitation.tokenDigest !== digest) {
    return new AppError('invitation_revoked', 'This invitation link is no longer valid; ask for a new invitation.');
  }
  if (invitation.status === 'expired' || Date.parse(invitation.expiresAt) <= now.getTime()) {
    return new AppError('invitation_expired', 'This invitation has expired; ask for a new invitation.');
  }
  return null;
}
