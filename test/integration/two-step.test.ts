import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/domain/errors';
import { TwoStepRefusal } from '../../shared/domain/two-step';
import type { Directory } from '../../shared/directory/directory';
import { PersonItem, personKey, personUpdate } from '../../shared/directory/entities/person';
import type { SiteItem } from '../../shared/directory/entities/site';
import { inviteOne } from '../../shared/directory/invitations';
import { requirePerson } from '../../shared/directory/people/load';
import { readItem } from '../../shared/directory/reads';
import { writeOne } from '../../shared/directory/single';
import { updateWrite } from '../../shared/directory/writes';
import { createSite, requireSite } from '../../shared/directory/sites';
import { newInvitationId, newUserId } from '../../shared/ids';
import { localSealer } from '../../shared/security/sealing';
import { codeForStep, timeStep } from '../../shared/security/totp';
import { passTwoStep, resetTwoStep, type TwoStepDeps, type TwoStepOutcome } from '../../shared/usecases/two-step';
import { freshDirectory, scanAll } from '../support/directory';

/**
 * Two-step verification against DynamoDB Local, with a clock the test moves: the lock after five
 * wrong codes, parallel wrong codes, a valid code sent several times at once, and the admin's reset.
 */
let db: Directory;
let deps: TwoStepDeps;
let site: SiteItem;
let adminId: string;
const T0 = new Date('2026-03-02T09:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  db = await freshDirectory('two-step');
  deps = { db, sealer: localSealer(randomBytes(32)) };
  const created = await createSite(
    db,
    { siteId: 'totp', name: 'Totp Wiki', orgId: 'org-totp', plan: 'standard', userLimit: 100, guestRatio: 50, inviteExpiryDays: 7, admins: [{ email: 'admin@totp.example', role: 'site-admin' }] },
    'operator',
    T0.toISOString(),
  );
  adminId = created.admins[0]!.userId;
  site = await requireSite(db, 'totp');
});

async function newGuest(): Promise<string> {
  const userId = newUserId();
  const outcome = await inviteOne(db, {
    site: await requireSite(db, 'totp'),
    email: `${userId.toLowerCase()}@partner.example`,
    kind: 'guest',
    roles: { wiki: 'guest' },
    groups: [],
    invitedBy: adminId,
    inviterName: 'Admin',
    userId,
    invitationId: newInvitationId(),
    now: T0.toISOString(),
    expiresAt: minutes(7 * 24 * 60).toISOString(),
  });
  expect(outcome).toEqual({ invited: true });
  return userId;
}

const person = (userId: string) => requirePerson(db, 'totp', userId);
const pass = async (userId: string, code: string | undefined, now: Date) => passTwoStep(deps, { site, person: await person(userId), code, now });
const codeAt = (secret: string, now: Date) => codeForStep(secret, timeStep(now));
/** Six digits that are the code of no step in the window around `now`. */
function wrongCodeAt(secret: string, now: Date): string {
  const window = [-1, 0, 1].map((offset) => codeForStep(secret, timeStep(now) + offset));
  return ['111111', '222222', '333333', '444444'].find((candidate) => !window.includes(candidate))!;
}

async function refusal(promise: Promise<unknown>): Promise<TwoStepRefusal> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TwoStepRefusal) return error;
    throw error;
  }
  throw new Error('expected a two-step refusal');
}

/** Enrols `userId` at `now`; returns the secret. */
async function enrol(userId: string, now = T0): Promise<string> {
  const outcome = await pass(userId, undefined, now);
  if (outcome.kind !== 'enrolment') throw new Error('expected an enrolment');
  expect(await pass(userId, codeAt(outcome.secret, now), now)).toEqual({ kind: 'passed', enrolled: true });
  return outcome.secret;
}

const auditActions = async (target: string) => (await scanAll(db)).filter((item) => item.type === 'audit' && item.target === target).map((item) => item.action);

