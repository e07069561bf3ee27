import { User } from 'oidc-client-ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CLIENT_ID } from '../../infra/local/oidc';
import { ROUTES } from '../../shared/http/routes';
import { IdempotencyKey } from '../../shared/http/schemas';
import { launchBrowser } from '../support/browser';
import { photographAndCheck } from '../support/axe';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * The admin console in Chromium, view by view, against the in-process stack: the admin signs in
 * through the local identity provider, every action goes through the console's own forms and
 * buttons to the real API, and its effect is read back from the API. The stack's gateway serves
 * the built console with the CSP it is deployed under, so an inline script or style would show up
 * as a violation here.
 */
const CLIENT_ID = CONSOLE_CLIENT_ID;

let given: TestStack;
let site: TestSite;
let other: TestSite;
let browser: Browser | undefined;
let page: Page;
const cspViolations: string[] = [];
/** Every request the console made to the API, to hold against the contract's schemas at the end. */
const apiCalls: { method: string; url: URL; body: string | null; idempotencyKey: string | undefined }[] = [];
const userIds = new Map<string, string>();

const admin = (path: string) => `/sites/${site.siteId}${path}`;
const consoleUrl = (query = `?site=${site.siteId}`) => `${given.stack.apiUrl}/console/${query}`;

beforeAll(async () => {
  given = await startTestStack({ console: true });
  site = await given.createSite({
    // Three paid admins: a guest allowance of 15 (five per paid user), room for this test's guests.
    admins: [
      { email: 'ada@console.example', displayName: 'Ada Admin' },
      { email: 'bo@console.example', displayName: 'Bo Admin' },
      { email: 'cy@console.example', displayName: 'Cy Admin' },
    ],
  });
  other = await given.createSite();
  for (const [key, name] of [['ENG', 'Engineering'], ['MKT', 'Marketing']] as const) {
    expect((await given.api('POST', admin('/spaces'), { token: site.adminToken, body: { key, name } })).status).toBe(201);
  }
  expect((await given.api('POST', admin('/groups'), { token: site.adminToken, body: { name: 'Staff', role: 'user' } })).status).toBe(201);
  const invited = await given.api<{ results: { email: string; userId: string }[] }>('POST', admin('/invitations'), {
    token: site.adminToken,
    body: { emails: ['member@partner.example', ...[2, 3, 4, 5, 6, 7, 8].map((n) => `bulk${n}@partner.example`)], roles: { wiki: 'guest' } },
  });
  const withSpace = await given.api<{ results: { email: string; userId: string }[] }>('POST', admin('/invitations'), {
    token: site.adminToken,
    body: { emails: ['bulk1@partner.example'], roles: { wiki: 'guest' }, spaceKey: 'MKT' },
  });
  for (const row of [...invited.json.results, ...withSpace.json.results]) userIds.set(row.email, row.userId);
  // bulk1 accepts: with its space set at the invite, it becomes active, so it can be deactivated.
  const [mail] = await eventually(async () => (await given.mailTo('bulk1@partner.example')).length > 0 && given.mailTo('bulk1@partner.example'));
  expect((await given.api('POST', `/invitations/${linkIn(mail!)}/accept`, { body: { displayName: 'Bulk One' } })).status).toBe(200);
  await eventually(async () => (await person('bulk1@partner.example')).status === 'active');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await given?.close();
});

async function person(email: string): Promise<Record<string, unknown>> {
  const userId = userIds.get(email);
  if (!userId) throw new Error(`No user id known for ${email}`);
  return (await given.api('GET', admin(`/users/${userId}`), { token: site.adminToken })).json;
}

let context: BrowserContext | undefined;

/**
 * A page of the console and, when given, with a signed-in admin: the oidc-client-ts user a sign-in
 * would have stored (the first test signs in for real; the others need an admin quickly). Pages share
 * one browser context (closing a context can end the single-process Chromium); session storage is
 * each page's own, so each page has its own admin.
 */
