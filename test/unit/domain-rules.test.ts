import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/domain/errors';
import { chunked, guestGroupJoinRefusal, guestGroupRefusal, MAX_GUEST_GROUP_MEMBERS, MAX_TRANSACTION_ITEMS, planJoinChunks, promotionChunkSize, PROMOTION_CHUNK_MEMBERS, removedJoinersRefusal } from '../../shared/domain/groups';
import { canAssignSpace, canDeactivate, canPromote, canReactivate, canRemoveAppAccess, canUnassignSpace, holdsSeat, mustChange, selfActionRefusal, type LifecyclePerson } from '../../shared/domain/lifecycle';
import { mayInviteAgain } from '../../shared/domain/people';
import { MEMBER_STATUSES, PERSON_STATUSES } from '../../shared/domain/vocabulary';
import { linkRefusal } from '../../shared/domain/links';
import { refusedSeatReason } from '../../shared/domain/seats';

const codeOf = (value: unknown) => (value instanceof AppError ? value.code : value);

describe('guest-group eligibility', () => {
  const guest = (userId: string, formerPaid = false) => ({ userId, kind: 'guest' as const, formerPaid });

  it('allows a group of guests who were never paid', () => {
    expect(guestGroupRefusal([guest('a'), guest('b')])).toBeNull();
    expect(guestGroupRefusal([])).toBeNull();
  });

  it('names the current paid members first, then the former paid ones', () => {
    const current = guestGroupRefusal([guest('a', true), { userId: 'p', kind: 'paid', formerPaid: true }]);
    expect(current?.code).toBe('paid_user_conversion_forbidden');
    expect(current?.details).toEqual({ userIds: ['p'] });
    expect(guestGroupRefusal([guest('a', true), guest('b')])?.details).toEqual({ userIds: ['a'] });
  });

  it('refuses a group larger than one transaction can check', () => {
    const members = Array.from({ length: MAX_GUEST_GROUP_MEMBERS + 1 }, (_, index) => guest(`u${index}`));
    expect(guestGroupRefusal(members)?.code).toBe('conflict');
    expect(guestGroupRefusal(members.slice(1))).toBeNull();
  });
});

describe('joining a guest group (rules 3, 7)', () => {
  const member = (userId: string, kind: 'guest' | 'paid', formerPaid = false) => ({ userId, kind, formerPaid });

  it('lets guests who were never paid join', () => {
    expect(guestGroupJoinRefusal([member('a', 'guest'), member('b', 'guest')])).toBeNull();
    expect(guestGroupJoinRefusal([])).toBeNull();
  });

  it('refuses current paid users first, naming every one, then former paid ones', () => {
    const refusal = guestGroupJoinRefusal([member('g', 'guest', true), member('p', 'paid', true), member('q', 'paid')]);
    expect(refusal).toMatchObject({ code: 'paid_user_conversion_forbidden', status: 409, details: { userIds: ['p', 'q'] } });
    expect(guestGroupJoinRefusal([member('g', 'guest', true), member('h', 'guest')])?.details).toEqual({ userIds: ['g'] });
  });

  it('refuses removed people from any group, naming them', () => {
    expect(removedJoinersRefusal([{ userId: 'a', status: 'active' }])).toBeNull();
    expect(removedJoinersRefusal([{ userId: 'a', status: 'removed' }, { userId: 'b', status: 'invited' }])).toMatchObject({ code: 'conflict', details: { userIds: ['a'] } });
  });
});

describe('removed people (rule 11)', () => {
  const removed: LifecyclePerson = { userId: 'u', kind: 'guest', status: 'removed' };

  it('is a status of its own, not a member status, holding no seat', () => {
    expect(PERSON_STATUSES).toContain('removed');
    expect(MEMBER_STATUSES).not.toContain('removed');
    expect(holdsSeat('removed')).toBe(false);
  });

  it('may be invited again; every member status is already_member', () => {
    expect(mayInviteAgain('removed')).toBe(true);
    for (const status of MEMBER_STATUSES) expect(mayInviteAgain(status)).toBe(false);
  });

  it('refuses deactivate, reactivate, promote and space assignment; removing or unassigning again changes nothing', () => {
    for (const decision of [canDeactivate(removed), canReactivate(removed), canPromote(removed), canAssignSpace(removed, 'ENG')]) {
      expect(decision).toMatchObject({ code: 'conflict', details: { userIds: ['u'] } });
    }
    expect(canRemoveAppAccess(removed)).toBe('unchanged');
    expect(canUnassignSpace(removed)).toBe('unchanged');
  });
});

