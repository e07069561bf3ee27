/**
 * Seat rules (product rules 2 and 10), as pure arithmetic.
 *
 * DynamoDB conditions cannot do arithmetic, so the site item keeps two headroom counters next to
 * the raw counts; every seat change adjusts them with `ADD` and guards with `>= 1` conditions:
 *   ratioRoom = ratio × paid − guests      (how many more guests the ratio allows)
 *   userRoom  = userLimit − paid − guests  (how many more people of any kind fit)
 * A guest takes one of each; a paid user takes one userRoom and adds `ratio` to ratioRoom.
 */
import type { Kind, Plan } from './vocabulary';

export type { Kind, Plan };

export const FREE_PLAN_USER_LIMIT = 10;

export interface SeatCounts {
  readonly paid: number;
  readonly guests: number;
}

export interface SeatPolicy {
  readonly plan: Plan;
  readonly userLimit: number;
  readonly guestRatio: number;
}

export interface Headroom {
  readonly ratioRoom: number;
  readonly userRoom: number;
}

/** The Free plan has no guests whatever ratio the operator configured. */
export function effectiveGuestRatio(policy: Pick<SeatPolicy, 'plan' | 'guestRatio'>): number {
  return policy.plan === 'free' ? 0 : policy.guestRatio;
}

export function headroom(counts: SeatCounts, policy: SeatPolicy): Headroom {
  return {
    ratioRoom: effectiveGuestRatio(policy) * counts.paid - counts.guests,
    userRoom: policy.userLimit - counts.paid - counts.guests,
  };
}

/** The most guests the site may hold now (the contract's `guestLimit`), never negative. */
export function guestLimit(counts: SeatCounts, policy: SeatPolicy): number {
  return Math.max(0, Math.min(effectiveGuestRatio(policy) * counts.paid, policy.userLimit - counts.paid));
}

export type SeatRefusal = 'user_limit_reached' | 'guest_limit_reached';

/** Why taking one seat of `kind` is refused, or null when it fits. The user limit is checked first. */
export function seatRefusal(kind: Kind, room: Headroom): SeatRefusal | null {
  if (room.userRoom < 1) return 'user_limit_reached';
  if (kind === 'guest' && room.ratioRoom < 1) return 'guest_limit_reached';
  return null;
}

/** Counter deltas for one seat change; applied with `ADD` so concurrent writers never overwrite. */
export interface SeatDelta {
  readonly paid: number;
  readonly guests: number;
  readonly ratioRoom: number;
  readonly userRoom: number;
}

export function takeSeat(kind: Kind, ratio: number): SeatDelta {
  return kind === 'guest'
    ? { paid: 0, guests: 1, ratioRoom: -1, userRoom: -1 }
    : { paid: 1, guests: 0, ratioRoom: ratio, userRoom: -1 };
}

export function releaseSeat(kind: Kind, ratio: number): SeatDelta {
  const taken = takeSeat(kind, ratio);
  return { paid: -taken.paid, guests: -taken.guests, ratioRoom: -taken.ratioRoom, userRoom: -taken.userRoom };
}

/** A guest seat becomes a paid seat: paid + guests is unchanged, the guest allowance grows by the ratio. */
export function promoteSeat(ratio: number): SeatDelta {
  return { paid: 1, guests: -1, ratioRoom: ratio + 1, userRoom: 0 };
}

const SEAT_REFUSAL_MESSAGES: Record<SeatRefusal, string> = {
  user_limit_reached: 'The site has no free seat under its user limit.',
  guest_limit_reached: 'The site has no free guest seat.',
};
export const seatRefusalMessage = (refusal: SeatRefusal) => SEAT_REFUSAL_MESSAGES[refusal];

/** The site's counters as a refused seat update saw them (its old image). */
export interface SeatImage extends Headroom {
  readonly seatRatio: number;
}

/**
 * Why a seat update conditioned on `ratio` was refused: the ratio changed meanwhile (decide again
 * with the new one), or a limit, or nothing the counters show (someone freed a seat since).
 */
export function refusedSeatReason(kind: Kind, image: SeatImage, ratio: number): SeatRefusal | 'site_changed' | null {
  if (image.seatRatio !== ratio) return 'site_changed';
  return seatRefusal(kind, image);
}

/**
 * What a read of the site and the address says for certain about one more invitee, without a
 * transaction: a former paid user can never be a guest (the marker is never deleted), and with no
 * seat of its kind left the row is refused for that limit. A claimed address is left to the
 * invite itself (it may be a member, or a removed person coming back). Null: only the invite's
 * transaction can tell. Refusing from a read is safe: the rules forbid taking too many seats, never
 * refusing one that a concurrent removal freed a moment ago.
 */
export function certainInviteRefusal(kind: Kind, facts: { readonly formerPaid: boolean; readonly claimed: boolean; readonly room: Headroom }): SeatRefusal | 'paid_user_conversion_forbidden' | null {
  if (kind === 'guest' && facts.formerPaid) return 'paid_user_conversion_forbidden';
  if (facts.claimed) return null;
  return seatRefusal(kind, facts.room);
}
