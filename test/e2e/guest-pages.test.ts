// First: the handlers loaded below log at debug level, every line of it, for the last test to read.
import { restoreLogLevel } from '../support/log-everything';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import { invitationKey } from '../../shared/directory/entities/invitation';
import { personKey } from '../../shared/directory/entities/person';
import { photographAndCheck } from '../support/axe';
import { launchBrowser } from '../support/browser';
import { eventually, startTestStack, type SentEmail, type TestSite, type TestStack } from '../support/stack';

/**
 * Every guest page in Chromium with JavaScript switched off, as a guest meets them: the link in
 * the invitation email, two-step enrolment with a code computed here from the key the page shows
 * as text, the accepted page, the lock, the expired / used / revoked / unknown link pages and the
 * re-verification page. On each: no serious or critical axe violation at 1280 and 360 px, the
 * CSP (no 'unsafe-inline', the stylesheet by its hash) and `Referrer-Policy: no-referrer`, and no
 * request leaving the local origin. At the end, no log line holds a link token or the secret.
 */
let given: TestStack;
let site: TestSite;
let browser: Browser | undefined;
let context: BrowserContext;
/** Where axe runs: see `check`. */
let auditPage: Page | undefined;
let origin: string;
const requested: string[] = [];
const violations: string[] = [];
const logLines: string[] = [];
/** Every link token and two-step secret handed out in this file, to look for in the logs. */
const secrets: string[] = [];
const restoreStreams: (() => void)[] = [];
/** The guest who accepts in the first test, and re-verifies in a later one. */
let beaUserId: string;

const SITE_NAME = 'Acme Docs';
const MESSAGE = 'Welcome aboard, Bea!\nThe design review is on Thursday.';
const DAY = 86_400_000;

beforeAll(async () => {
  // The handlers run in this process: what they write is what Lambda would send to CloudWatch.
  // Kept here rather than printed: at debug level it would drown the test report.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    }) as typeof stream.write;
    restoreStreams.push(() => {
      stream.write = write;
    });
  }
  // The stand-ins' own lines (the gateway's access log among them), as `npm start` prints them.
  given = await startTestStack({ log: (line) => logLines.push(`${line}\n`) });
  origin = new URL(given.stack.apiUrl).origin;
  site = await given.createSite({ name: SITE_NAME });
  await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } });
  // The site asks its guests for two-step verification, set as an admin does: review, then apply.
  const policy = { twoStepRequired: true, reverifyEveryDays: 30, apiTokensAllowed: true };
  const review = await given.api<{ reviewToken: string }>('POST', `/sites/${site.siteId}/external-user-policy/review`, { token: site.adminToken, body: { policy } });
  expect(review.status).toBe(200);
  const applied = await given.api('PUT', `/sites/${site.siteId}/external-user-policy`, { token: site.adminToken, body: { policy, reviewToken: review.json.reviewToken } });
  expect(applied.status).toBe(200);
});

afterAll(async () => {
  for (const restore of restoreStreams) restore();
  restoreLogLevel();
  await browser?.close();
  await given?.close();
});

/** The current code for `secret` (or the one `offsetMs` from now), computed as an authenticator app does. */
const codeFor = (secret: string, offsetMs = 0) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + offsetMs });
function wrongCode(secret: string): string {
  const window = [-30_000, 0, 30_000, 60_000].map((offset) => codeFor(secret, offset));
  return ['111111', '222222', '333333', '444444', '555555'].find((candidate) => !window.includes(candidate))!;
}

async function invite(email: string, extra: Record<string, unknown> = {}): Promise<{ userId: string; invitationId: string; mail: SentEmail }> {
  const invited = await given.api<{ results: { userId: string; invitationId: string }[] }>('POST', `/sites/${site.siteId}/invitations`, {
    token: site.adminToken,
    body: { emails: [email], roles: { wiki: 'guest' }, ...extra },
  });
  expect(invited.status).toBe(200);
  const mail = await eventually(async () => (await given.mailTo(email)).find((sent) => sent.body.text?.includes('/invitations/')));
  return { ...invited.json.results[0]!, mail };
}

