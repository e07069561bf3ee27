import * as z from 'zod/mini';
import { DELIVERY_STATUSES } from '../../domain/invitations';
import { INVITATION_STATUSES, PERSON_KINDS, type InvitationStatus } from '../../domain/vocabulary';
import { conditionsOn, update, type Condition, type Update } from '../expressions';
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
  /** The onboarding execution driving the invitation since its last resend; absent: the first one, named by the invitation id. */
  execution: z.optional(z.string()),
  /** How many times an admin resent it. */
  resends: z.optional(z.int()),
  /** Times of the last three resends, resend `n` in slot `n mod 3` (the rolling limit; see `resendSlot`). */
  resentAt0: z.optional(z.string()),
  resentAt1: z.optional(z.string()),
  resentAt2: z.optional(z.string()),
  /** Delivery of the current email as SES reported it; absent: nothing reported yet. */
  delivery: z.optional(z.enum(DELIVERY_STATUSES)),
  /** `DELIVERY_RANK` of `delivery`: the write of an event is conditioned on moving it forward. */
  deliveryRank: z.optional(z.int()),
  deliveryAt: z.optional(z.string()),
  /** The SES message the recorded delivery is about. */
  deliveryMessageId: z.optional(z.string()),
  bounceType: z.optional(z.string()),
  bounceSubType: z.optional(z.string()),
});
export type InvitationItem = z.infer<typeof InvitationItem>;

/** Invitations of a site by status, newest first (gsi1; other partitions of gsi1 hold people and sites). */
export interface InvitationIndexAttributes {
  gsi1pk: string;
  gsi1sk: string;
}

interface InvitationBookkeeping extends InvitationIndexAttributes {
  welcomeSendingUntil?: string;
  endedAt?: string;
  ttl: number;
}
type StoredInvitation = InvitationItem & InvitationBookkeeping;

const STATUS_PARTITION_SUFFIX = '#INVITATIONS#';

export const invitationsByStatusPartition = (siteId: string, status: InvitationStatus) => `${sitePartition(siteId)}${STATUS_PARTITION_SUFFIX}${status}`;

/** The list index keys of a new invitation: its status's partition, ordered by creation. */
export function invitationIndexKeys(invitation: Pick<InvitationItem, 'siteId' | 'invitationId' | 'status' | 'createdAt'>): InvitationIndexAttributes {
  return { gsi1pk: invitationsByStatusPartition(invitation.siteId, invitation.status), gsi1sk: `${invitation.createdAt}#${invitation.invitationId}` };
}

/**
 * Every update that sets an invitation's status also moves it to that status's list partition, so
 * the list by status can never disagree with the status, whichever module ends the invitation.
 * The item's own partition is the site's, which is how the index partition is found from the key.
 * (Items written before the list existed have no sort key in the index and stay out of it.)
 */
function keepStatusIndex(change: Update<StoredInvitation>, key: { readonly pk: string }): Update<StoredInvitation> {
  const status = change.valueSet('status');
  if (status === undefined || change.paths.includes('gsi1pk')) return change;
  return change.set('gsi1pk', `${key.pk}${STATUS_PARTITION_SUFFIX}${String(status)}`);
}

export const invitationUpdate = () => update<StoredInvitation>(keepStatusIndex);
export const invitationIs = conditionsOn<StoredInvitation>();

/** The invitation is driven by the execution named `name` (the first one carries no `execution`). */
export const drivenBy = (invitationId: string, name: string): Condition =>
  name === invitationId ? invitationIs.attributeNotExists('execution') : invitationIs.eq('execution', name);
