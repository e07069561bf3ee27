import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { eventually, linkIn, startTestStack, type TestSite, type TestStack } from '../support/stack';

/** The guest's side in a real browser: the invitation page, its Accept form, and the answer page. */
let given: TestStack;
let site: TestSite;
let browser: Browser | undefined;

beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite({ name: 'Acme <Docs> & "Co"' });
  await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } });
});
afterAll(async () => {
  await browser?.close();
  await given?.close();
});

describe('the invitation page in a browser', () => {
  it('shows who invited whom, and its Accept button accepts (a POST, under the page’s CSP)', async () => {
    // Launched here, not in beforeAll: a browser that cannot start then counts as this test failing, not as it skipped.
    browser = await launchBrowser();
    const invited = await given.api<{ results: Record<string, string>[] }>('POST', `/sites/${site.siteId}/invitations`, {
      token: site.adminToken,
      body: { emails: ['browser@partner.example'], roles: { wiki: 'guest' }, spaceKey: 'ENG' },
    });
    const userId = invited.json.results[0]!.userId!;
    const [mail] = await eventually(async () => (await given.mailTo('browser@partner.example')).length > 0 && given.mailTo('browser@partner.example'));
    const token = linkIn(mail!);

    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused/i.test(message.text())) blocked.push(message.text());
    });
    await page.goto(`${given.stack.apiUrl}/invitations/${token}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Ada Admin invited you to Acme <Docs> & "Co"');
    expect(await page.textContent('main')).toContain('browser@partner.example');
    expect(await page.textContent('main')).toContain('Engineering');

    await page.fill('#displayName', 'Bea Browser');
    // Post, redirect, get: the page the guest stays on has no token in its address.
    await Promise.all([page.waitForURL('**/invitations/accepted?next=ready'), page.click('button[type=submit]')]);
    expect(await page.locator('h1').textContent()).toBe('Invitation accepted');
    expect(page.url()).not.toContain(token);
    expect(blocked).toEqual([]);

    const person = await eventually(async () => {
      const got = await given.api('GET', `/sites/${site.siteId}/users/${userId}`, { token: site.adminToken });
      return got.json.status === 'active' && got.json;
    });
    expect(person).toMatchObject({ displayName: 'Bea Browser', spaceKey: 'ENG' });

    // Back to the link: it was used, and the page says so without naming anyone
    await page.goto(`${given.stack.apiUrl}/invitations/${token}`);
    expect(await page.locator('h1').textContent()).toBe('Invitation already accepted');
    expect(await page.content()).not.toContain('browser@partner.example');
    await page.close();
  });
});
