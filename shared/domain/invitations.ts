import { AppError, conflict } from './errors';
import type { InvitationStatus } from './vocabulary';

// ---------------------------------------------------------------------------------------------
// Resending an invitation: a new link and a new lifetime, at most three times in a rolling day.
// ---------------------------------------------------------------------------------------------

export const RESEND_LIMIT = 3;
export const RESEND_WINDOW_MS = 24 * 3_600_000;

/**
 * Resend number `n` (0-based) writes its time into slot `n mod 3`, so before resend `n` that slot
 * holds the time of resend `n − 3`: the third most recent one. Conditions have no arithmetic, so
 * the rolling limit is "that slot is empty or older than a day", checked by the write itself.
 */
export const resendSlot = (resends: number): 0 | 1 | 2 => (resends % RESEND_LIMIT) as 0 | 1 | 2;

/** The oldest moment a slot's time may have for one more resend now. */
export const resendWindowStart = (now: Date): string => new Date(now.getTime() - RESEND_WINDOW_MS).toISOString();

/** Seconds until the slot frees up, or null when it is free now. */
export function resendWaitSeconds(slotAt: string | undefined, now: Date): number | null {
  if (slotAt === undefined) return null;
  const freeAt = Date.parse(slotAt) + RESEND_WINDOW_MS;
  return freeAt > now.getTime() ? Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)) : null;
}

export interface ResendableInvitation {
  readonly status: InvitationStatus;
  readonly expiresAt: string;
  readonly resends?: number | undefined;
  readonly sendingUntil?: string | undefined;
  readonly resentAt0?: string | undefined;
  readonly resentAt1?: string | undefined;
  readonly resentAt2?: string | undefined;
}

export const slotTime = (invitation: ResendableInvitation, slot: 0 | 1 | 2): string | undefined =>
  slot === 0 ? invitation.resentAt0 : slot === 1 ? invitation.resentAt1 : invitation.resentAt2;

/**
 * Why an invitation cannot be resent now, in the order an admin needs to hear it; null: it can.
 * Only a pending, unexpired invitation whose email is not being handed to SES this moment may be
 * resent, and then only while fewer than three resends happened in the last 24 hours (the limit is
 * told before the lease, which ends by itself within a minute).
 */
export function resendRefusal(invitation: ResendableInvitation, now: Date): AppError | null {
  if (invitation.status !== 'pending') return conflict(`Only a pending invitation can be resent; this one is ${invitation.status}.`, { status: invitation.status });
  if (Date.parse(invitation.expiresAt) <= now.getTime()) return conflict('This invitation has expired; invite the person again instead.', { status: 'expired' });
  const wait = resendWaitSeconds(slotTime(invitation, resendSlot(invitation.resends ?? 0)), now);
  if (wait !== null) {
    return new AppError('rate_limited', `An invitation can be resent ${RESEND_LIMIT} times in 24 hours; try again later.`, { limit: RESEND_LIMIT, retryAfterSeconds: wait }, wait);
  }
  if (invitation.sendingUntil !== undefined && Date.parse(invitation.sendingUntil) > now.getTime()) {
    return conflict('The invitation email is being sent right now; try again in a minute.');
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Which onboarding execution drives an invitation
// ---------------------------------------------------------------------------------------------

const RESEND_EXECUTION = /^(.+)-resend-(\d+)-[a-z0-9]+$/;

/**
 * The execution a resend starts: named by the invitation, the resend's number and a suffix of its
 * own, so two racing resends never share one and a name is never reused. The first execution is
 * named by the invitation id alone.
 */
export const resendExecutionName = (invitationId: string, resendNumber: number, suffix: string): string => `${invitationId}-resend-${resendNumber}-${suffix}`;

/** The resend number an execution name belongs to (0: the invitation's first execution); null: not one of its names. */
export function executionGeneration(invitationId: string, name: string): number | null {
  if (name === invitationId) return 0;
  const match = RESEND_EXECUTION.exec(name);
  return match && match[1] === invitationId ? Number(match[2]) : null;
}

export interface DrivenInvitation {
  readonly invitationId: string;
  readonly execution?: string | undefined;
  readonly resends?: number | undefined;
}

export const currentExecutionName = (invitation: DrivenInvitation): string => invitation.execution ?? invitation.invitationId;

/**
 * Where an execution stands towards the invitation it names: `current` drives it; `ahead` was
 * started by a resend whose write has not landed (yet); `superseded` was replaced by a resend.
 */
export function executionStanding(invitation: DrivenInvitation, name: string): 'current' | 'ahead' | 'superseded' {
  if (currentExecutionName(invitation) === name) return 'current';
  const generation = executionGeneration(invitation.invitationId, name);
  return generation !== null && generation > (invitation.resends ?? 0) ? 'ahead' : 'superseded';
}

// ---------------------------------------------------------------------------------------------
// Delivery of the invitation email, from SES events
// ---------------------------------------------------------------------------------------------

export const DELIVERY_STATUSES = ['sending', 'sent', 'delivered', 'bounced', 'complained'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Delivery only moves forward: a late Delivery after a Bounce keeps `bounced`. Bounced and
 * complained are both final (an address that bounced cannot complain, and the reverse).
 */
export const DELIVERY_RANK: Readonly<Record<DeliveryStatus, number>> = { sending: 0, sent: 1, delivered: 2, bounced: 3, complained: 3 };

/** SES event types that move delivery, and where to. Others (opens, clicks, delays) do not. */
const DELIVERY_BY_EVENT: Readonly<Record<string, Exclude<DeliveryStatus, 'sending'>>> = { Send: 'sent', Delivery: 'delivered', Bounce: 'bounced', Complaint: 'complained' };

export const deliveryForEvent = (eventType: string): Exclude<DeliveryStatus, 'sending'> | null => DELIVERY_BY_EVENT[eventType] ?? null;

/** What an admin sees: the furthest event recorded, else sent once SES took the email, else sending. */
export function deliveryOf(invitation: { readonly delivery?: DeliveryStatus | undefined; readonly emailSentAt?: string | undefined }): DeliveryStatus {
  return invitation.delivery ?? (invitation.emailSentAt ? 'sent' : 'sending');
}
