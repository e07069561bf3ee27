import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTERNAL_USER_POLICY, TWO_STEP_LOCK_MINUTES, TWO_STEP_MAX_FAILURES } from '../../shared/domain/external';
import {
  attemptsLeft,
  canResetTwoStep,
  codeRefused,
  codeRequired,
  FAILURES_BEFORE_LOCK,
  lockedOut,
  lockEndsAt,
  lockSecondsLeft,
  notEnrolling,
  twoStepRequiredFor,
  TwoStepRefusal,
  wrongCodeMessage,
} from '../../shared/domain/two-step';

const REQUIRED = { ...DEFAULT_EXTERNAL_USER_POLICY, twoStepRequired: true };
const OFF = DEFAULT_EXTERNAL_USER_POLICY;
const timeArb = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms));

describe('who owes two-step verification', () => {
  const site = (over: Partial<Parameters<typeof twoStepRequiredFor>[0]> = {}) => ({ externalUserPolicy: REQUIRED, verifiedDomains: [] as string[], ...over });
  const guest = { userId: 'usr_g', kind: 'guest' as const, email: 'ann@partner.example' };
  const paid = (email: string) => ({ userId: 'usr_p', kind: 'paid' as const, email });

  it('is every guest, on a site whose policy requires it', () => {
    expect(twoStepRequiredFor(site(), guest)).toBe(true);
    expect(twoStepRequiredFor(site({ externalUserPolicy: OFF }), guest)).toBe(false);
  });

  it('is a paid user only outside the site’s verified domains (none listed: no paid user is external)', () => {
    expect(twoStepRequiredFor(site(), paid('pat@corp.example'))).toBe(false);
    expect(twoStepRequiredFor(site({ verifiedDomains: ['corp.example'] }), paid('pat@corp.example'))).toBe(false);
    expect(twoStepRequiredFor(site({ verifiedDomains: ['corp.example'] }), paid('pat@Contractor.example'))).toBe(true);
  });

  it('follows a policy trial for the people it names, and the site’s policy for everyone else', () => {
    const trial = { policy: REQUIRED, userIds: ['usr_g'] };
    expect(twoStepRequiredFor(site({ externalUserPolicy: OFF, policyTrial: trial }), guest)).toBe(true);
    expect(twoStepRequiredFor(site({ externalUserPolicy: OFF, policyTrial: trial }), { ...guest, userId: 'usr_other' })).toBe(false);
    expect(twoStepRequiredFor(site({ policyTrial: { policy: OFF, userIds: ['usr_g'] } }), guest)).toBe(false);
  });
});

describe('the lock-out arithmetic', () => {
  it(`locks for ${TWO_STEP_LOCK_MINUTES} minutes from the wrong code that locks`, () => {
    fc.assert(
      fc.property(timeArb, (now) => {
        expect(lockEndsAt(now).getTime() - now.getTime()).toBe(15 * 60_000);
        expect(lockSecondsLeft(lockEndsAt(now).toISOString(), now)).toBe(900);
      }),
    );
  });

  it('counts the seconds left rounded up, and a lock ends exactly at its time', () => {
    fc.assert(
      fc.property(timeArb, fc.integer({ min: -3_600_000, max: 3_600_000 }), (now, offsetMs) => {
        const until = new Date(now.getTime() + offsetMs).toISOString();
        const left = lockSecondsLeft(until, now);
        if (offsetMs <= 0) expect(left).toBe(0);
        else {
          expect(left).toBe(Math.ceil(offsetMs / 1000));
          expect(left).toBeGreaterThan(0);
        }
      }),
    );
    expect(lockSecondsLeft(undefined, new Date())).toBe(0);
    expect(lockSecondsLeft('not a time', new Date())).toBe(0);
  });

  it('leaves 5 − failures attempts, never fewer than none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (failures) => {
        expect(attemptsLeft(failures)).toBe(Math.max(0, TWO_STEP_MAX_FAILURES - failures));
        expect(attemptsLeft(failures + 1)).toBeLessThanOrEqual(attemptsLeft(failures));
      }),
    );
    expect(FAILURES_BEFORE_LOCK).toBe(TWO_STEP_MAX_FAILURES - 1);
  });

  it('with the directory’s rule (count below the limit, lock at it), locks exactly at the 5th wrong code in a row', () => {
    // The two conditional writes of recordWrongCode, applied one by one as DynamoDB serialises them.
    type State = { failures: number; locks: number };
    const wrong = (state: State): State => (state.failures < FAILURES_BEFORE_LOCK ? { ...state, failures: state.failures + 1 } : { failures: 0, locks: state.locks + 1 });
    fc.assert(
      fc.property(fc.array(fc.constantFrom('wrong', 'good'), { maxLength: 60 }), (events) => {
        let state: State = { failures: 0, locks: 0 };
        let run = 0;
        let expectedLocks = 0;
        for (const event of events) {
          if (event === 'good') {
            state = { ...state, failures: 0 };
            run = 0;
            continue;
          }
          state = wrong(state);
          run += 1;
          if (run === TWO_STEP_MAX_FAILURES) {
            expectedLocks += 1;
            run = 0;
          }
          expect(state.failures).toBe(run);
        }
        expect(state.locks).toBe(expectedLocks);
      }),
    );
  });
});

