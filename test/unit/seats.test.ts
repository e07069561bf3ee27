import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  effectiveGuestRatio,
  guestLimit,
  headroom,
  promoteSeat,
  releaseSeat,
  seatRefusal,
  takeSeat,
  type Headroom,
  type Kind,
  type Plan,
  type SeatCounts,
  type SeatDelta,
  type SeatPolicy,
} from '../../shared/domain/seats';

const policy = (over: Partial<SeatPolicy> = {}): SeatPolicy => ({ plan: 'standard', userLimit: 50, guestRatio: 5, ...over });

const apply = (counts: SeatCounts, room: Headroom, delta: SeatDelta): { counts: SeatCounts; room: Headroom } => ({
  counts: { paid: counts.paid + delta.paid, guests: counts.guests + delta.guests },
  room: { ratioRoom: room.ratioRoom + delta.ratioRoom, userRoom: room.userRoom + delta.userRoom },
});

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const planArb = fc.constantFrom<Plan>('free', 'standard', 'premium');

const policyArb: fc.Arbitrary<SeatPolicy> = fc.record({
  plan: planArb,
  userLimit: fc.integer({ min: 0, max: 200 }),
  guestRatio: fc.integer({ min: 0, max: 10 }),
});

/** A site that satisfies both seat rules: guests ≤ ratio × paid and paid + guests ≤ userLimit. */
const validSiteArb = policyArb.chain((p) =>
  fc.integer({ min: 0, max: p.userLimit }).chain((paid) =>
    fc
      .integer({ min: 0, max: Math.max(0, Math.min(effectiveGuestRatio(p) * paid, p.userLimit - paid)) })
      .map((guests) => ({ policy: p, counts: { paid, guests } as SeatCounts })),
  ),
);

type Op = { op: 'take'; kind: Kind } | { op: 'release'; kind: Kind } | { op: 'promote' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Kind>('guest', 'paid').map((kind) => ({ op: 'take' as const, kind })),
  fc.constantFrom<Kind>('guest', 'paid').map((kind) => ({ op: 'release' as const, kind })),
  fc.constant({ op: 'promote' as const }),
);

/** Any counts, including a site over its limits (a lowered limit is allowed, the HTTP contract PATCH /sites). */
const anyCountsArb: fc.Arbitrary<SeatCounts> = fc.record({ paid: fc.integer({ min: 0, max: 300 }), guests: fc.integer({ min: 0, max: 300 }) });

// ---------------------------------------------------------------------------------------------

describe('headroom and effectiveGuestRatio', () => {
  it('computes ratioRoom = ratio × paid − guests and userRoom = userLimit − paid − guests', () => {
    // Prepare
    const counts = { paid: 4, guests: 7 };
    // Act
    const room = headroom(counts, policy({ userLimit: 50, guestRatio: 5 }));
    // Assess
    expect(room).toEqual({ ratioRoom: 13, userRoom: 39 });
  });

  it('treats the Free plan as ratio 0 whatever the configured ratio', () => {
    expect(effectiveGuestRatio({ plan: 'free', guestRatio: 5 })).toBe(0);
    expect(effectiveGuestRatio({ plan: 'standard', guestRatio: 5 })).toBe(5);
    expect(effectiveGuestRatio({ plan: 'premium', guestRatio: 3 })).toBe(3);
    expect(headroom({ paid: 3, guests: 0 }, policy({ plan: 'free', userLimit: 10 }))).toEqual({ ratioRoom: 0, userRoom: 7 });
  });
});

