import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTwoStepKey } from '../../infra/local/two-step-key';
import { siteKey, siteUpdate } from '../../shared/directory/entities/site';
import { writeOne } from '../../shared/directory/single';
import { updateWrite } from '../../shared/directory/writes';
import { scanAll } from '../support/directory';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * Two-step enrolment while accepting, over HTTP on the local stack: a site requiring two-step
 * verification, guests invited by email, codes computed here from the secret handed out as an
 * authenticator app would, the lock after five wrong codes, the HTML form flow, and the admin's reset.
 */
let given: TestStack;
let site: TestSite;

beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite();
  // The policy routes are not built yet: the site's policy is set in its item.
  await writeOne(given.db, updateWrite(siteKey(site.siteId), siteUpdate().set('externalUserPolicy', { twoStepRequired: true, reverifyEveryDays: 30, apiTokensAllowed: true })));
});
afterAll(() => given?.close());

type Enrollment = { twoStepEnrollment: { otpauthUrl: string; secret: string } };
type ErrorBody = { error: { code: string; message: string; details?: { attemptsLeft?: number; issues?: { path: string }[] } } };

/** The current code for `secret`, computed independently of the code under test. */
const currentCode = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
/** Six digits that are no code of the steps around now. */
function wrongCode(secret: string): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  const window = [-30_000, 0, 30_000].map((offset) => totp.generate({ timestamp: Date.now() + offset }));
  return ['111111', '222222', '333333', '444444'].find((candidate) => !window.includes(candidate))!;
}

async function inviteGuest(email: string): Promise<{ userId: string; token: string }> {
  const invite = await given.api<{ results: { userId: string }[] }>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: [email], roles: { wiki: 'guest' } } });
  expect(invite.status).toBe(200);
  const [mail] = await eventually(async () => {
    const sent = await given.mailTo(email);
    return sent.length > 0 && sent;
  });
  return { userId: invite.json.results[0]!.userId, token: linkIn(mail!) };
}

const accept = <T = Record<string, unknown>>(token: string, body: Record<string, unknown>) => given.api<T>('POST', `/invitations/${token}/accept`, { body });
const formPost = (token: string, fields: Record<string, string>) =>
  given.api('POST', `/invitations/${token}/accept`, { rawBody: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } });
