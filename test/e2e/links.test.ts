import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkIn, startTestStack, type SentEmail, type TestStack } from '../support/stack';

/**
 * Every link guestpass hands a person leads somewhere: the links in each email and in each guest
 * page answer 2xx on the local stack, and the welcome email opens the site's wiki (at the guest's
 * space). The wiki is a stand-in server that records what it was asked for.
 */
let given: TestStack;
let wiki: Server;
let wikiUrl: string;
const wikiRequests: string[] = [];

beforeAll(async () => {
  given = await startTestStack();
  wiki = createServer((request, response) => {
    wikiRequests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Wiki</title>');
  });
  await new Promise<void>((resolve) => wiki.listen(0, '127.0.0.1', resolve));
  wikiUrl = `http://127.0.0.1:${(wiki.address() as AddressInfo).port}/wiki`;
});
afterAll(async () => {
  await given?.close();
  await new Promise((resolve) => wiki?.close(resolve));
});

const linksOf = (text: string) => [...new Set(text.match(/https?:\/\/[^\s"'<>]+/g) ?? [])];
const hrefsOf = (html: string, base: string) => [...html.matchAll(/href="([^"]+)"/g)].map((match) => new URL(match[1]!.replaceAll('&amp;', '&'), base).href);

async function expectAllResolve(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    const response = await fetch(url);
    expect(response.status, url).toBeLessThan(400);
  }
}

async function onboard(site: { siteId: string; adminToken: string }, email: string) {
  const invited = await given.api<{ results: Record<string, string>[] }>('POST', `/sites/${site.siteId}/invitations`, {
    token: site.adminToken,
    body: { emails: [email], roles: { wiki: 'guest' }, spaceKey: 'ENG' },
  });
  const userId = invited.json.results[0]!.userId!;
  const invitation = await eventually(async () => (await given.mailTo(email)).find((mail) => mail.body.text?.includes('/invitations/')));
  // Followed before accepting: afterwards the link rightly answers 410 (used).
  await expectAllResolve(mailLinks(invitation));
  const page = await fetch(`${given.stack.apiUrl}/invitations/${linkIn(invitation)}`);
  const pageHtml = await page.text();
  const accepted = await fetch(`${given.stack.apiUrl}/invitations/${linkIn(invitation)}/accept`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'displayName=Wendy' });
  const acceptedHtml = await accepted.text();
  const welcome = await eventually(async () => (await given.mailTo(email)).find((mail) => mail.subject.startsWith('Welcome')));
  return { userId, invitation, welcome, pages: [pageHtml, acceptedHtml] };
}

const mailLinks = (mail: SentEmail) => [...linksOf(mail.body.text ?? ''), ...hrefsOf(mail.body.html ?? '', given.stack.apiUrl)];

describe('links in emails and guest pages', () => {
  it('welcome email opens the wiki at the guest’s space; every link of the onboarding answers', async () => {
    const site = await given.createSite({ wikiUrl });
    await given.api('POST', `/sites/${site.siteId}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } });
    const { invitation, welcome, pages } = await onboard(site, 'wendy@partner.example');

    const welcomeLinks = mailLinks(welcome);
    expect(welcomeLinks).toContain(`${wikiUrl}/spaces/ENG`);
    expect(welcomeLinks.every((url) => url.startsWith(wikiUrl))).toBe(true);
    await expectAllResolve(welcomeLinks);
    expect(wikiRequests).toContain('/wiki/spaces/ENG');

    expect(mailLinks(invitation).length).toBeGreaterThan(0);
    for (const html of pages) await expectAllResolve(hrefsOf(html, given.stack.apiUrl));
  });

  it('a site without a wiki address warns at creation, and its welcome email has no button rather than a dead link', async () => {
    const created = await given.api<{ siteId: string; warnings?: { code: string }[]; admins: { userId: string }[] }>('POST', '/sites', {
      token: given.operatorToken,
      body: { siteId: 'no-wiki', name: 'No Wiki', orgId: 'org-no-wiki', plan: 'standard', userLimit: 10, admins: [{ email: 'admin@no-wiki.example' }] },
    });
    expect(created.status).toBe(201);
    expect(created.json.warnings?.map((warning) => warning.code)).toEqual(['no_wiki_url']);
    const adminToken = await given.stack.signer.sign({ sub: created.json.admins[0]!.userId });
    const site = { siteId: 'no-wiki', adminToken };
    await given.api('POST', `/sites/${site.siteId}/spaces`, { token: adminToken, body: { key: 'ENG', name: 'Engineering' } });
    const { welcome } = await onboard(site, 'nolink@partner.example');
    expect(mailLinks(welcome)).toEqual([]);
    expect(welcome.body.html).not.toContain('<a ');
  });

  it('an operator sets, changes and removes the wiki address (audited); a bad one is a 400 naming it', async () => {
    const site = await given.createSite();
    const set = await given.api<Record<string, unknown>>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { wikiUrl: 'https://wiki.example.com/' } });
    expect(set.json.wikiUrl).toBe('https://wiki.example.com');
    const removed = await given.api<Record<string, unknown>>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { wikiUrl: null } });
    expect(removed.status).toBe(200);
    expect(removed.json).not.toHaveProperty('wikiUrl');
    for (const bad of ['ftp://wiki.example.com', 'http://wiki.example.com', 'https://user:pw@wiki.example.com', 'wiki.example.com', 'https://wiki.example.com/?q=1']) {
      const refused = await given.api<{ error: { code: string; details: { issues: { path: string }[] } } }>('PATCH', `/sites/${site.siteId}`, { token: given.operatorToken, body: { wikiUrl: bad } });
      expect(refused.status, bad).toBe(400);
      expect(refused.json.error.details.issues[0]?.path, bad).toBe('body.wikiUrl');
    }
    const audit = await given.api<{ events: { action: string; details: { before?: { wikiUrl: unknown }; after?: { wikiUrl: unknown } } }[] }>('GET', `/sites/${site.siteId}/audit-events`, { token: site.adminToken });
    const changes = audit.json.events.filter((event) => event.action === 'site.updated').map((event) => [event.details.before?.wikiUrl, event.details.after?.wikiUrl]);
    expect(changes).toEqual([
      ['https://wiki.example.com', null],
      [null, 'https://wiki.example.com'],
    ]);
  });
});
