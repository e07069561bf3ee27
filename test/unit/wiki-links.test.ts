import { describe, expect, it } from 'vitest';
import { wikiLinkFor, wikiUrlProblem } from '../../shared/domain/wiki-links';
import { renderWelcomeEmail } from '../../shared/email';

describe('links into the wiki', () => {
  it('lead to the wiki, or to a space’s page under it, and nowhere without a wiki address', () => {
    expect(wikiLinkFor('https://wiki.example.com/')).toBe('https://wiki.example.com');
    expect(wikiLinkFor('https://wiki.example.com/base', 'ENG')).toBe('https://wiki.example.com/base/spaces/ENG');
    expect(wikiLinkFor('https://wiki.example.com', 'A B/C')).toBe('https://wiki.example.com/spaces/A%20B%2FC');
    expect(wikiLinkFor(undefined, 'ENG')).toBeUndefined();
  });

  it.each([
    ['https://wiki.example.com', null],
    ['http://127.0.0.1:8080/wiki', null],
    ['http://localhost:3000', null],
    ['http://wiki.example.com', 'https'],
    ['javascript:alert(1)', 'https'],
    ['https://user:pw@wiki.example.com', 'credentials'],
    ['https://wiki.example.com/?next=x', 'query'],
    ['wiki.example.com', 'absolute'],
  ])('%s → %s', (url, problem) => {
    const found = wikiUrlProblem(url);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it('a welcome email without a wiki address has no button and no link', () => {
    const email = renderWelcomeEmail({ siteName: 'Acme', recipientEmail: 'g@partner.example', kind: 'guest' });
    expect(email.html).not.toContain('<a ');
    expect(email.text).not.toMatch(/https?:/);
    const linked = renderWelcomeEmail({ siteName: 'Acme', recipientEmail: 'g@partner.example', kind: 'guest', siteUrl: 'https://wiki.example.com/spaces/ENG' });
    expect(linked.html).toContain('href="https://wiki.example.com/spaces/ENG"');
    expect(linked.text).toContain('Open Acme: https://wiki.example.com/spaces/ENG');
  });
});