async function consolePage(signedIn?: { sub: string; accessToken?: string; expiresIn?: number }): Promise<Page> {
  context ??= await consoleContext();
  const opened = await context.newPage();
  opened.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  if (signedIn) {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + (signedIn.expiresIn ?? 3600);
    const user = new User({
      access_token: signedIn.accessToken ?? (await given.stack.signer.sign({ sub: signedIn.sub })),
      token_type: 'Bearer',
      profile: { sub: signedIn.sub, iss: given.stack.issuer, aud: CLIENT_ID, exp: expiresAt, iat: now },
      expires_at: expiresAt,
      scope: 'openid',
    });
    const key = `oidc.user:${given.stack.issuer}:${CLIENT_ID}`;
    // Only in the console's own documents: about:blank and the like may not touch session storage.
    await opened.addInitScript({
      content: `if (location.pathname.startsWith('/console/')) sessionStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(user.toStorageString())});`,
    });
  }
  return opened;
}

async function consoleContext(): Promise<BrowserContext> {
  browser ??= await launchBrowser();
  const created = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A control that is gone (a label dropped, say) fails its step in seconds, naming the locator.
  created.setDefaultTimeout(10_000);
  const origin = new URL(given.stack.apiUrl).origin;
  created.on('request', (request) => {
    const url = new URL(request.url());
    // The console's own files and the identity provider's pages are not the API.
    if (url.origin !== origin || url.pathname.startsWith('/console/') || url.href.startsWith(given.stack.issuer)) return;
    apiCalls.push({ method: request.method(), url, body: request.postData(), idempotencyKey: request.headers()['idempotency-key'] });
  });
  return created;
}