describe('link state', () => {
  const now = new Date('2030-01-01T00:00:00.000Z');
  const open = { status: 'pending' as const, tokenDigest: 'd', expiresAt: '2030-01-02T00:00:00.000Z' };

  it.each([
    ['unknown', null, 'not_found'],
    ['used', { ...open, status: 'accepted' as const }, 'invitation_used'],
    ['revoked', { ...open, status: 'revoked' as const }, 'invitation_revoked'],
    ['replaced by a newer link', { ...open, tokenDigest: 'newer' }, 'invitation_revoked'],
    ['expired', { ...open, status: 'expired' as const }, 'invitation_expired'],
    ['past its expiry', { ...open, expiresAt: now.toISOString() }, 'invitation_expired'],
  ])('an %s link is refused with %s', (_state, invitation, code) => {
    expect(linkRefusal(invitation, 'd', now)?.code).toBe(code);
  });

  it('an open link is not refused; used wins over revoked and expired', () => {
    expect(linkRefusal(open, 'd', now)).toBeNull();
    expect(linkRefusal({ status: 'accepted', tokenDigest: 'other', expiresAt: '2000-01-01T00:00:00.000Z' }, 'd', now)?.code).toBe('invitation_used');
  });
});

describe('lifecycle decisions', () => {
  const person = (over: Partial<LifecyclePerson> = {}): LifecyclePerson => ({ userId: 'u', kind: 'guest', status: 'active', ...over });

  it('deactivates active and suspended people, leaves the deactivated alone, refuses those onboarding', () => {
    expect(canDeactivate(person())).toBe('change');
    expect(canDeactivate(person({ status: 'suspended' }))).toBe('change');
    expect(canDeactivate(person({ status: 'deactivated' }))).toBe('unchanged');
    expect(codeOf(canDeactivate(person({ status: 'invited' })))).toBe('conflict');
  });

  it('reactivates only the deactivated', () => {
    expect(canReactivate(person({ status: 'deactivated' }))).toBe('change');
    for (const status of ['invited', 'active', 'suspended'] as const) expect(canReactivate(person({ status }))).toBe('unchanged');
  });

  it('keeps guest-only actions for guests', () => {
    const paid = person({ kind: 'paid' });
    expect(codeOf(canRemoveAppAccess(paid))).toBe('conflict');
    expect(codeOf(canPromote(paid))).toBe('conflict');
    expect(codeOf(canUnassignSpace(paid))).toBe('conflict');
    expect(codeOf(canAssignSpace(paid, 'ENG'))).toBe('conflict');
    expect(canPromote(person())).toBe('change');
  });

  it('assigns a space to a guest who is not deactivated, and only when it changes', () => {
    expect(canAssignSpace(person(), 'ENG')).toBe('change');
    expect(canAssignSpace(person({ spaceKey: 'ENG' }), 'ENG')).toBe('unchanged');
    expect(codeOf(canAssignSpace(person({ status: 'deactivated' }), 'ENG'))).toBe('conflict');
    expect(canUnassignSpace(person())).toBe('unchanged');
    expect(canUnassignSpace(person({ spaceKey: 'ENG' }))).toBe('change');
  });

  it('refuses acting on oneself, and mustChange throws refusals', () => {
    expect(selfActionRefusal('u', 'u', 'delete')?.message).toBe('You cannot delete yourself.');
    expect(selfActionRefusal('a', 'u', 'deactivate')).toBeNull();
    expect(() => mustChange(canPromote(person({ kind: 'paid' })))).toThrow(AppError);
    expect(mustChange('unchanged')).toBe(false);
  });
});

describe('seat decisions of a refused seat update', () => {
  it('tells a changed ratio from a limit, user limit first', () => {
    expect(refusedSeatReason('guest', { seatRatio: 4, ratioRoom: 0, userRoom: 0 }, 5)).toBe('site_changed');
    expect(refusedSeatReason('guest', { seatRatio: 5, ratioRoom: 0, userRoom: 0 }, 5)).toBe('user_limit_reached');
    expect(refusedSeatReason('guest', { seatRatio: 5, ratioRoom: 0, userRoom: 3 }, 5)).toBe('guest_limit_reached');
    expect(refusedSeatReason('paid', { seatRatio: 5, ratioRoom: 0, userRoom: 3 }, 5)).toBeNull();
  });
});

describe('chunk planning', () => {
  it('splits joins so every transaction fits, in order, without losing anyone', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (promotes) => {
        const people = promotes.map((promoted, index) => ({ index, promoted }));
        const chunks = planJoinChunks(people, (person) => person.promoted);
        expect(chunks.flat()).toEqual(people);
        for (const chunk of chunks) {
          const items = 3 + chunk.reduce((sum, person) => sum + (person.promoted ? 5 : 2), 0);
          expect(items).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
        }
      }),
    );
  });

  it('promotes in chunks of at most the transaction room, at least one', () => {
    expect(promotionChunkSize()).toBe(PROMOTION_CHUNK_MEMBERS);
    expect(promotionChunkSize(1000)).toBe(PROMOTION_CHUNK_MEMBERS);
    expect(promotionChunkSize(0)).toBe(1);
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
