import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verificationIndexKeys, verificationPartition } from '../../shared/directory/entities/person';
import { DEFAULT_EXTERNAL_USER_POLICY, REVERIFY_GRACE_DAYS, type VerificationState } from '../../shared/domain/external';
import { reverificationStep, verificationLinkRefusal } from '../../shared/domain/reverification';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const POLICY = DEFAULT_EXTERNAL_USER_POLICY;

const person = (over: Partial<VerificationState & { verificationCheckedAt: string }> = {}) => ({
  kind: 'guest' as const,
  email: 'visitor@partner.example',
  status: 'active' as const,
  twoStepEnrolled: false,
  activatedAt: daysAgo(10),
  ...over,
});

describe('reverificationStep', () => {
  it.each([
    ['a fresh guest', person(), POLICY, true, 'wait'],
    ['an overdue guest', person({ activatedAt: daysAgo(31) }), POLICY, true, 'send'],
    ['an unenrolled guest under two-step', person(), { ...POLICY, twoStepRequired: true }, true, 'send'],
    ['an enrolled guest under two-step', person({ twoStepEnrolled: true }), { ...POLICY, twoStepRequired: true }, true, 'wait'],
    ['an asked guest within the grace', person({ activatedAt: daysAgo(31), verificationRequestedAt: daysAgo(REVERIFY_GRACE_DAYS - 1) }), POLICY, true, 'wait'],
    ['an asked guest after the grace', person({ activatedAt: daysAgo(35), verificationRequestedAt: daysAgo(REVERIFY_GRACE_DAYS) }), POLICY, true, 'suspend'],
    ['an asked guest the relaxed policy no longer makes owe', person({ activatedAt: daysAgo(20), verificationRequestedAt: daysAgo(5) }), POLICY, true, 'release'],
    ['an asked paid user now inside the verified domains', { ...person({ activatedAt: daysAgo(40), verificationRequestedAt: daysAgo(5) }), kind: 'paid' as const }, POLICY, false, 'release'],
    ['an internal paid user', { ...person({ activatedAt: daysAgo(40) }), kind: 'paid' as const }, POLICY, false, 'checked'],
    ['a paid user once internal, external now, owing nothing', { ...person({ activatedAt: daysAgo(3), verificationCheckedAt: daysAgo(1) }), kind: 'paid' as const }, POLICY, true, 'unmark'],
    ['a paid user once internal, external now and overdue', { ...person({ activatedAt: daysAgo(40), verificationCheckedAt: daysAgo(1) }), kind: 'paid' as const }, POLICY, true, 'send'],
    ['a suspended guest', person({ status: 'suspended', activatedAt: daysAgo(90) }), POLICY, true, 'wait'],
  ] as const)('%s → %s', (_name, who, policy, external, expected) => {
    expect(reverificationStep(who, policy, external, NOW)).toBe(expected);
  });

  it('never suspends anyone who was not sent a link, nor before the grace is over', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 90 }),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (activatedDaysAgo, askedDaysAgo, reverifyEveryDays, twoStepRequired) => {
          const who = person({ activatedAt: daysAgo(activatedDaysAgo), ...(askedDaysAgo === undefined ? {} : { verificationRequestedAt: daysAgo(askedDaysAgo) }) });
          const step = reverificationStep(who, { ...POLICY, reverifyEveryDays, twoStepRequired }, true, NOW);
          if (step === 'suspend') {
            expect(askedDaysAgo).toBeDefined();
            expect(askedDaysAgo!).toBeGreaterThanOrEqual(REVERIFY_GRACE_DAYS);
          }
          if (step === 'send') expect(askedDaysAgo).toBeUndefined();
        },
      ),
    );
  });
});

describe('verificationIndexKeys', () => {
  const base = { siteId: 's1', userId: 'u1', kind: 'guest' as const, status: 'active' as const, twoStepEnrolled: false, activatedAt: '2026-01-01T00:00:00.000Z' };
  it('puts active people in the stage they are at, ordered by when it started', () => {
    expect(verificationIndexKeys(base)).toEqual({ gsi4pk: verificationPartition('s1', 'guest', 'PLAIN'), gsi4sk: '2026-01-01T00:00:00.000Z#u1' });
    expect(verificationIndexKeys({ ...base, twoStepEnrolled: true, lastVerifiedAt: '2026-02-01T00:00:00.000Z' })?.gsi4sk).toBe('2026-02-01T00:00:00.000Z#u1');
    expect(verificationIndexKeys({ ...base, twoStepEnrolled: true })?.gsi4pk).toBe(verificationPartition('s1', 'guest', 'TOTP'));
    expect(verificationIndexKeys({ ...base, verificationRequestedAt: '2026-03-01T00:00:00.000Z' })).toEqual({ gsi4pk: verificationPartition('s1', 'guest', 'SENT'), gsi4sk: '2026-03-01T00:00:00.000Z#u1' });
    expect(verificationIndexKeys({ ...base, kind: 'paid', verificationCheckedAt: '2026-04-01T00:00:00.000Z' })?.gsi4pk).toBe(verificationPartition('s1', 'paid', 'INTERNAL'));
  });
  it.each(['invited', 'suspended', 'deactivated'] as const)('leaves %s people out of the index', (status) => {
    expect(verificationIndexKeys({ ...base, status })).toBeNull();
  });
});

describe('verificationLinkRefusal', () => {
  const link = { purpose: 'reverification', expiresAt: new Date(NOW.getTime() + DAY).toISOString() };
  const holder = { status: 'active', verifyLinkDigest: 'd1' };
  it('tells unknown, used, replaced and expired links apart, in that order', () => {
    expect(verificationLinkRefusal(null, holder, 'd1', NOW)?.code).toBe('not_found');
    expect(verificationLinkRefusal({ ...link, purpose: 'invitation' }, holder, 'd1', NOW)?.code).toBe('not_found');
    expect(verificationLinkRefusal(link, null, 'd1', NOW)?.code).toBe('not_found');
    expect(verificationLinkRefusal({ ...link, usedAt: daysAgo(0) }, { status: 'active' }, 'd1', NOW)?.code).toBe('invitation_used');
    expect(verificationLinkRefusal(link, { ...holder, verifyLinkDigest: 'd2' }, 'd1', NOW)?.code).toBe('invitation_revoked');
    expect(verificationLinkRefusal(link, { ...holder, status: 'deactivated' }, 'd1', NOW)?.code).toBe('invitation_revoked');
    expect(verificationLinkRefusal({ ...link, expiresAt: NOW.toISOString() }, holder, 'd1', NOW)?.code).toBe('invitation_expired');
    expect(verificationLinkRefusal(link, holder, 'd1', NOW)).toBeNull();
    expect(verificationLinkRefusal(link, { ...holder, status: 'suspended' }, 'd1', NOW)).toBeNull();
  });
});