/** Signs in on the identity provider's page the console sent the browser to, and waits to be back. */
async function signInAtProvider(target: Page, email: string, password: string): Promise<void> {
  await expect.poll(() => target.locator('h1').textContent()).toBe('Sign in to guestpass');
  expect(new URL(target.url()).pathname).toMatch(/^\/oidc\/interaction\//);
  await target.getByLabel('Email address').fill(email);
  await target.getByLabel('Password').fill(password);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

/** Screenshots and axe at 1280 and 360 px, and no sideways scrolling at 360 px or at 200 % zoom of 1280 (640 CSS px). */
async function checkView(target: Page, name: string): Promise<void> {
  const problems = await photographAndCheck(target, `console-${name}`);
  for (const width of [360, 640]) {
    await target.setViewportSize({ width, height: 900 });
    const overflow = await target.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    if (overflow > 0) problems.push(`console-${name} @${width}px scrolls sideways by ${overflow}px`);
  }
  await target.setViewportSize({ width: 1280, height: 900 });
  expect(problems).toEqual([]);
}

async function openView(nav: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console views' }).getByRole('link', { name: nav, exact: true }).click();
  await expect.poll(() => page.locator('h1').textContent()).toBe(heading);
  // Focus moves to the new view's heading, so a screen reader announces where the admin is.
  await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H1');
}

const seat = (name: 'paid' | 'guests') => page.locator(`main [data-seat="${name}"]`).first().textContent();
const results = (title: string) => page.getByRole('region', { name: title });

describe('the admin console in Chromium', () => {
  it('signs the admin in through the identity provider (code flow, PKCE) and opens on the seats at a glance, with a skip link to the content', async () => {
    page = await consolePage();
    const authorize: URL[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/oidc/auth') authorize.push(new URL(request.url()));
    });
    await page.goto(consoleUrl());
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in to the guestpass console');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in to guestpass');
    expect(await photographAndCheck(page, 'console-provider-sign-in')).toEqual([]);
    await signInAtProvider(page, 'ada@console.example', 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match an administrator');
    await signInAtProvider(page, 'ada@console.example', given.consolePassword);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Seats at a glance');
    expect(new URL(page.url()).search).toBe(`?site=${site.siteId}`);
    expect(Object.fromEntries(authorize[0]!.searchParams)).toMatchObject({ client_id: CLIENT_ID, response_type: 'code', code_challenge_method: 'S256', redirect_uri: `${given.stack.apiUrl}/console/callback` });
    await expect.poll(() => seat('paid')).toBe('3 of 50 (user limit)');
    expect(await seat('guests')).toBe('9 of 15 (guest allowance)');

    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('main');
    await checkView(page, 'seats');
  }, 60_000);

  it('invites three people: the 11th address is refused before sending, a paid role warns, one address is rejected with its reason', async () => {
    await openView('Invite', 'Invite people');
    expect(new URL(page.url()).searchParams.get('view')).toBe('invite');
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/invitations')) posted.push(request.url());
    });
    const addresses = page.getByLabel('Email addresses');
    await addresses.fill(Array.from({ length: 11 }, (_, n) => `p${n}@partner.example`).join(', '));
    await expect.poll(() => page.getByText('11 addresses: at most 10 at once. Remove 1.').isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Send invitations/ }).click();
    expect(posted).toEqual([]);

    await addresses.fill('ann@partner.example, bea@partner.example\nmember@partner.example');
    await expect.poll(() => page.getByText('3 of 10 addresses.').isVisible()).toBe(true);
    await page.getByLabel('Tracker').selectOption('user');
    await expect.poll(() => page.getByRole('note').textContent()).toContain('the Tracker role User (paid) makes everyone in this invite a paid user');
    await page.getByLabel('Tracker').selectOption('none');
    await page.getByLabel('Staff (User (paid))').check();
    await expect.poll(() => page.getByRole('note').textContent()).toContain('the group Staff');
    await page.getByLabel('Staff (User (paid))').uncheck();
    await expect.poll(() => page.getByRole('note').count()).toBe(0);

    await page.getByLabel('Personal message (optional)').fill('Welcome aboard — the launch plan is in ENG.');
    const preview = page.getByTestId('email-preview');
    await expect.poll(() => preview.textContent()).toContain('Ada Admin wrote:\n\nWelcome aboard — the launch plan is in ENG.');
    expect(await preview.textContent()).toContain('This invitation was sent to ann@partner.example.');

    await page.getByRole('button', { name: /^Send invitations/ }).click();
    const list = results('Results');
    await expect.poll(() => list.getByRole('listitem').count()).toBe(3);
    const rows = await list.getByRole('listitem').allTextContents();
    expect(rows[0]).toMatch(/^ann@partner\.example: invited as a guest; the invitation expires /);
    expect(rows[1]).toMatch(/^bea@partner\.example: invited as a guest/);
    expect(rows[2]).toBe('member@partner.example: rejected. Already a person of this site (invited, active, suspended or deactivated).');
    expect(posted).toHaveLength(1);
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Results');
    await expect.poll(() => page.locator('.sr-only[role=status]').textContent()).toBe('2 invited, 1 rejected.');
    await checkView(page, 'invite');

    const invitations = await given.api<{ invitations: { email: string; userId: string }[] }>('GET', admin('/invitations?status=pending&limit=100'), { token: site.adminToken });
    for (const email of ['ann@partner.example', 'bea@partner.example']) {
      const found = invitations.json.invitations.find((invitation) => invitation.email === email);
      expect(found, email).toBeDefined();
      userIds.set(email, found!.userId);
    }
  }, 60_000);

  it('shows the new guests on the seats bar', async () => {
    await openView('Seats', 'Seats at a glance');
    await expect.poll(() => seat('guests')).toBe('11 of 15 (guest allowance)');
    expect(await seat('paid')).toBe('3 of 50 (user limit)');
  });

  it('pages the guest list, assigns a space to two at once, and filters by space', async () => {
    await openView('Guests', 'Guests');
    const cards = page.locator('main ul.cards > li');
    await expect.poll(() => cards.count()).toBe(10);
    await page.getByRole('button', { name: 'Next page' }).first().click();
    await expect.poll(() => cards.count()).toBe(1);
    await page.getByRole('button', { name: 'Previous page' }).first().click();
    await expect.poll(() => cards.count()).toBe(10);

    await page.getByLabel('Space', { exact: true }).selectOption('*none');
    await expect.poll(() => cards.count()).toBe(10);
    await page.getByLabel('ann@partner.example', { exact: true }).check();
    await page.getByLabel('bea@partner.example', { exact: true }).check();
    await expect.poll(() => page.getByRole('heading', { name: 'With the 2 selected guests' }).isVisible()).toBe(true);
    await page.getByLabel('Space to assign').selectOption('ENG');
    await page.getByRole('button', { name: 'Assign space', exact: true }).click();
    const outcome = results('Assign space: results');
    await expect.poll(() => outcome.textContent()).toContain('2 succeeded, 0 failed.');
    expect(await outcome.getByRole('listitem').allTextContents()).toEqual(['Done: ann@partner.example — space ENG assigned', 'Done: bea@partner.example — space ENG assigned']);
    expect((await person('ann@partner.example')).spaceKey).toBe('ENG');
    expect((await person('bea@partner.example')).spaceKey).toBe('ENG');
    // The "no access" filter no longer lists them.
    await expect.poll(() => cards.count()).toBe(8);

    await page.getByLabel('Space', { exact: true }).selectOption('ENG');
    await expect.poll(() => cards.allTextContents()).toHaveLength(2);
    expect((await cards.allTextContents()).join(' ')).toMatch(/ann@partner\.example.*bea@partner\.example|bea@partner\.example.*ann@partner\.example/);
    await checkView(page, 'guests');
  }, 60_000);

  it('promotes one and removes one, each after a confirmation dialog that Escape closes', async () => {
    await page.getByLabel('bea@partner.example', { exact: true }).check();
    await page.getByRole('button', { name: 'Promote to paid user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote to paid user: 1 guest?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await checkView(page, 'guests-confirm');
    await dialog.getByRole('button', { name: 'Promote to paid user' }).click();
    await expect.poll(() => results('Promote to paid user: results').textContent()).toContain('Done: bea@partner.example — now a paid user');
    expect((await person('bea@partner.example')).kind).toBe('paid');

    await page.getByLabel('Space', { exact: true }).selectOption('');
    await page.getByLabel('member@partner.example', { exact: true }).check();
    const remove = page.getByRole('button', { name: 'Remove app access' });
    await remove.click();
    const confirm = page.getByRole('dialog', { name: 'Remove app access: 1 guest?' });
    await expect.poll(() => confirm.isVisible()).toBe(true);
    // Focus is inside the dialog; Escape closes it, changes nothing, and gives focus back.
    await expect.poll(() => page.evaluate("document.activeElement?.closest('dialog') !== null")).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => confirm.isVisible()).toBe(false);
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Remove app access');
    expect((await person('member@partner.example')).status).toBe('invited');

    await remove.click();
    await confirm.getByRole('button', { name: 'Remove app access' }).click();
    await expect.poll(() => results('Remove app access: results').textContent()).toContain('Done: member@partner.example — app access removed');
    // The confirmed action's results take the focus, so the keyboard carries on from them.
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Remove app access: results');
    expect((await person('member@partner.example')).status).toBe('removed');
  }, 60_000);

  it('reports each person of a bulk action that half fails, and keeps the failed one selected', async () => {
    await page.getByLabel('Bulk One bulk1@partner.example').check();
    await page.getByLabel('bulk2@partner.example', { exact: true }).check();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click();
    const outcome = results('Deactivate: results');
    await expect.poll(() => outcome.textContent()).toContain('1 succeeded, 1 failed.');
    const rows = await outcome.getByRole('listitem').allTextContents();
    expect(rows[0]).toBe('Done: Bulk One <bulk1@partner.example> — deactivated');
    expect(rows[1]).toMatch(/^Failed: bulk2@partner\.example — The person’s or item’s current state does not allow this\. This person has not finished onboarding.*\[conflict\]$/);
    expect((await person('bulk1@partner.example')).status).toBe('deactivated');
    expect((await person('bulk2@partner.example')).status).toBe('invited');
    await expect.poll(() => page.getByRole('heading', { name: 'With the 1 selected guest' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByLabel('bulk2@partner.example', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('bulk2@partner.example', { exact: true }).uncheck();

    await page.getByLabel('Status').selectOption('deactivated');
    await page.getByLabel('Bulk One bulk1@partner.example').check();
    await page.getByRole('button', { name: 'Reactivate' }).click();
    await expect.poll(() => results('Reactivate: results').textContent()).toContain('Done: Bulk One <bulk1@partner.example> — reactivated');
    expect((await person('bulk1@partner.example')).status).toBe('active');
  }, 60_000);

  it('shows the promotion and the removal on the seats bar', async () => {
    await openView('Seats', 'Seats at a glance');
    await expect.poll(() => seat('paid')).toBe('4 of 50 (user limit)');
    expect(await seat('guests')).toBe('9 of 20 (guest allowance)');
  });

  it('finds people by kind, status and the start of a name or address', async () => {
    await openView('People', 'People');
    const cards = page.locator('main ul.cards > li');
    await page.getByLabel('Kind').selectOption('paid');
    await expect.poll(async () => (await cards.allTextContents()).length).toBe(4);
    expect((await cards.allTextContents()).join(' ')).toContain('bea@partner.example');
    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('Name or address starts with').fill('ann');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'People matching “ann”' }).isVisible()).toBe(true);
    await expect.poll(() => cards.allTextContents()).toEqual([expect.stringContaining('ann@partner.example')]);
    await page.getByLabel('Name or address starts with').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Status').selectOption('removed');
    await expect.poll(() => cards.allTextContents()).toEqual([expect.stringContaining('member@partner.example')]);
    await checkView(page, 'people');
  }, 60_000);

  it('lists pending invitations with their delivery, resends one and withdraws another', async () => {
    await openView('Invitations', 'Invitations');
    const card = (email: string) => page.locator('main ul.cards > li', { hasText: email });
    await expect.poll(() => card('ann@partner.example').count()).toBe(1);
    expect(await card('ann@partner.example').textContent()).toMatch(/EmailSent|EmailSending/);
    await card('ann@partner.example').getByRole('button', { name: 'Resend to ann@partner.example' }).click();
    await expect.poll(() => results('Resend: results').textContent()).toContain('Done: ann@partner.example — resent with a new link');

    await card('bulk4@partner.example').getByRole('button', { name: 'Withdraw the invitation of bulk4@partner.example' }).click();
    await page.getByRole('dialog', { name: 'Withdraw the invitation of bulk4@partner.example?' }).getByRole('button', { name: 'Withdraw' }).click();
    await expect.poll(() => results('Withdraw: results').textContent()).toContain('Done: bulk4@partner.example — withdrawn');
    await expect.poll(() => card('bulk4@partner.example').count()).toBe(0);
    const pending = await given.api<{ invitations: { email: string }[] }>('GET', admin('/invitations?status=pending&limit=100'), { token: site.adminToken });
    expect(pending.json.invitations.map((invitation) => invitation.email)).not.toContain('bulk4@partner.example');
    await checkView(page, 'invitations');
  }, 60_000);

  it('creates a group and a space', async () => {
    await openView('Groups', 'Groups');
    await page.getByLabel('Name', { exact: true }).fill('Partners');
    await page.getByLabel('Role its members get in the wiki').selectOption('guest');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect.poll(() => results('Create group: results').textContent()).toContain('Done: Partners — created with the role Guest');
    await expect.poll(() => page.locator('main ul.cards > li', { hasText: 'Partners' }).count()).toBe(1);
    await checkView(page, 'groups');

    await openView('Spaces', 'Spaces');
    await page.getByLabel('Key').fill('DOCS');
    await page.getByLabel('Name', { exact: true }).fill('Documentation');
    await page.getByRole('button', { name: 'Create space' }).click();
    await expect.poll(() => results('Create space: results').textContent()).toContain('Done: DOCS — created: Documentation');
    await checkView(page, 'spaces');
    const spaces = await given.api<{ spaces: { key: string }[] }>('GET', admin('/spaces'), { token: site.adminToken });
    expect(spaces.json.spaces.map((space) => space.key).sort()).toEqual(['DOCS', 'ENG', 'MKT']);
  }, 60_000);

  it('proposes an external-user policy, reviews the people it affects and applies it with the review', async () => {
    await openView('Policy', 'External-user policy');
    await expect.poll(() => page.getByTestId('policy-now').textContent()).toBe('two-step verification not required, re-verification every 30 days, API tokens allowed');
    await page.getByLabel('External users must use two-step verification').check();
    await page.getByRole('button', { name: 'Review who is affected' }).click();
    const review = page.getByRole('region', { name: /^Review: two-step verification required/ });
    await expect.poll(() => review.textContent()).toContain('ann@partner.example: Must enrol in two-step verification');
    await checkView(page, 'policy');
    await review.getByRole('button', { name: 'Apply this policy' }).click();
    await expect.poll(() => page.getByTestId('policy-now').textContent()).toBe('two-step verification required, re-verification every 30 days, API tokens allowed');
    const policy = await given.api('GET', admin('/external-user-policy'), { token: site.adminToken });
    expect(policy.json.twoStepRequired).toBe(true);
  }, 60_000);

  it('pages the audit log and filters it by action and person', async () => {
    await openView('Audit log', 'Audit log');
    const cards = page.locator('main ol.cards > li');
    await expect.poll(() => cards.count()).toBeGreaterThan(10);
    await page.getByLabel('Action').selectOption('guest.promoted');
    await expect.poll(() => cards.count()).toBe(1);
    expect(await cards.first().textContent()).toContain(userIds.get('bea@partner.example')!);
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Person').fill(userIds.get('ann@partner.example')!);
    const annId = userIds.get('ann@partner.example')!;
    await expect.poll(async () => (await cards.allTextContents()).every((text) => text.includes(annId))).toBe(true);
    expect((await cards.allTextContents()).some((text) => text.includes('guest.space_assigned'))).toBe(true);
    await checkView(page, 'audit');
  }, 60_000);

  it('asks before an invite whose group makes the invitee paid, and invites a paid user once confirmed', async () => {
    await openView('Invite', 'Invite people');
    await page.getByLabel('Email addresses').fill('pat@console.example');
    await page.getByLabel('Staff (User (paid))').check();
    await page.getByLabel('Space (optional, guests only)').selectOption('ENG');
    await expect.poll(() => page.getByText('Paid users see every space: the space is not sent for them.').isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Send invitations/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite as paid users?' });
    await expect.poll(() => dialog.textContent()).toContain('the group Staff (User (paid)) makes this person a paid user: each takes a paid seat');
    await checkView(page, 'invite-paid-confirm');
    await dialog.getByRole('button', { name: 'Invite 1 paid user' }).click();
    await expect.poll(() => results('Results').getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^pat@console\.example: invited as a paid user; /)]);
    await expect.poll(() => seat('paid')).toBe('5 of 50 (user limit)');
  }, 60_000);

  it('says "not an admin of this site" to another site’s admin', async () => {
    const refused = await consolePage({ sub: other.adminUserId });
    await refused.goto(consoleUrl());
    await expect.poll(() => refused.locator('h1').textContent()).toBe('You are not an admin of this site');
    expect(await refused.locator('main').textContent()).toContain(site.siteId);
    await checkView(refused, 'forbidden');
    await refused.close();
  }, 60_000);

  it('shows a signed-out page with a Sign in button when nobody is signed in, and a session-ended page for an expired or refused token', async () => {
    const signedOut = await consolePage();
    await signedOut.goto(consoleUrl(`?site=${site.siteId}&view=guests`));
    await expect.poll(() => signedOut.locator('h1').textContent()).toBe('Sign in to the guestpass console');
    await checkView(signedOut, 'signed-out');
    await signedOut.close();

    const expiredPage = await consolePage({ sub: site.adminUserId, expiresIn: -60 });
    await expiredPage.goto(consoleUrl());
    await expect.poll(() => expiredPage.locator('h1').textContent()).toBe('Your session has ended');
    await expiredPage.close();

    // A token that expires while the console is open ends the session there and then.
    const expiringPage = await consolePage({ sub: site.adminUserId, expiresIn: 3 });
    await expiringPage.goto(consoleUrl());
    await expect.poll(() => expiringPage.locator('h1').textContent()).toBe('Seats at a glance');
    await expect.poll(() => expiringPage.locator('h1').textContent(), { timeout: 10_000 }).toBe('Your session has ended');
    expect(await expiringPage.evaluate('Object.keys(sessionStorage).filter((key) => key.startsWith("oidc.user:")).length')).toBe(0);
    await expiringPage.close();

    const refusedPage = await consolePage({ sub: site.adminUserId, accessToken: 'not-a-token' });
    await refusedPage.goto(consoleUrl());
    await expect.poll(() => refusedPage.locator('h1').textContent()).toBe('Your session has ended');
    expect(await refusedPage.locator('main').textContent()).toContain('The API no longer accepts your sign-in');
    await checkView(refusedPage, 'session-ended');
    await refusedPage.close();
  }, 60_000);

  it('comes back to the view it started from after signing in, and signs out at the provider', async () => {
    // A browser of its own: the first test's browser still holds Ada's session at the provider.
    const fresh = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    fresh.setDefaultTimeout(10_000);
    const signingIn = await fresh.newPage();
    await signingIn.goto(consoleUrl(`?site=${site.siteId}&view=guests`));
    await signingIn.getByRole('button', { name: 'Sign in' }).click();
    await signInAtProvider(signingIn, 'bo@console.example', given.consolePassword);
    await expect.poll(() => signingIn.locator('h1').textContent()).toBe('Guests');
    expect(new URL(signingIn.url()).pathname).toBe('/console/');
    expect(new URL(signingIn.url()).search).toBe(`?site=${site.siteId}&view=guests`);
    // The signed-in console calls the API with the token the provider issued for Bo.
    await expect.poll(() => signingIn.locator('main ul.cards > li').count()).toBeGreaterThan(0);

    await signingIn.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => signingIn.locator('h1').textContent()).toBe('Sign out of guestpass?');
    await checkView(signingIn, 'provider-sign-out');
    await signingIn.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => signingIn.locator('h1').textContent()).toBe('Sign in to the guestpass console');
    expect(await signingIn.evaluate('Object.keys(sessionStorage).filter((key) => key.startsWith("oidc.user:")).length')).toBe(0);
    // The provider's session is over too: signing in again asks for the password.
    await signingIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signingIn.locator('h1').textContent()).toBe('Sign in to guestpass');
    await signingIn.close();
  }, 60_000);

  it('ran under the strict CSP without a single violation', () => {
    expect(cspViolations).toEqual([]);
  });

  it('sent the API only what the contract’s schemas accept: known routes, known query fields, valid bodies', () => {
    expect(apiCalls.length).toBeGreaterThan(30);
    const refused: string[] = [];
    const accepts = (schema: { safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown } }, value: Record<string, unknown>, what: string, call: string) => {
      const parsed = schema.safeParse(value);
      if (!parsed.success) refused.push(`${call}: ${what} refused: ${String(parsed.error)}`);
      // A lenient schema drops unknown fields instead of refusing them: those count as refused too.
      else if (parsed.data && typeof parsed.data === 'object') {
        for (const key of Object.keys(value)) if (!(key in parsed.data)) refused.push(`${call}: ${what} field ${key} is not in the contract`);
      }
    };
    for (const call of apiCalls) {
      const name = `${call.method} ${call.url.pathname}${call.url.search}`;
      const route = ROUTES.find(
        (candidate) => candidate.method === call.method && new RegExp(`^${candidate.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(call.url.pathname),
      );
      if (!route) {
        refused.push(`${name}: no such route`);
        continue;
      }
      const query = Object.fromEntries(call.url.searchParams);
      if (route.query) accepts(route.query, query, 'query', name);
      else if (Object.keys(query).length > 0) refused.push(`${name}: the route takes no query`);
      if (route.body) accepts(route.body, JSON.parse(call.body ?? 'null') as Record<string, unknown>, 'body', name);
      else if (call.body) refused.push(`${name}: the route takes no body`);
      if (call.idempotencyKey !== undefined && !IdempotencyKey.safeParse(call.idempotencyKey).success) refused.push(`${name}: Idempotency-Key refused`);
    }
    expect(refused).toEqual([]);
  });
});