describe('guestLimit', () => {
  it('is ratio × paid when the user limit is far away', () => {
    expect(guestLimit({ paid: 4, guests: 7 }, policy({ userLimit: 50 }))).toBe(20);
  });

  it('is userLimit − paid when the user limit binds', () => {
    expect(guestLimit({ paid: 8, guests: 0 }, policy({ userLimit: 10 }))).toBe(2);
  });

  it('is 0 (never negative) when paid users already exceed a lowered user limit', () => {
    expect(guestLimit({ paid: 12, guests: 3 }, policy({ userLimit: 10 }))).toBe(0);
  });

  it('is 0 on the Free plan and 0 without paid users', () => {
    expect(guestLimit({ paid: 5, guests: 0 }, policy({ plan: 'free', userLimit: 10 }))).toBe(0);
    expect(guestLimit({ paid: 0, guests: 0 }, policy())).toBe(0);
  });

  it('property: never negative and equals max(0, min(ratio × paid, userLimit − paid))', () => {
    fc.assert(
      fc.property(anyCountsArb, policyArb, (counts, p) => {
        const limit = guestLimit(counts, p);
        const ratio = p.plan === 'free' ? 0 : p.guestRatio;
        expect(limit).toBeGreaterThanOrEqual(0);
        expect(limit).toBe(Math.max(0, Math.min(ratio * counts.paid, p.userLimit - counts.paid)));
        if (p.plan === 'free') expect(limit).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('seatRefusal', () => {
  it('allows a seat when both counters have room', () => {
    expect(seatRefusal('guest', { ratioRoom: 1, userRoom: 1 })).toBeNull();
    expect(seatRefusal('paid', { ratioRoom: 0, userRoom: 1 })).toBeNull();
  });

  it('refuses with user_limit_reached first, even for a guest without ratio room', () => {
    expect(seatRefusal('guest', { ratioRoom: 0, userRoom: 0 })).toBe('user_limit_reached');
    expect(seatRefusal('paid', { ratioRoom: 10, userRoom: 0 })).toBe('user_limit_reached');
  });

  it('refuses a guest with guest_limit_reached when only the ratio is exhausted', () => {
    expect(seatRefusal('guest', { ratioRoom: 0, userRoom: 5 })).toBe('guest_limit_reached');
    expect(seatRefusal('guest', { ratioRoom: -3, userRoom: 5 })).toBe('guest_limit_reached');
  });

  it('a paid seat ignores the ratio room (a negative ratio room does not block paid users)', () => {
    expect(seatRefusal('paid', { ratioRoom: -4, userRoom: 2 })).toBeNull();
  });

  it('property: on the Free plan a guest seat is never granted', () => {
    fc.assert(
      fc.property(anyCountsArb, fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 10 }), (counts, userLimit, guestRatio) => {
        const room = headroom(counts, { plan: 'free', userLimit, guestRatio });
        expect(seatRefusal('guest', room)).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe('seat deltas', () => {
  it('takeSeat: a guest takes one of each counter; a paid user takes one userRoom and adds ratio', () => {
    expect(takeSeat('guest', 5)).toEqual({ paid: 0, guests: 1, ratioRoom: -1, userRoom: -1 });
    expect(takeSeat('paid', 5)).toEqual({ paid: 1, guests: 0, ratioRoom: 5, userRoom: -1 });
  });

  // -0 and 0 are the same counter change (DynamoDB stores both as 0); compare by value.
  const plain = (delta: SeatDelta) => Object.fromEntries(Object.entries(delta).map(([name, value]) => [name, value + 0]));

  it('releaseSeat is the exact inverse of takeSeat', () => {
    expect(plain(releaseSeat('guest', 5))).toEqual({ paid: 0, guests: -1, ratioRoom: 1, userRoom: 1 });
    expect(plain(releaseSeat('paid', 5))).toEqual({ paid: -1, guests: 0, ratioRoom: -5, userRoom: 1 });
  });

  it('promoteSeat turns a guest seat into a paid seat', () => {
    expect(promoteSeat(5)).toEqual({ paid: 1, guests: -1, ratioRoom: 6, userRoom: 0 });
  });

  it('a released paid seat can leave ratioRoom negative; the counters stay consistent and new guests are refused', () => {
    // Given: 2 paid users and the full 10 guests the ratio allows
    const p = policy({ userLimit: 50, guestRatio: 5 });
    const before = { paid: 2, guests: 10 };
    // When: one paid seat is released
    const after = apply(before, headroom(before, p), releaseSeat('paid', 5));
    // Then
    expect(after.room).toEqual(headroom(after.counts, p));
    expect(after.room.ratioRoom).toBe(-5);
    expect(seatRefusal('guest', after.room)).toBe('guest_limit_reached');
  });
});

describe('property: running headroom counters', () => {
  it('stay equal to headroom(counts) and keep both seat rules through any allowed sequence', () => {
    fc.assert(
      fc.property(validSiteArb, fc.array(opArb, { maxLength: 60 }), ({ policy: p, counts: start }, ops) => {
        const ratio = effectiveGuestRatio(p);
        let counts = start;
        let room = headroom(start, p);
        for (const op of ops) {
          let delta: SeatDelta | null = null;
          if (op.op === 'take') {
            if (seatRefusal(op.kind, room) === null) delta = takeSeat(op.kind, ratio);
          } else if (op.op === 'release') {
            const held = op.kind === 'guest' ? counts.guests : counts.paid;
            // Releasing a paid seat is only applied when it keeps the ratio rule (product rule 2);
            // the unguarded case is covered by the example above.
            const keepsRatio = op.kind === 'guest' || room.ratioRoom >= ratio;
            if (held > 0 && keepsRatio) delta = releaseSeat(op.kind, ratio);
          } else if (counts.guests > 0) {
            delta = promoteSeat(ratio);
          }
          if (!delta) continue;
          ({ counts, room } = apply(counts, room, delta));

          expect(room).toEqual(headroom(counts, p));
          expect(counts.paid).toBeGreaterThanOrEqual(0);
          expect(counts.guests).toBeGreaterThanOrEqual(0);
          expect(counts.guests).toBeLessThanOrEqual(ratio * counts.paid);
          expect(counts.paid + counts.guests).toBeLessThanOrEqual(p.userLimit);
          expect(counts.guests).toBeLessThanOrEqual(guestLimit(counts, p));
          if (p.plan === 'free') expect(counts.guests).toBe(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('on the Free plan, starting without guests, no sequence ever seats a guest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(opArb, { maxLength: 40 }),
        (paid0, guestRatio, ops) => {
          const p: SeatPolicy = { plan: 'free', userLimit: 10, guestRatio };
          const ratio = effectiveGuestRatio(p);
          let counts: SeatCounts = { paid: paid0, guests: 0 };
          let room = headroom(counts, p);
          for (const op of ops) {
            if (op.op === 'take' && seatRefusal(op.kind, room) === null) {
              ({ counts, room } = apply(counts, room, takeSeat(op.kind, ratio)));
            } else if (op.op === 'release' && op.kind === 'paid' && counts.paid > 0) {
              ({ counts, room } = apply(counts, room, releaseSeat('paid', ratio)));
            }
            expect(counts.guests).toBe(0);
            expect(room).toEqual(headroom(counts, p));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('property: promoteSeat', () => {
  const promotableArb = validSiteArb.filter(({ counts }) => counts.guests > 0);

  it('keeps paid + guests constant and raises guestLimit by the ratio, capped by the user limit', () => {
    fc.assert(
      fc.property(promotableArb, ({ policy: p, counts }) => {
        // Given
        const ratio = effectiveGuestRatio(p);
        const room = headroom(counts, p);
        // When
        const after = apply(counts, room, promoteSeat(ratio));
        // Then
        expect(after.counts.paid + after.counts.guests).toBe(counts.paid + counts.guests);
        expect(after.room).toEqual(headroom(after.counts, p));
        expect(after.room.userRoom).toBe(room.userRoom);
        expect(after.room.ratioRoom).toBe(room.ratioRoom + ratio + 1);
        const limitBefore = guestLimit(counts, p);
        const limitAfter = guestLimit(after.counts, p);
        expect(limitAfter).toBe(Math.max(0, Math.min(ratio * counts.paid + ratio, p.userLimit - counts.paid - 1)));
        if (p.userLimit - counts.paid - 1 >= ratio * (counts.paid + 1)) expect(limitAfter - limitBefore).toBe(ratio);
        // The promoted site still satisfies both seat rules.
        expect(after.counts.guests).toBeLessThanOrEqual(limitAfter);
      }),
      { numRuns: 500 },
    );
  });

  it('example: 4 paid and 7 guests at ratio 5 → 5 paid, 6 guests, guestLimit 20 → 25', () => {
    const p = policy({ userLimit: 50, guestRatio: 5 });
    const counts = { paid: 4, guests: 7 };
    const after = apply(counts, headroom(counts, p), promoteSeat(5));
    expect(after.counts).toEqual({ paid: 5, guests: 6 });
    expect(guestLimit(counts, p)).toBe(20);
    expect(guestLimit(after.counts, p)).toBe(25);
    expect(after.room).toEqual({ ratioRoom: 19, userRoom: 39 });
  });
});
