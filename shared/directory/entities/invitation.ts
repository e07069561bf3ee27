import * as z from 'zod/mini';
import { INVITATION_STATUSES, PERSON_KINDS } from '../../domain/vocabulary';
import { conditionsOn, update } from '../expressions';
import { sitePartition, type Key } from '../key';

export const INVITATION_TYPE = 'invitation';

/** Invitations (and their links) outlive their expiry this long, so a late link still answers 410. */
export const INVITATION_KEEP_SECONDS = 90 * 86_400;

export const invitationKey = (siteId: string, invitationId: string): Key => ({ pk: sitePartition(siteId), sk: `INVITATION#${invitationId}` });

export const InvitationItem = z.object({
  siteId: z.string(),
  invitationId: z.string(),
  userId: z.string(),
  email: z.string(),
  kind: z.enum(PERSON_KINDS),
  status: z.enum(INVITATION_STATUSES),
  invitedBy: z.string(),
  inviterName: z.string(),
  spaceKey: z.optional(z.string()),
  message: z.optional(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** SHA-256 of the link token in the email that was sent; a re-issue replaces it. */
  tokenDigest: z.optional(z.string()),
  emailSentAt: z.optional(z.string()),
  emailMessageId: z.optional(z.string()),
  /** Lease held while an email is being handed to SES, so retries never send twice. */
  sendingUntil: z.optional(z.string()),
  acceptedAt: z.optional(z.string()),
  acceptTaskToken: z.optional(z.string()),
  welcomeSentAt: z.optional(z.string()),
});
export type InvitationItem = z.infer<typeof InvitationItem>;

interface InvitationBookkeeping {
  welcomeSendingUntil?: string;
  endedAt?: string;
  ttl: number;
}
type StoredInvitation = InvitationItem & InvitationBookkeeping;

export const invitationUpdate = () => update<StoredInvitation>();
export const invitationIs = conditionsOn<StoredInvitation>();