const getUser = (userId: string) => given.api('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken });

/** Every secret handed out in this file, to look for in the table at the end. */
const handedOut: { secret: string; otpauthUrl: string }[] = [];

describe('accepting on a site that requires two-step verification', () => {
  it('enrols first, refuses a wrong code, accepts with the right one, and then refuses the same code', async () => {
    const { userId, token } = await inviteGuest('ann@partner.example');
    const view = await given.api('GET', `/invitations/${token}`, { headers: { accept: 'application/json' } });
    expect(view.json).toMatchObject({ twoStepRequired: true });

    const first = await accept<Enrollment>(token, { displayName: 'Ann' });
    expect(first.status).toBe(200);
    const { otpauthUrl, secret } = first.json.twoStepEnrollment;
    handedOut.push({ secret, otpauthUrl });
    expect(Object.keys(first.json)).toEqual(['twoStepEnrollment']);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/guestpass:/);
    expect(new URL(otpauthUrl).searchParams.get('secret')).toBe(secret);
    expect(decodeURIComponent(new URL(otpauthUrl).pathname)).toContain(`Site ${site.siteId} (ann@partner.example)`);
    // Nothing is accepted yet, and asking again hands out the same secret.
    expect((await getUser(userId)).json).toMatchObject({ status: 'invited', twoStepEnrolled: false });
    expect((await accept<Enrollment>(token, {})).json.twoStepEnrollment.secret).toBe(secret);

    const wrong = await accept<ErrorBody>(token, { totpCode: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: 'validation_failed', details: { attemptsLeft: 4, issues: [{ path: 'body.totpCode' }] } });

    const code = currentCode(secret);
    const accepted = await accept(token, { displayName: 'Ann', totpCode: code });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toEqual({ userId, status: 'invited' });
    const person = (await getUser(userId)).json;
    expect(person).toMatchObject({ twoStepEnrolled: true, displayName: 'Ann' });
    expect(JSON.stringify(person)).not.toContain(secret);

    // The same code again is refused: the link is used, and it would be a reused code anyway.
    const again = await accept<ErrorBody>(token, { totpCode: code });
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe('invitation_used');
  });

  it('lets the same valid code accept once when it is sent twice at once', async () => {
    const { userId, token } = await inviteGuest('bo@partner.example');
    const { secret, otpauthUrl } = (await accept<Enrollment>(token, {})).json.twoStepEnrollment;
    handedOut.push({ secret, otpauthUrl });
    const code = currentCode(secret);
    const answers = await Promise.all([accept<ErrorBody>(token, { totpCode: code }), accept<ErrorBody>(token, { totpCode: code })]);
    expect(answers.map((answer) => answer.status).filter((status) => status === 200)).toHaveLength(1);
    const refused = answers.find((answer) => answer.status !== 200)!;
    // Refused as a reused code, or (if the winner had already accepted) as a used link.
    if (refused.status === 400) expect(refused.json.error.message).toContain('already used');
    else expect(refused.json.error.code).toBe('invitation_used');
    expect((await getUser(userId)).json).toMatchObject({ twoStepEnrolled: true });
  });

  it('locks for 15 minutes after 5 wrong codes, even for the right code, as JSON and as a page', async () => {
    const { userId, token } = await inviteGuest('cy@partner.example');
    const { secret, otpauthUrl } = (await accept<Enrollment>(token, {})).json.twoStepEnrollment;
    handedOut.push({ secret, otpauthUrl });
    for (const left of [4, 3, 2, 1]) {
      const wrong = await accept<ErrorBody>(token, { totpCode: wrongCode(secret) });
      expect(wrong.status).toBe(400);
      expect(wrong.json.error.details?.attemptsLeft).toBe(left);
    }
    const fifth = await accept<ErrorBody>(token, { totpCode: wrongCode(secret) });
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toBe('900');
    expect(fifth.json.error.code).toBe('rate_limited');
    expect(fifth.json.error.message).toContain('After 5 wrong codes in a row, two-step verification is locked for 15 minutes');

    const right = await accept<ErrorBody>(token, { totpCode: currentCode(secret) });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(880);
    expect(Number(right.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    const page = await formPost(token, { totpCode: currentCode(secret) });
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('Too many wrong codes');
    expect(page.text).toContain('locked for 15 minutes');
    expect((await getUser(userId)).json).toMatchObject({ status: 'invited', twoStepEnrolled: false });
  });

  it('shows the QR code and the secret on the form flow, the error and attempts left after a wrong code, and accepts with the code', async () => {
    const { userId, token } = await inviteGuest('dora@partner.example');
    const page = await formPost(token, { displayName: 'Dora Díaz' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(page.text).not.toMatch(/<script/i);
    const grouped = /<p class="secret">([A-Z2-7 ]+)<\/p>/.exec(page.text)?.[1];
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    const secret = grouped!.replaceAll(' ', '');
    handedOut.push({ secret, otpauthUrl: '' });
    expect(page.text).toContain(`<form method="post" action="/invitations/${token}/accept">`);
    expect(page.text).toContain('<label for="totpCode">');
    expect(page.text).toMatch(/<input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code"/);
    expect(page.text).toContain('<input type="hidden" name="displayName" value="Dora Díaz">');

    const wrong = await formPost(token, { displayName: 'Dora Díaz', totpCode: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That code is not right');
    expect(wrong.text).toContain('4 attempts left before a 15-minute lock');
    expect(wrong.text).toContain(grouped!);
    expect(wrong.text).toContain('aria-invalid="true"');

    const done = await formPost(token, { displayName: 'Dora Díaz', totpCode: currentCode(secret) });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your invitation is accepted');
    expect((await getUser(userId)).json).toMatchObject({ displayName: 'Dora Díaz', twoStepEnrolled: true });
  });

  it('asks nothing of a paid user on a site without verified domains: its paid users are internal', async () => {
    const invite = await given.api<{ results: { userId: string }[] }>('POST', `/sites/${site.siteId}/invitations`, { token: site.adminToken, body: { emails: ['pat@corp.example'], roles: { wiki: 'user' } } });
    const [mail] = await eventually(async () => (await given.mailTo('pat@corp.example')).length > 0 && given.mailTo('pat@corp.example'));
    const token = linkIn(mail!);
    expect((await given.api('GET', `/invitations/${token}`, { headers: { accept: 'application/json' } })).json).toMatchObject({ twoStepRequired: false });
    expect((await accept(token, {})).json).toEqual({ userId: invite.json.results[0]!.userId, status: 'invited' });
  });
});

describe('the admin’s reset', () => {
  it('clears an enrolment (200 Person, audited), 404 for an unknown user', async () => {
    const { userId, token } = await inviteGuest('eve@partner.example');
    const { secret, otpauthUrl } = (await accept<Enrollment>(token, {})).json.twoStepEnrollment;
    handedOut.push({ secret, otpauthUrl });
    expect((await accept(token, { totpCode: currentCode(secret) })).status).toBe(200);
    expect((await getUser(userId)).json).toMatchObject({ twoStepEnrolled: true });

    const reset = await given.api('POST', `/sites/${site.siteId}/users/${userId}/two-step/reset`, { token: site.adminToken });
    expect(reset.status).toBe(200);
    expect(reset.json).toMatchObject({ userId, email: 'eve@partner.example', kind: 'guest', twoStepEnrolled: false });
    const audit = await given.api<{ events: { action: string; target: string; actor: string }[] }>('GET', `/sites/${site.siteId}/audit-events`, { token: site.adminToken });
    expect(audit.json.events.find((event) => event.action === 'person.two_step_reset')).toMatchObject({ target: userId, actor: site.adminUserId });

    const unknown = await given.api<ErrorBody>('POST', `/sites/${site.siteId}/users/usr_nobody/two-step/reset`, { token: site.adminToken });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
  });
});

describe('secrets at rest', () => {
  it('are nowhere in the table in plain text, neither as base32 nor inside an otpauth URI', async () => {
    expect(handedOut.length).toBeGreaterThanOrEqual(5);
    const table = JSON.stringify(await scanAll(given.db));
    expect(table).toContain('twoStepSecret');
    expect(table).not.toContain('otpauth');
    for (const { secret, otpauthUrl } of handedOut) {
      expect(table).not.toContain(secret);
      expect(table).not.toContain(secret.toLowerCase());
      if (otpauthUrl) expect(table).not.toContain(encodeURIComponent(otpauthUrl));
    }
  });

  it('are sealed with a local key kept in the state directory, the same one on every start', () => {
    const keyFile = join(given.stateDir, 'two-step-key');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(process.env.TWO_STEP_LOCAL_KEY).toBe(key);
    expect(localTwoStepKey(keyFile)).toBe(key);
    expect(localTwoStepKey(join(given.stateDir, 'other', 'two-step-key'))).not.toBe(key);
  });
});
