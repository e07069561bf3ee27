import type { SESClient, SendEmailCommandInput } from '@aws-sdk/client-ses';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmailRejectedError, sendEmail } from '../../shared/email/send';
import { MAX_MESSAGE_LENGTH, renderInvitationEmail, renderReverificationEmail, renderWelcomeEmail, type RenderedEmail } from '../../shared/email/templates';

/**
 * Whatever admins and guests type as names, site names, space names and personal messages —
 * CR/LF, NUL, markup, right-to-left overrides, line separators, look-alike letters — goes through
 * the real templates and the SES request the sender builds, and: no header (Subject, the From
 * display name, the recipient) carries a line break or control character; the HTML's markup is
 * the template's own, every user character escaped; a plain-text part is always there; and
 * without a personal message, no user value adds a line, a control or a bidi override anywhere.
 */
const SEED = 20261203;
const RUNS = Number(process.env.EMAIL_RUNS ?? 1000);

const HOSTILE_PIECES = [
  '\r\n', '\r', '\n', '\0', '\u0085', '\u2028', '\u2029', '\t', '\u000B', '\u001B[31m',
  '<script>alert(1)</script>', '</title><script>', '"><img src=x onerror=alert(1)>', "' onmouseover='x", '<!--', ']]>',
  '&amp;', '&lt;', '&#x3C;', '&', '<', '>', '"', "'",
  '\u202E', '\u202D', '\u202B', '\u2066', '\u2067', '\u2069', '\u200F', '\u200B', '\uFEFF', '\u061C',
  'гооgle', 'ｐａｙｐａｌ', 'Ρ\u0430ypal', '𝐀𝐝𝐦𝐢𝐧', 'ﬁ', '\u0130',
  '\r\nBcc: victim@evil.example', '\nSubject: injected', '=?UTF-8?B?PHNjcmlwdD4=?=', 'Team <boss@evil.example>', 'a,b;c',
  '\uD800', '\uDFFF', '😀', 'e\u0301', 'ok',
];

const hostile = (maxLength: number) =>
  fc
    .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_PIECES) }, fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 12 })
    .map((pieces) => pieces.join('').slice(0, maxLength));

const inputArb = fc.record({
  siteName: hostile(200),
  inviterName: hostile(200),
  displayName: fc.option(hostile(200), { nil: undefined }),
  spaceName: fc.option(hostile(200), { nil: undefined }),
  spaceKey: fc.option(hostile(20), { nil: undefined }),
  message: fc.option(hostile(MAX_MESSAGE_LENGTH), { nil: undefined }),
  senderName: hostile(60),
  kind: fc.constantFrom<'guest' | 'paid'>('guest', 'paid'),
});
type Input = typeof inputArb extends fc.Arbitrary<infer T> ? T : never;

const RECIPIENT = 'pat.smith@partner.example';
const SENDER = 'no-reply@wiki.example';
const LINK = 'https://guestpass.example/invitations/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-ABCDE';

type Template = (input: Input) => RenderedEmail;
const TEMPLATES: Record<string, Template> = {
  invitation: (input) =>
    renderInvitationEmail({
      siteName: input.siteName,
      inviterName: input.inviterName,
      recipientEmail: RECIPIENT,
      kind: input.kind,
      ...(input.spaceName !== undefined ? { spaceName: input.spaceName } : {}),
      ...(input.spaceKey !== undefined ? { spaceKey: input.spaceKey } : {}),
      ...(input.message !== undefined ? { message: input.message } : {}),
      acceptUrl: LINK,
      expiresAt: '2026-12-10T14:05:00.000Z',
    }),
  welcome: (input) =>
    renderWelcomeEmail({
      siteName: input.siteName,
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      recipientEmail: RECIPIENT,
      kind: input.kind,
      ...(input.spaceName !== undefined ? { spaceName: input.spaceName } : {}),
      ...(input.spaceKey !== undefined ? { spaceKey: input.spaceKey } : {}),
      siteUrl: 'https://wiki.example/spaces/ENG',
    }),
  reverification: (input) =>
    renderReverificationEmail({
      siteName: input.siteName,
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      recipientEmail: RECIPIENT,
      verifyUrl: LINK.replace('/invitations/', '/verify/'),
      expiresAt: '2026-12-10T14:05:00.000Z',
    }),
};

/** The same input with every user value a plain word: the template's own structure. */
const plain = (input: Input, message: string | undefined): Input => ({
  ...input,
  siteName: 'Site',
  inviterName: 'Ann',
  ...(input.displayName !== undefined ? { displayName: 'Pat' } : {}),
  ...(input.spaceName !== undefined ? { spaceName: 'Space' } : {}),
  ...(input.spaceKey !== undefined ? { spaceKey: 'KEY' } : {}),
  message,
});

