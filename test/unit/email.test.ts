import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_SUBJECT_LENGTH,
  renderInvitationEmail,
  renderReverificationEmail,
  renderWelcomeEmail,
  type InvitationEmailInput,
} from '../../shared/email';

const CONTROL = /\p{Cc}/u;

const invitation = (over: Partial<InvitationEmailInput> = {}): InvitationEmailInput => ({
  siteName: 'Acme Wiki',
  inviterName: 'Ada Admin',
  recipientEmail: 'pat@example.com',
  kind: 'paid',
  acceptUrl: 'https://wiki.example.com/accept?token=abc&x=1',
  expiresAt: '2026-03-03T14:05:00.000Z',
  ...over,
});

describe('renderInvitationEmail', () => {
  it('escapes the personal message in html and keeps it verbatim in text', () => {
    const message = 'Hi!\n<script>alert(1)</script>\n"quoted" it\'s A&B';
    const email = renderInvitationEmail(invitation({ message }));

    expect(email.html).not.toContain('<script');
    expect(email.html).toContain(
      'Hi!<br>&lt;script&gt;alert(1)&lt;/script&gt;<br>&quot;quoted&quot; it&#39;s A&amp;B',
    );
    expect(email.text).toContain(message);
    expect(email.text).toContain(`Ada Admin wrote:\n\n${message}`);
    expect(email.html).toContain('Ada Admin wrote:');
  });

  it('omits the message block when there is no message', () => {
    const email = renderInvitationEmail(invitation({ message: '  \n ' }));
    expect(email.text).not.toContain('wrote:');
    expect(email.html).not.toContain('<blockquote');
  });

  it('refuses messages longer than 1000 characters', () => {
    expect(() => renderInvitationEmail(invitation({ message: 'x'.repeat(1001) }))).toThrow(RangeError);
    expect(() => renderInvitationEmail(invitation({ message: 'x'.repeat(1000) }))).not.toThrow();
  });

  it('escapes names in html', () => {
    const email = renderInvitationEmail(invitation({ inviterName: '<b>Eve</b> & "co"', siteName: "O'Wiki" }));
    expect(email.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;co&quot;');
    expect(email.html).toContain('O&#39;Wiki');
    expect(email.html).not.toContain('<b>Eve');
  });

  it('keeps newlines in inviterName and siteName out of the subject', () => {
    const email = renderInvitationEmail(
      invitation({ inviterName: 'Eve\r\nBcc: victim@example.com', siteName: 'Wiki\nX-Evil: 1\u2028' }),
    );
    expect(email.subject).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(email.subject).not.toMatch(CONTROL);
    expect(email.subject).toBe('Eve Bcc: victim@example.com invited you to Wiki X-Evil: 1');
  });

  it('drops every bidi control from names, the Arabic letter mark included', () => {
    const email = renderInvitationEmail(invitation({ inviterName: 'Eve\u061C\u202Egnp.exe', siteName: 'Wiki\u2067x\u2069\u200F' }));
    expect(email.subject).toBe('Eve gnp.exe invited you to Wiki x');
    expect(email.text).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
  });

  it('caps the subject length', () => {
    const email = renderInvitationEmail(invitation({ siteName: '😀'.repeat(500) }));
    expect(Array.from(email.subject).length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(email.subject.endsWith('…')).toBe(true);
    // Truncation must not split a surrogate pair.
    expect(email.subject).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('puts the accept link in both parts, html-escaped in the html', () => {
    const email = renderInvitationEmail(invitation());
    expect(email.text).toContain('https://wiki.example.com/accept?token=abc&x=1');
    expect(email.html).toContain('href="https://wiki.example.com/accept?token=abc&amp;x=1"');
    expect(email.html).toContain('Accept invitation</a>');
  });

  it('escapes quotes in URLs so they cannot break out of the href', () => {
    const email = renderInvitationEmail(invitation({ acceptUrl: `https://wiki.example.com/a?q="><img src=x onerror=alert(1)>'` }));
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toMatch(/href="[^"]*"[^>]*onerror/);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://example.com/x', 'not a url', '/relative'])(
    'refuses the non-http(s) link %s',
    (acceptUrl) => {
      expect(() => renderInvitationEmail(invitation({ acceptUrl }))).toThrow();
    },
  );

  it('includes the expiry as a readable UTC date', () => {
    const email = renderInvitationEmail(invitation());
    expect(email.text).toContain('Tuesday, 3 March 2026, 14:05 UTC');
    expect(email.html).toContain('Tuesday, 3 March 2026, 14:05 UTC');
    expect(() => renderInvitationEmail(invitation({ expiresAt: 'tomorrow' }))).toThrow(RangeError);
  });

  it('explains the one-space rule to guests and names the space', () => {
    const email = renderInvitationEmail(invitation({ kind: 'guest', spaceName: 'Launch <Plan>', spaceKey: 'LP' }));
    expect(email.text).toMatch(/guest/i);
    expect(email.text).toContain('one space');
    expect(email.text).toContain('Launch <Plan> (LP)');
    expect(email.html).toContain('Launch &lt;Plan&gt; (LP)');
    expect(email.text).toMatch(/access starts once the space has been assigned/);
  });

  it('tells guests without a space that one will be assigned', () => {
    const email = renderInvitationEmail(invitation({ kind: 'guest' }));
    expect(email.text).toContain('one space');
    expect(email.text).toMatch(/administrator will choose/);
    expect(email.text).toMatch(/access starts once the space has been assigned/);
  });

  it('does not use guest wording for paid invitations', () => {
    const email = renderInvitationEmail(invitation({ kind: 'paid', spaceName: 'Ignored' }));
    for (const part of [email.text, email.html]) {
      expect(part).not.toMatch(/guest/i);
      expect(part).not.toContain('one space');
    }
  });

  it('has no external images or fonts', () => {
    const email = renderInvitationEmail(invitation({ kind: 'guest', message: 'hello' }));
    expect(email.html).not.toMatch(/<img|<link|@import|url\(/i);
  });
});

describe('renderWelcomeEmail', () => {
  const base = {
    siteName: 'Acme Wiki',
    recipientEmail: 'pat@example.com',
    siteUrl: 'https://wiki.example.com/',
  };

  it('names the space for guests', () => {
    const email = renderWelcomeEmail({ ...base, kind: 'guest', displayName: 'Gus', spaceName: 'Design & Research', spaceKey: 'DR' });
    expect(email.subject).toBe('Welcome to Acme Wiki');
    expect(email.text).toContain('Design & Research (DR)');
    expect(email.html).toContain('Design &amp; Research (DR)');
    expect(email.text).toContain('Hi Gus,');
    expect(email.text).toContain('https://wiki.example.com/');
    expect(email.html).toContain('href="https://wiki.example.com/"');
  });

  it('uses member wording for paid accounts', () => {
    const email = renderWelcomeEmail({ ...base, kind: 'paid' });
    expect(email.text).not.toMatch(/guest/i);
    expect(email.text).toContain('Hi,');
  });

  it('refuses a non-http site URL', () => {
    expect(() => renderWelcomeEmail({ ...base, kind: 'paid', siteUrl: 'javascript:alert(1)' })).toThrow();
  });
});

describe('renderReverificationEmail', () => {
  const base = {
    siteName: 'Acme Wiki',
    recipientEmail: 'pat@example.com',
    verifyUrl: 'https://wiki.example.com/verify?t=1',
    expiresAt: '2026-01-31T23:59:00Z',
  };

  it('has the link in both parts and the expiry', () => {
    const email = renderReverificationEmail({ ...base, displayName: 'Gus' });
    expect(email.text).toContain('https://wiki.example.com/verify?t=1');
    expect(email.html).toContain('href="https://wiki.example.com/verify?t=1"');
    expect(email.text).toContain('Saturday, 31 January 2026, 23:59 UTC');
    expect(email.subject).not.toMatch(CONTROL);
  });

  it('refuses a non-http verify URL', () => {
    expect(() => renderReverificationEmail({ ...base, verifyUrl: 'vbscript:msgbox(1)' })).toThrow();
  });
});

describe('properties', () => {
  // Biased towards markup and line breaks so the interesting cases are actually generated.
  const hostile = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\u2028', 's', 'c', 'r', 'i', 'p', 't', ' ', '/'), maxLength: 200 }),
    fc.constantFrom('<script>alert(1)</script>', '"><script src=//evil>', 'a\r\nBcc: x@y.example'),
  );
  const count = (haystack: string, ch: string) => haystack.split(ch).length - 1;
  const defang = (s: string) => s.replace(/[<>&"']/g, 'x');

  it('never lets input produce control characters in the subject or markup in the html', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, fc.constantFrom<'guest' | 'paid'>('guest', 'paid'), (siteName, inviterName, message, kind) => {
        const input = invitation({ siteName, inviterName, message, kind });
        const email = renderInvitationEmail(input);

        expect(email.subject).not.toMatch(CONTROL);
        expect(email.html).not.toContain('<script');
        // Every markup character in the html comes from the template: rendering the same input
        // with those characters replaced yields exactly as many of them.
        const baseline = renderInvitationEmail({
          ...input,
          siteName: defang(siteName),
          inviterName: defang(inviterName),
          message: defang(message),
        });
        for (const ch of ['<', '>', '"', "'"]) {
          expect(count(email.html, ch)).toBe(count(baseline.html, ch));
        }
      }),
    );
  });
});