describe('refusals', () => {
  it('a lock is 429 rate_limited, says 15 minutes after 5 wrong codes, and comes back after the seconds left', () => {
    const refusal = lockedOut(900);
    expect(refusal).toBeInstanceOf(TwoStepRefusal);
    expect(refusal).toMatchObject({ reason: 'locked', code: 'rate_limited', status: 429, retryAfterSeconds: 900 });
    expect(refusal.message).toContain('After 5 wrong codes in a row');
    expect(refusal.message).toContain('locked for 15 minutes');
    expect(refusal.message).toContain('Try again in 15 minutes');
    expect(lockedOut(30).message).toContain('Try again in 1 minute.');
    expect(lockedOut(61).retryAfterSeconds).toBe(61);
    expect(lockedOut(61).message).toContain('Try again in 2 minutes.');
  });

  it('a missing code is 400 validation_failed naming body.totpCode', () => {
    expect(codeRequired()).toMatchObject({ reason: 'code_required', status: 400, code: 'validation_failed', details: { issues: [{ path: 'body.totpCode' }] } });
    expect(notEnrolling()).toMatchObject({ reason: 'not_enrolling', status: 400, details: { issues: [{ path: 'body.totpCode' }] } });
  });

  it('a wrong or reused code is 400 naming body.totpCode with the attempts left, and says which it was', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TWO_STEP_MAX_FAILURES }), fc.constantFrom('wrong_code' as const, 'code_reused' as const), (failures, reason) => {
        const refusal = codeRefused(reason, failures);
        expect(refusal).toMatchObject({ reason, status: 400, code: 'validation_failed', details: { attemptsLeft: TWO_STEP_MAX_FAILURES - failures, issues: [{ path: 'body.totpCode' }] } });
        expect(refusal.message).toBe(wrongCodeMessage(reason, TWO_STEP_MAX_FAILURES - failures));
      }),
    );
    expect(wrongCodeMessage('wrong_code', 4)).toBe('That code is not right. Check that you entered the current code for this site. 4 attempts left before a 15-minute lock.');
    expect(wrongCodeMessage('code_reused', 1)).toBe('That code was already used. Wait for the next code in your authenticator app. 1 attempt left before a 15-minute lock.');
    expect(wrongCodeMessage('wrong_code', 0)).not.toContain('attempt');
  });
});

describe('an admin’s reset', () => {
  it('has nothing to do without any two-step state, and something with any of it', () => {
    expect(canResetTwoStep({ twoStepEnrolled: false })).toBe('unchanged');
    expect(canResetTwoStep({ twoStepEnrolled: true })).toBe('change');
    expect(canResetTwoStep({ twoStepEnrolled: false, twoStepPendingSecret: {} })).toBe('change');
    expect(canResetTwoStep({ twoStepEnrolled: false, twoStepFailures: 2 })).toBe('change');
    expect(canResetTwoStep({ twoStepEnrolled: false, twoStepLockedUntil: '2026-01-01T00:00:00.000Z' })).toBe('change');
    expect(canResetTwoStep({ twoStepEnrolled: false, twoStepLastStep: 1 })).toBe('change');
  });
});
