import { describe, expect, it } from 'vitest';
import {
  DELIVERY_RANK,
  deliveryForEvent,
  deliveryOf,
  executionGeneration,
  executionStanding,
  resendExecutionName,
  resendRefusal,
  resendSlot,
  resendWaitSeconds,
  type ResendableInvitation,
} from '../../shared/domain/invitations';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
const pending = (over: Partial<ResendableInvitation> = {}): ResendableInvitation => ({ status: 'pending', expiresAt: '2026-03-05T00:00:00.000Z', ...over });

describe('resend rules', () => {
  it('refuses what is not pending, then what expired, then the limit, then a send in progress', () => {
    expect(resendRefusal(pending({ status: 'accepted' }), NOW)).toMatchObject({ code: 'conflict', details: { status: 'accepted' } });
    expect(resendRefusal(pending({ expiresAt: NOW.toISOString() }), NOW)).toMatchObject({ code: 'conflict', details: { status: 'expired' } });
    const limited = pending({ resends: 3, resentAt0: hoursAgo(2), resentAt1: hoursAgo(1), resentAt2: hoursAgo(0.5), sendingUntil: new Date(NOW.getTime() + 10_000).toISOString() });
    expect(resendRefusal(limited, NOW)).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: 22 * 3600 });
    expect(resendRefusal(pending({ sendingUntil: new Date(NOW.getTime() + 10_000).toISOString() }), NOW)).toMatchObject({ code: 'conflict' });
    expect(resendRefusal(pending({ sendingUntil: hoursAgo(0.01) }), NOW)).toBeNull();
    expect(resendRefusal(pending(), NOW)).toBeNull();
  });

  it('limits to three in any 24 hours: the slot a resend writes holds the third most recent one', () => {
    expect([0, 1, 2, 3, 4, 5].map(resendSlot)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(resendRefusal(pending({ resends: 2, resentAt0: hoursAgo(3), resentAt1: hoursAgo(2) }), NOW)).toBeNull();
    expect(resendRefusal(pending({ resends: 3, resentAt0: hoursAgo(24), resentAt1: hoursAgo(2), resentAt2: hoursAgo(1) }), NOW)).toBeNull();
    expect(resendRefusal(pending({ resends: 4, resentAt0: hoursAgo(0.1), resentAt1: hoursAgo(23.9), resentAt2: hoursAgo(1) }), NOW)).toMatchObject({ code: 'rate_limited' });
    expect(resendWaitSeconds(undefined, NOW)).toBeNull();
    expect(resendWaitSeconds(hoursAgo(24), NOW)).toBeNull();
    expect(resendWaitSeconds(new Date(NOW.getTime() - 86_400_000 + 1).toISOString(), NOW)).toBe(1);
  });
});

describe('which execution drives an invitation', () => {
  const name = resendExecutionName('inv_01', 2, 'abcd1234');

  it('names resend executions after the invitation and the resend, and reads them back', () => {
    expect(name).toBe('inv_01-resend-2-abcd1234');
    expect(name.length).toBeLessThanOrEqual(80);
    expect(executionGeneration('inv_01', 'inv_01')).toBe(0);
    expect(executionGeneration('inv_01', name)).toBe(2);
    expect(executionGeneration('inv_02', name)).toBeNull();
    expect(executionGeneration('inv_01', 'something-else')).toBeNull();
  });

  it('tells the current execution from one started ahead of its resend and one a resend replaced', () => {
    expect(executionStanding({ invitationId: 'inv_01' }, 'inv_01')).toBe('current');
    expect(executionStanding({ invitationId: 'inv_01', resends: 2, execution: name }, name)).toBe('current');
    expect(executionStanding({ invitationId: 'inv_01', resends: 2, execution: name }, 'inv_01')).toBe('superseded');
    expect(executionStanding({ invitationId: 'inv_01', resends: 2, execution: name }, 'inv_01-resend-2-other000')).toBe('superseded');
    expect(executionStanding({ invitationId: 'inv_01', resends: 1, execution: 'inv_01-resend-1-x' }, name)).toBe('ahead');
    expect(executionStanding({ invitationId: 'inv_01' }, 'not-ours')).toBe('superseded');
  });
});

describe('delivery', () => {
  it('moves only forward, bounced and complained being final', () => {
    expect(['Send', 'Delivery', 'Bounce', 'Complaint', 'Open', 'DeliveryDelay'].map(deliveryForEvent)).toEqual(['sent', 'delivered', 'bounced', 'complained', null, null]);
    expect(DELIVERY_RANK.sending < DELIVERY_RANK.sent && DELIVERY_RANK.sent < DELIVERY_RANK.delivered && DELIVERY_RANK.delivered < DELIVERY_RANK.bounced).toBe(true);
    expect(DELIVERY_RANK.bounced).toBe(DELIVERY_RANK.complained);
  });

  it('is sending until SES took the email, then sent, unless an event said more', () => {
    expect(deliveryOf({})).toBe('sending');
    expect(deliveryOf({ emailSentAt: NOW.toISOString() })).toBe('sent');
    expect(deliveryOf({ emailSentAt: NOW.toISOString(), delivery: 'bounced' })).toBe('bounced');
  });
});