/** What SES is asked to send, from the sender's own request builder. */
async function sesRequest(email: RenderedEmail, from: string): Promise<SendEmailCommandInput | 'refused'> {
  const sent: SendEmailCommandInput[] = [];
  const ses = { send: async (command: { input: SendEmailCommandInput }) => (sent.push(command.input), { MessageId: 'message-1' }) } as unknown as SESClient;
  try {
    await sendEmail(ses, { ...email, to: RECIPIENT, from });
  } catch (error) {
    if (error instanceof EmailRejectedError) return 'refused';
    throw error;
  }
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

// Anything that ends or hides a header line: CR, LF, NEL, every other C0/C1 control, line and paragraph separators.
const HEADER_BREAKING = /[\p{Cc}\u2028\u2029]/u;
const BIDI_OR_INVISIBLE = /[\p{Bidi_Control}\u200B-\u200F\u2060-\u2064\uFEFF]/u;
const ENTITY = /&(?!(?:amp|lt|gt|quot|#39);)/;

/** The markup of an HTML document: its tags in order, `<br>` aside (a message's line breaks). */
const tags = (html: string) => (html.match(/<[^>]*>/g) ?? []).filter((tag) => tag !== '<br>');

describe.each(Object.entries(TEMPLATES))('the %s email, rendered and handed to SES', (_name, render) => {
  it(`keeps every header on one line, the HTML's markup its own and a text part present (${RUNS} inputs)`, async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        const email = render(input);
        const request = await sesRequest(email, `${input.senderName} <${SENDER}>`);
        // A sender name that cannot be carried safely refuses the send; the bare sender never is
        const sendable = request === 'refused' ? await sesRequest(email, SENDER) : request;
        expect(sendable).not.toBe('refused');
        if (sendable === 'refused') return;

        const subject = sendable.Message?.Subject?.Data ?? '';
        const source = sendable.Source ?? '';
        expect(subject, JSON.stringify(subject)).not.toMatch(HEADER_BREAKING);
        expect(subject, JSON.stringify(subject)).not.toMatch(BIDI_OR_INVISIBLE);
        expect(subject.length).toBeGreaterThan(0);
        expect(source, JSON.stringify(source)).not.toMatch(HEADER_BREAKING);
        // The display name is quoted printable ASCII without quotes or brackets, or RFC 2047
        // encoded: either way, the one address in the header is the sender's
        expect(source).toMatch(/^(?:"[\x20-\x21\x23-\x3B\x3D\x3F-\x5B\x5D-\x7E]*" |=\?UTF-8\?B\?[A-Za-z0-9+/=]*\?= )?<?no-reply@wiki\.example>?$/);
        expect(sendable.Destination).toEqual({ ToAddresses: [RECIPIENT] });

        const text = sendable.Message?.Body?.Text?.Data;
        const html = sendable.Message?.Body?.Html?.Data ?? '';
        expect(text?.trim().length ?? 0).toBeGreaterThan(0);
        expect(text).toContain(render === TEMPLATES.welcome ? 'https://wiki.example/spaces/ENG' : 'https://guestpass.example/');

        // Every tag is the template's: the same tags, in order, as with plain words for every
        // value (with or without the quoted message, which the template may leave out)
        const withMessage = tags(render(plain(input, 'Hello')).html);
        const withoutMessage = tags(render(plain(input, undefined)).html);
        const markup = tags(html);
        expect([withMessage, withoutMessage], `tags not the template's: ${markup.filter((tag) => !withMessage.includes(tag)).join(' ')}`).toContainEqual(markup);
        // and every ampersand begins one of the escapes: no user text passes as an entity
        expect(html, 'an ampersand that is no escape of ours').not.toMatch(ENTITY);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('adds no line, control or bidi override anywhere from a name when there is no personal message', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const email = render({ ...input, message: undefined });
        const baseline = render(plain(input, undefined));
        // Lines, not characters: a line break in a name must not forge a line in the body
        expect(email.text.split('\n').length, email.text).toBe(baseline.text.split('\n').length);
        expect(email.html.split('\n').length, email.html).toBe(baseline.html.split('\n').length);
        for (const part of [email.subject, email.text.replace(/\n/g, ''), email.html.replace(/\n/g, '')]) {
          expect(part, JSON.stringify(part)).not.toMatch(HEADER_BREAKING);
          expect(part, JSON.stringify(part)).not.toMatch(BIDI_OR_INVISIBLE);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