describe('enrolment', () => {
  it('hands out one secret, again on every request without a code, sealed at rest', async () => {
    const userId = await newGuest();
    const first = await pass(userId, undefined, T0);
    const again = await pass(userId, undefined, minutes(1));
    if (first.kind !== 'enrolment' || again.kind !== 'enrolment') throw new Error('expected enrolments');
    expect(first.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(again).toEqual(first);
    expect(first.otpauthUrl).toContain(`secret=${first.secret}`);

    const stored = await person(userId);
    expect(stored.twoStepEnrolled).toBe(false);
    expect(stored.twoStepPendingSecret?.keyProvider).toBe('local');
    expect(JSON.stringify(await scanAll(db))).not.toContain(first.secret);
  });

  it('gives two first requests at once the same secret', async () => {
    const userId = await newGuest();
    const read = await person(userId);
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => passTwoStep(deps, { site, person: read, code: undefined, now: T0 })));
    const secrets = new Set(outcomes.map((outcome) => (outcome.kind === 'enrolment' ? outcome.secret : 'passed')));
    expect(secrets.size).toBe(1);
    expect(await deps.sealer.open((await person(userId)).twoStepPendingSecret!, { siteId: 'totp', userId })).toBe([...secrets][0]);
  });

  it('completes with a valid code: the pending secret becomes the secret, audited; after that only a code will do', async () => {
    const userId = await newGuest();
    const handedOut = await pass(userId, undefined, T0);
    if (handedOut.kind !== 'enrolment') throw new Error('expected an enrolment');
    const pending = (await person(userId)).twoStepPendingSecret;

    expect(await pass(userId, codeAt(handedOut.secret, T0), T0)).toEqual({ kind: 'passed', enrolled: true });
    const enrolled = await person(userId);
    expect(enrolled).toMatchObject({ twoStepEnrolled: true, twoStepSecret: pending, twoStepLastStep: timeStep(T0) });
    expect(enrolled.twoStepPendingSecret).toBeUndefined();
    expect(await auditActions(userId)).toContain('person.two_step_enrolled');

    // Enrolled: no code is a 400 naming the field, and the secret is never handed out again.
    const missing = await refusal(pass(userId, undefined, minutes(1)));
    expect(missing).toMatchObject({ reason: 'code_required', status: 400, details: { issues: [{ path: 'body.totpCode' }] } });
    expect(await pass(userId, codeAt(handedOut.secret, minutes(1)), minutes(1))).toEqual({ kind: 'passed', enrolled: false });
  });

  it('refuses a code before any secret was handed out, without counting it', async () => {
    const userId = await newGuest();
    expect(await refusal(pass(userId, '123456', T0))).toMatchObject({ reason: 'not_enrolling', status: 400 });
    expect((await person(userId)).twoStepFailures).toBeUndefined();
  });
});