/** The link in the email's text, whole, as the guest clicks it. */
function linkInMail(mail: SentEmail, kind: 'invitations' | 'verify'): string {
  const url = new RegExp(`https?://\\S+/${kind}/[A-Za-z0-9_-]{43}`).exec(mail.body.text ?? '')?.[0];
  if (!url) throw new Error(`No /${kind}/ link in the email`);
  secrets.push(url.slice(url.lastIndexOf('/') + 1));
  return url;
}

/** The headers every guest page must carry, checked on the response that delivered it. */
function expectGuestHeaders(response: Response | null, what: string): void {
  expect(response, what).not.toBeNull();
  const headers = response!.headers();
  expect(headers['content-type'], what).toBe('text/html; charset=utf-8');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  const csp = headers['content-security-policy'] ?? '';
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(csp, what).not.toContain('unsafe-inline');
  expect(csp, what).not.toContain('script-src');
}

/**
 * Screenshots and axe at both widths, and the page's own checks. axe runs on timers, and the
 * guest pages fire none: no JavaScript here, and their CSP's `sandbox` (without allow-scripts)
 * stops timers even where scripting is on. So axe audits (and photographs) a copy of the page's
 * markup, stylesheet included, in a page of its own with scripting on; the guest's page itself is
 * checked for what needs no script: it fits 360 px without scrolling sideways, and the
 * stylesheet the CSP admits by its hash really applied.
 */
async function check(page: Page, name: string): Promise<void> {
  auditPage ??= await (await browser!.newContext()).newPage();
  await auditPage.setContent(await page.content());
  violations.push(...(await photographAndCheck(auditPage, name)));
  await page.setViewportSize({ width: 360, height: 900 });
  expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).document.documentElement.scrollWidth), `${name} @360px`).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(await page.locator('html').getAttribute('lang'), name).toBe('en');
  expect(await page.locator('main').count(), name).toBe(1);
  expect(await page.locator('h1').count(), name).toBe(1);
  expect(await page.locator('main').evaluate((main) => (globalThis as unknown as BrowserWindow).getComputedStyle(main).maxWidth), name).toBe('544px');
}

async function open(page: Page, url: string, name: string, status: number): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), name).toBe(status);
  expectGuestHeaders(response, name);
  await check(page, name);
}

/** Clicks the page's submit button and returns the response of the navigation it causes. */
async function submit(page: Page): Promise<Response | null> {
  const [response] = await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
  return response;
}

/** The little of the page's window these checks read (the tests are type-checked without the DOM library). */
interface BrowserWindow {
  readonly document: { readonly documentElement: { readonly scrollWidth: number } };
  getComputedStyle(element: unknown): { readonly maxWidth: string };
}

const textOf = async (page: Page) => (await page.locator('main').innerText()).replace(/\s+/g, ' ');

