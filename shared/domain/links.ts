import { AppError } from './errors';
import type { InvitationStatus } from './vocabulary';

export const unknownLink = () => new AppError('not_found', 'This invitation link is not valid.');

/**
 * A link that names an invitation no longer open. It carries the name of that invitation's
 * inviter, for the guest's page to say whom to ask ("ask Ada Admin for a new invitation"); the
 * name never enters the error body, so API answers stay as the contract has them.
 */
export class LinkRefusal extends AppError {
  constructor(
    code: 'invitation_used' | 'invitation_revoked' | 'invitation_expired',
    message: string,
    readonly inviterName: string | undefined,
  ) {
    super(code, message);
  }
}

export interface LinkedInvitation {
  readonly status: InvitationStatus;
  /** The inviter's name as the invitation email gave it. */
  readonly inviterName?: string | undefined;
  readonly tokenDigest?: string | undefined;
  readonly expiresAt: string;
}

/**
 * What an invitation link may still do: unknown, used, revoked (or replaced by a newer link) and
 * expired links are told apart, in that order, without revealing anything else. Null: it is open.
 */
export function linkRefusal(invitation: LinkedInvitation | null, digest: string, now: Date): AppError | null {
  if (!invitation) return unknownLink();
  const inviter = invitation.inviterName;
  if (invitation.status === 'accepted') return new LinkRefusal('invitation_used', 'This invitation has already been accepted.', inviter);
  if (invitation.status === 'revoked' || invitation.tokenDigest !== digest) {
    return new LinkRefusal('invitation_revoked', 'This invitation link is no longer valid; ask for a new invitation.', inviter);
  }
  if (invitation.status === 'expired' || Date.parse(invitation.expiresAt) <= now.getTime()) {
    return new LinkRefusal('invitation_expired', 'This invitation has expired; ask for a new invitation.', inviter);
  }
  return null;
}