describe('the lock after five wrong codes', () => {
  it('locks for 15 minutes at the fifth wrong code in a row, refuses even the right code meanwhile, and unlocks after', async () => {
    const userId = await newGuest();
    const secret = await enrol(userId);
    const at = minutes(1);
    for (const left of [4, 3, 2, 1]) {
      const wrong = await refusal(pass(userId, wrongCodeAt(secret, at), at));
      expect(wrong).toMatchObject({ reason: 'wrong_code', status: 400, code: 'validation_failed', details: { attemptsLeft: left, issues: [{ path: 'body.totpCode' }] } });
    }
    const fifth = await refusal(pass(userId, wrongCodeAt(secret, at), at));
    expect(fifth).toMatchObject({ reason: 'locked', status: 429, code: 'rate_limited', retryAfterSeconds: 900 });
    expect(fifth.message).toContain('locked for 15 minutes');
    expect((await person(userId)).twoStepLockedUntil).toBe(minutes(16).toISOString());

    const during = new Date(minutes(16).getTime() - 1000);
    expect(await refusal(pass(userId, codeAt(secret, during), during))).toMatchObject({ reason: 'locked', status: 429, retryAfterSeconds: 1 });

    // The lock ends exactly 15 minutes after it started.
    expect(await pass(userId, codeAt(secret, minutes(16)), minutes(16))).toEqual({ kind: 'passed', enrolled: false });
    const after = await person(userId);
    expect(after.twoStepFailures).toBeUndefined();
    expect(after.twoStepLockedUntil).toBeUndefined();
  });

  it('counts only wrong codes in a row: a good code starts the count again', async () => {
    const userId = await newGuest();
    const secret = await enrol(userId);
    for (let i = 0; i < 4; i++) await refusal(pass(userId, wrongCodeAt(secret, minutes(1)), minutes(1)));
    expect(await pass(userId, codeAt(secret, minutes(2)), minutes(2))).toEqual({ kind: 'passed', enrolled: false });
    expect(await refusal(pass(userId, wrongCodeAt(secret, minutes(3)), minutes(3)))).toMatchObject({ reason: 'wrong_code', details: { attemptsLeft: 4 } });
  });

  it('locks when two wrong codes arrive at once at four failures, and when two arrive at three the second locks', async () => {
    for (const [before, expected] of [
      [4, ['locked', 'locked']],
      [3, ['locked', 'wrong_code']],
    ] as const) {
      const userId = await newGuest();
      const secret = await enrol(userId);
      const at = minutes(1);
      for (let i = 0; i < before; i++) await refusal(pass(userId, wrongCodeAt(secret, at), at));
      const read = await person(userId);
      const outcomes = await Promise.all([0, 1].map(() => refusal(passTwoStep(deps, { site, person: read, code: wrongCodeAt(secret, at), now: at }))));
      expect(outcomes.map((outcome) => outcome.reason).sort(), `at ${before} failures`).toEqual([...expected].sort());
      expect((await person(userId)).twoStepLockedUntil, `at ${before} failures`).toBe(minutes(16).toISOString());
    }
  });

  it('counts ten parallel wrong codes one by one: four are refused with 4, 3, 2 and 1 attempts left, the fifth locks, the rest find the lock', async () => {
    const userId = await newGuest();
    const secret = await enrol(userId);
    const at = minutes(1);
    const read = await person(userId);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => refusal(passTwoStep(deps, { site, person: read, code: wrongCodeAt(secret, at), now: at }))));
    const counted = outcomes.filter((outcome) => outcome.reason === 'wrong_code').map((outcome) => outcome.details?.attemptsLeft);
    expect(counted.sort()).toEqual([1, 2, 3, 4]);
    expect(outcomes.filter((outcome) => outcome.reason === 'locked')).toHaveLength(6);
    const locked = await person(userId);
    expect(locked.twoStepLockedUntil).toBe(minutes(16).toISOString());
    expect(locked.twoStepFailures).toBeUndefined();
  });
});

describe('a code works once', () => {
  it('the same valid code sent five times at once passes exactly once, for a check and for an enrolment', async () => {
    const enrolled = await newGuest();
    const secret = await enrol(enrolled);
    const enrolling = await newGuest();
    const handedOut = await pass(enrolling, undefined, T0);
    if (handedOut.kind !== 'enrolment') throw new Error('expected an enrolment');

    const at = minutes(2);
    for (const [userId, key] of [
      [enrolled, secret],
      [enrolling, handedOut.secret],
    ] as const) {
      const read = await person(userId);
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => passTwoStep(deps, { site, person: read, code: codeAt(key, at), now: at })));
      const passed = results.filter((result): result is PromiseFulfilledResult<TwoStepOutcome> => result.status === 'fulfilled');
      expect(passed, userId).toHaveLength(1);
      for (const result of results.filter((r) => r.status === 'rejected')) {
        expect(result.reason).toBeInstanceOf(TwoStepRefusal);
        expect(result.reason).toMatchObject({ reason: 'code_reused', status: 400, details: { issues: [{ path: 'body.totpCode' }] } });
      }
      expect((await person(userId)).twoStepLastStep).toBe(timeStep(at));
    }
    expect((await auditActions(enrolling)).filter((action) => action === 'person.two_step_enrolled')).toHaveLength(1);
  });

  it('refuses the same code later, and an older code after a newer one', async () => {
    const userId = await newGuest();
    const secret = await enrol(userId, T0);
    // Within the drift window the code of the step already accepted is still "current" for the clock.
    expect(await refusal(pass(userId, codeAt(secret, T0), new Date(T0.getTime() + 20_000)))).toMatchObject({ reason: 'code_reused', details: { attemptsLeft: 4 } });
    const next = new Date(T0.getTime() + 30_000);
    expect(await pass(userId, codeForStep(secret, timeStep(next) + 1), next)).toEqual({ kind: 'passed', enrolled: false });
    expect(await refusal(pass(userId, codeAt(secret, next), next))).toMatchObject({ reason: 'code_reused' });
  });
});