describe('guest pages in a browser without JavaScript', () => {
  it('accepts from the email: the invitation page, two-step enrolment with a wrong then a right code, the accepted page without the token', { timeout: 120_000 }, async () => {
    // Launched here, not in beforeAll: a browser that cannot start then counts as this test failing.
    browser = await launchBrowser();
    context = await browser.newContext({ javaScriptEnabled: false });
    // A field or button that went missing fails in seconds, naming what was looked for.
    context.setDefaultTimeout(5_000);
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();

    const { mail, userId } = await invite('bea@partner.example', { message: MESSAGE });
    beaUserId = userId;
    const link = linkInMail(mail, 'invitations');
    const token = secrets.at(-1)!;
    expect(new URL(link).origin).toBe(origin);

    await open(page, link, 'invitation', 200);
    expect(await page.locator('h1').innerText()).toBe(`Ada Admin invited you to ${SITE_NAME}`);
    const invitation = await textOf(page);
    expect(invitation).toContain('This invitation is for bea@partner.example as a guest.');
    expect(await page.locator('blockquote.message').innerText()).toBe(MESSAGE);
    expect(invitation).toMatch(/The invitation expires on \w+day, \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC\./);
    const steps = await page.locator('main ol li').allInnerTexts();
    expect(steps).toHaveLength(3);
    expect(steps[0]).toContain('Set up two-step verification');
    expect(steps[1]).toContain('Wait for Ada Admin or another administrator');
    expect(steps[2]).toContain('welcome email');

    await page.getByLabel('Your name').fill('Bea Guest');
    const enrolment = await submit(page);
    expect(enrolment?.status()).toBe(200);
    expectGuestHeaders(enrolment, 'two-step enrolment');
    expect(await page.locator('h1').innerText()).toBe('Set up two-step verification');
    expect(await page.getByRole('img', { name: /QR code to add Acme Docs/ }).locator('svg').isVisible()).toBe(true);
    const grouped = await page.locator('.secret').innerText();
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    const secret = grouped.replaceAll(' ', '');
    secrets.push(secret);
    await check(page, 'two-step-enrolment');

    await page.getByLabel('6-digit code from your authenticator app').fill(wrongCode(secret));
    const refused = await submit(page);
    expect(refused?.status()).toBe(400);
    expectGuestHeaders(refused, 'wrong code');
    expect(await page.getByRole('alert').innerText()).toContain('That code is not right');
    expect(await page.getByRole('alert').innerText()).toContain('4 attempts left');
    expect(await page.getByLabel('6-digit code from your authenticator app').getAttribute('aria-invalid')).toBe('true');
    // The same key again, so the guest can go on without starting over.
    expect(await page.locator('.secret').innerText()).toBe(grouped);
    await check(page, 'two-step-wrong-code');

    await page.getByLabel('6-digit code from your authenticator app').fill(codeFor(secret));
    const accepted = await submit(page);
    // Post, redirect, get: the page the guest stays on has no token in its address.
    expect(accepted?.status()).toBe(200);
    expect(accepted?.request().redirectedFrom()?.url()).toBe(`${origin}/invitations/${token}/accept`);
    expect(page.url()).toBe(`${origin}/invitations/accepted?next=space`);
    expectGuestHeaders(accepted, 'accepted');
    expect(await page.locator('h1').innerText()).toBe('Invitation accepted');
    expect(await textOf(page)).toContain('An administrator of the site gives you a space to work in.');
    await check(page, 'accepted');

    // Back to the email's link: used, and the page says whom to tell if it was not them.
    await open(page, link, 'invitation-used', 410);
    expect(await page.locator('h1').innerText()).toBe('Invitation already accepted');
    expect(await textOf(page)).toContain('If you did not accept it, tell Ada Admin.');
    expect(await page.content()).not.toContain('bea@partner.example');
    await page.close();
  });

  it('explains the lock after five wrong codes: until when, and whom to ask', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const { mail } = await invite('cy@partner.example');
    await page.goto(linkInMail(mail, 'invitations'));
    await submit(page);
    const secret = (await page.locator('.secret').innerText()).replaceAll(' ', '');
    secrets.push(secret);
    for (let attempt = 0; attempt < 4; attempt++) {
      await page.getByLabel('6-digit code from your authenticator app').fill(wrongCode(secret));
      expect((await submit(page))?.status()).toBe(400);
    }
    await page.getByLabel('6-digit code from your authenticator app').fill(wrongCode(secret));
    const locked = await submit(page);
    expect(locked?.status()).toBe(429);
    expectGuestHeaders(locked, 'locked');
    expect(await page.locator('h1').innerText()).toBe('Too many wrong codes');
    const text = await textOf(page);
    expect(text).toContain('locked for 15 minutes');
    expect(text).toMatch(/You can try again from \w+day, \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC/);
    expect(text).toContain('ask Ada Admin to reset your two-step verification');
    await check(page, 'two-step-locked');
    await page.close();
  });

  it('shows expired, revoked and unknown links with a next step; only the invitation’s own inviter is named', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));

    const expiring = await invite('old@partner.example');
    // Its lifetime moved into the past, as if the week had gone by.
    await table.send(
      new UpdateCommand({ TableName: process.env.TABLE_NAME!, Key: invitationKey(site.siteId, expiring.invitationId), UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': new Date(Date.now() - DAY).toISOString() } }),
    );
    await open(page, linkInMail(expiring.mail, 'invitations'), 'invitation-expired', 410);
    expect(await page.locator('h1').innerText()).toBe('Invitation expired');
    expect(await textOf(page)).toContain('Ask Ada Admin for a new invitation.');

    const withdrawn = await invite('gone@partner.example');
    expect((await given.api('DELETE', `/sites/${site.siteId}/invitations/${withdrawn.invitationId}`, { token: site.adminToken })).status).toBeLessThan(300);
    await open(page, linkInMail(withdrawn.mail, 'invitations'), 'invitation-revoked', 410);
    expect(await page.locator('h1').innerText()).toBe('Invitation no longer valid');
    expect(await textOf(page)).toContain('Otherwise ask Ada Admin for a new invitation');
    for (const html of [await page.content()]) expect(html).not.toContain('gone@partner.example');

    await open(page, `${origin}/invitations/${'Q'.repeat(43)}`, 'invitation-unknown', 404);
    expect(await page.locator('h1').innerText()).toBe('Link not recognised');
    const unknown = await page.content();
    // A guessed token learns nothing: no inviter, no site, no address.
    for (const named of ['Ada Admin', SITE_NAME, '@partner.example']) expect(unknown).not.toContain(named);
    expect(await textOf(page)).toContain('ask the person who invited you to send the invitation again');
    await page.close();
  });

  it('re-verifies through the emailed link with a two-step code', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const userId = beaUserId;
    expect((await given.api('PUT', `/sites/${site.siteId}/guests/${userId}/space`, { token: site.adminToken, body: { spaceKey: 'ENG' } })).status).toBe(200);
    await eventually(async () => (await given.api('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken })).json.status === 'active');
    // Active for 31 days without proving it is still them: due for re-verification.
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    const at = new Date(Date.now() - 31 * DAY).toISOString();
    await table.send(
      new UpdateCommand({ TableName: process.env.TABLE_NAME!, Key: personKey(site.siteId, userId), UpdateExpression: 'SET activatedAt = :at, gsi4sk = :sk', ExpressionAttributeValues: { ':at': at, ':sk': `${at}#${userId}` } }),
    );
    expect(await given.stack.runJob('job-reverify')).toMatchObject({ sent: 1 });
    const mail = await eventually(async () => (await given.mailTo('bea@partner.example')).find((sent) => sent.body.text?.includes('/verify/')));

    await open(page, linkInMail(mail, 'verify'), 'reverification', 200);
    expect(await page.locator('h1').innerText()).toBe(`Confirm your access to ${SITE_NAME}`);
    expect(await textOf(page)).toContain('bea@partner.example is still your address');
    const secret = secrets.find((value) => /^[A-Z2-7]{32}$/.test(value))!;
    // The next step's code: the current one may be the very code that accepted, which is never taken twice.
    await page.getByLabel('6-digit code from your authenticator app').fill(codeFor(secret, 30_000));
    const verified = await submit(page);
    expect(verified?.status()).toBe(200);
    expectGuestHeaders(verified, 'reverified');
    expect(await page.locator('h1').innerText()).toBe('Thank you — you are verified');
    await check(page, 'reverified');
    await page.close();
  });

  it('found no serious or critical axe violation on any page at either width, and no request left the local origin', () => {
    expect(violations).toEqual([]);
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  });

  it('logged no link token and no two-step secret', () => {
    const logged = logLines.join('');
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(logged, 'a link token or secret in the logs').not.toContain(secret);
    // And the lines are there to search: the handlers' own and the gateway's, for this file's requests.
    expect(logged).toContain('"message":"invitation email sent"');
    expect(logged).toContain('"message":"re-verification job finished"');
    expect(logged).toContain('GET /invitations/{token} → 200');
    expect(logged).toContain('POST /invitations/{token}/accept → 303');
  });
});