describe('a good code checked on a stale read', () => {
  it('is decided again on the fresh person when something else changed meanwhile, and keeps the index right', async () => {
    const created = await createSite(
      db,
      { siteId: 'stale', name: 'Stale', orgId: 'org-stale', plan: 'standard', userLimit: 10, guestRatio: 5, inviteExpiryDays: 7, admins: [{ email: 'admin@stale.example', role: 'site-admin' }] },
      'operator',
      T0.toISOString(),
    );
    const userId = created.admins[0]!.userId;
    const stale = await requireSite(db, 'stale');
    const handedOut = await passTwoStep(deps, { site: stale, person: await requirePerson(db, 'stale', userId), code: undefined, now: T0 });
    if (handedOut.kind !== 'enrolment') throw new Error('expected an enrolment');
    const read = await requirePerson(db, 'stale', userId);
    // The re-verification job looks at this person between the read and the write.
    await writeOne(db, updateWrite(personKey('stale', userId), personUpdate().set('verificationCheckedAt', minutes(1).toISOString())));

    expect(await passTwoStep(deps, { site: stale, person: read, code: codeAt(handedOut.secret, minutes(2)), now: minutes(2) })).toEqual({ kind: 'passed', enrolled: true });
    const item = (await scanAll(db)).find((candidate) => candidate.pk === 'SITE#stale' && candidate.sk === `USER#${userId}`)!;
    // Enrolled, and still where the job put this (internal) paid user: the index follows the fresh person.
    expect(item).toMatchObject({ twoStepEnrolled: true, gsi4pk: 'SITE#stale#VERIFY#paid#INTERNAL', gsi4sk: `${minutes(1).toISOString()}#${userId}` });
    expect(item.twoStepFailures).toBeUndefined();
  });
});

describe('the admin’s reset', () => {
  it('clears the secret, last step, failures and lock, sets not enrolled, and is audited in the same write', async () => {
    const userId = await newGuest();
    const secret = await enrol(userId);
    for (let i = 0; i < 5; i++) await refusal(pass(userId, wrongCodeAt(secret, minutes(1)), minutes(1)));
    expect((await person(userId)).twoStepLockedUntil).toBeDefined();

    const reset = await resetTwoStep(db, 'totp', userId, adminId, minutes(2));
    expect(reset.twoStepEnrolled).toBe(false);
    const stored = (await scanAll(db)).find((item) => item.sk === `USER#${userId}`)!;
    for (const field of ['twoStepSecret', 'twoStepPendingSecret', 'twoStepLastStep', 'twoStepFailures', 'twoStepLockedUntil']) expect(stored, field).not.toHaveProperty(field);
    expect(stored.twoStepEnrolled).toBe(false);
    const events = (await scanAll(db)).filter((item) => item.type === 'audit' && item.action === 'person.two_step_reset' && item.target === userId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: adminId, at: minutes(2).toISOString(), details: { before: { twoStepEnrolled: true, locked: true }, after: { twoStepEnrolled: false } } });

    // Not locked any more, and the next verification is a new enrolment with a new secret.
    const fresh = await pass(userId, undefined, minutes(3));
    expect(fresh.kind).toBe('enrolment');
    expect(fresh.kind === 'enrolment' && fresh.secret).not.toBe(secret);
  });

  it('writes nothing (and no event) for someone with no two-step state, and answers 404 for an unknown user', async () => {
    const userId = await newGuest();
    expect((await resetTwoStep(db, 'totp', userId, adminId, minutes(1))).twoStepEnrolled).toBe(false);
    expect(await auditActions(userId)).not.toContain('person.two_step_reset');
    await expect(resetTwoStep(db, 'totp', 'usr_nobody', adminId, minutes(1))).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(resetTwoStep(db, 'totp', 'usr_nobody', adminId, minutes(1))).rejects.toBeInstanceOf(AppError);
  });

  it('moves an active person between the re-verification index partitions as enrolment and reset change', async () => {
    const stage = async () => ((await scanAll(db)).find((item) => item.sk === `USER#${adminId}`)?.gsi4pk as string).split('#').at(-1);
    expect(await stage()).toBe('PLAIN');
    await enrol(adminId, minutes(5));
    expect(await stage()).toBe('TOTP');
    await resetTwoStep(db, 'totp', adminId, 'usr_other_admin', minutes(6));
    expect(await stage()).toBe('PLAIN');
    expect(await readItem(db, personKey('totp', adminId), PersonItem)).toMatchObject({ status: 'active', twoStepEnrolled: false });
  });
});
