/**
 * Email bodies are rendered in code rather than with SES templates so that escaping is
 * under our control and testable without AWS. Everything here is pure.
 */

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export type AccountKind = 'guest' | 'paid';

export interface InvitationEmailInput {
  siteName: string;
  inviterName: string;
  recipientEmail: string;
  kind: AccountKind;
  spaceName?: string;
  spaceKey?: string;
  /** The admin's personal note: plain text, at most {@link MAX_MESSAGE_LENGTH} characters. */
  message?: string;
  acceptUrl: string;
  /** ISO 8601 timestamp. */
  expiresAt: string;
}

export interface WelcomeEmailInput {
  siteName: string;
  displayName?: string;
  recipientEmail: string;
  kind: AccountKind;
  spaceName?: string;
  spaceKey?: string;
  /** Where the button leads (the site's wiki, or the space's page there); none: no button. */
  siteUrl?: string;
}

export interface ReverificationEmailInput {
  siteName: string;
  displayName?: string;
  recipientEmail: string;
  verifyUrl: string;
  /** ISO 8601 timestamp. */
  expiresAt: string;
}

/** Same unit as zod's `.max()` (UTF-16 code units), so API validation and this check agree. */
export const MAX_MESSAGE_LENGTH = 1000;
export const MAX_SUBJECT_LENGTH = 200;

// ---------------------------------------------------------------------------
// Sanitising helpers

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

// Line/paragraph separators and bidi controls are not \p{Cc} but can still break a header
// line or visually disguise a name, so they are treated like control characters. The bidi
// controls by their Unicode property rather than by a list: a list had missed the Arabic letter
// mark (U+061C), which reorders text as a right-to-left mark does.
const INVISIBLE_OR_BREAKING = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}\u200B-\u200F\u2060-\u2064\uFEFF]+/gu;

/**
 * For values meant to be a single line (names, keys): a newline in an inviter's name must not
 * be able to forge extra lines in the body, let alone in a header.
 */
export function toSingleLine(value: string): string {
  return value.replace(INVISIBLE_OR_BREAKING, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Subjects become a MIME header. SES encodes them, but a CR/LF that survived would be a
 * header-injection vector with any other transport, so they are removed here regardless.
 */
export function sanitizeSubject(value: string): string {
  const line = toSingleLine(value);
  const chars = Array.from(line); // by code point, so a surrogate pair is never cut in half
  if (chars.length <= MAX_SUBJECT_LENGTH) return line;
  return chars.slice(0, MAX_SUBJECT_LENGTH - 1).join('').trimEnd() + '…';
}

/** Keeps newlines and tabs (the admin's formatting); drops controls that have no business in mail. */
function normalizeMessage(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '');
}

/**
 * Only http(s) links: `javascript:`/`data:` URLs in an email are an XSS/phishing vector even
 * when attribute-escaped. Returns the parser's normalised form so the href is well-formed.
 */
export function safeLinkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('Link URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`Link URL scheme ${JSON.stringify(parsed.protocol)} is not allowed (http/https only)`);
  }
  return parsed.href;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/**
 * Formatted by hand rather than with Intl so the output doesn't vary with the runtime's ICU
 * data (and tests can assert on it). E.g. "Tuesday, 3 March 2026, 14:05 UTC".
 */
export function formatUtcDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError('expiresAt is not a valid ISO date');
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  return `${WEEKDAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

function describeSpace(spaceName?: string, spaceKey?: string): string | undefined {
  const name = spaceName === undefined ? '' : toSingleLine(spaceName);
  const key = spaceKey === undefined ? '' : toSingleLine(spaceKey);
  if (name && key) return `${name} (${key})`;
  return name || key || undefined;
}

// ---------------------------------------------------------------------------
// Layout

const FONT = 'font-family:Arial,Helvetica,sans-serif;';

interface Layout {
  subject: string;
  /** Already-escaped HTML fragments, one paragraph each. */
  paragraphs: string[];
  /** Already-escaped HTML placed just above the button (the quoted personal message). */
  beforeButton?: string;
  /** The one call to action; an email without a working destination has none rather than a dead link. */
  button?: { label: string; url: string };
  /** Already-escaped HTML, small print. */
  footer: string[];
}

function paragraph(html: string): string {
  return `<p style="margin:0 0 16px 0;${FONT}font-size:16px;line-height:24px;color:#1f2328;">${html}</p>`;
}

// Tables rather than divs: Outlook's Word renderer ignores max-width and most CSS on divs.
function renderLayout(layout: Layout): string {
  const small = `${FONT}font-size:13px;line-height:20px;color:#59636e;`;
  const button = layout.button;
  const url = button ? escapeHtml(button.url) : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(layout.subject)}</title>`,
    '</head>',
    '<body style="margin:0;padding:0;background-color:#f6f8fa;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f6f8fa;">',
    '<tr><td align="center" style="padding:24px 12px;">',
    '<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background-color:#ffffff;border:1px solid #d1d9e0;border-radius:8px;">',
    '<tr><td style="padding:32px;">',
    ...layout.paragraphs.map(paragraph),
    layout.beforeButton ?? '',
    ...(button
      ? [
          '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px 0;">',
          `<tr><td style="border-radius:6px;background-color:#1f6feb;">`,
          `<a href="${url}" style="display:inline-block;padding:12px 24px;${FONT}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(button.label)}</a>`,
          '</td></tr>',
          '</table>',
          `<p style="margin:0 0 16px 0;${small}">If the button doesn't work, copy this link into your browser:<br><a href="${url}" style="color:#1f6feb;word-break:break-all;">${url}</a></p>`,
        ]
      : []),
    ...layout.footer.map((html) => `<p style="margin:0 0 8px 0;${small}">${html}</p>`),
    '</td></tr>',
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

// ---------------------------------------------------------------------------
// Templates

export function renderInvitationEmail(input: InvitationEmailInput): RenderedEmail {
  const acceptUrl = safeLinkUrl(input.acceptUrl);
  const expires = formatUtcDate(input.expiresAt);
  const siteName = toSingleLine(input.siteName);
  const inviterName = toSingleLine(input.inviterName) || 'An administrator';
  const recipient = toSingleLine(input.recipientEmail);
  const space = describeSpace(input.spaceName, input.spaceKey);

  // Rejected rather than truncated: the API validates this limit, so exceeding it is a bug
  // upstream, and silently cutting an admin's note would change its meaning.
  if (input.message !== undefined && input.message.length > MAX_MESSAGE_LENGTH) {
    throw new RangeError(`Personal message exceeds ${MAX_MESSAGE_LENGTH} characters`);
  }
  const message = input.message === undefined ? '' : normalizeMessage(input.message);
  const hasMessage = message.trim() !== '';

  const subject = sanitizeSubject(`${inviterName} invited you to ${siteName}`);

  const intro = `${inviterName} has invited you to join ${siteName}.`;
  const kindLines: string[] =
    input.kind === 'guest'
      ? [
          space
            ? `You are invited as a guest. Guests work in one space; yours is ${space}.`
            : 'You are invited as a guest. Guests work in one space, which an administrator will choose for you.',
          'Your access starts once the space has been assigned to your account.',
        ]
      : [];
  const expiry = `This invitation expires on ${expires}.`;
  const notice = `This invitation was sent to ${recipient}. If you weren't expecting it, you can ignore this email.`;

  const text = [
    intro,
    ...kindLines,
    ...(hasMessage ? [`${inviterName} wrote:\n\n${message}\n\n---`] : []),
    `Accept the invitation: ${acceptUrl}`,
    expiry,
    notice,
  ].join('\n\n') + '\n';

  const quote = hasMessage
    ? paragraph(`${escapeHtml(inviterName)} wrote:`) +
      `\n<blockquote style="margin:0 0 24px 0;padding:12px 16px;border-left:4px solid #d1d9e0;background-color:#f6f8fa;${FONT}font-size:15px;line-height:22px;color:#1f2328;">` +
      `${escapeHtml(message).replace(/\n/g, '<br>')}</blockquote>`
    : undefined;

  const html = renderLayout({
    subject,
    paragraphs: [escapeHtml(intro), ...kindLines.map(escapeHtml)],
    ...(quote !== undefined ? { beforeButton: quote } : {}),
    button: { label: 'Accept invitation', url: acceptUrl },
    footer: [escapeHtml(expiry), escapeHtml(notice)],
  });

  return { subject, html, text };
}

export function renderWelcomeEmail(input: WelcomeEmailInput): RenderedEmail {
  const siteUrl = input.siteUrl === undefined ? undefined : safeLinkUrl(input.siteUrl);
  const siteName = toSingleLine(input.siteName);
  const displayName = input.displayName === undefined ? '' : toSingleLine(input.displayName);
  const recipient = toSingleLine(input.recipientEmail);
  const space = describeSpace(input.spaceName, input.spaceKey);

  const subject = sanitizeSubject(`Welcome to ${siteName}`);

  const greeting = displayName ? `Hi ${displayName},` : 'Hi,';
  const body: string[] =
    input.kind === 'guest'
      ? [
          `Your guest account on ${siteName} is active.`,
          space
            ? `You have access to the space ${space}.`
            : 'You will have access to one space once an administrator has assigned it to you.',
        ]
      : [`Your account on ${siteName} is active. You now have full access as a member.`];
  const notice = `This email was sent to ${recipient}.`;

  const text = [greeting, ...body, ...(siteUrl ? [`Open ${siteName}: ${siteUrl}`] : []), notice].join('\n\n') + '\n';

  const html = renderLayout({
    subject,
    paragraphs: [greeting, ...body].map(escapeHtml),
    ...(siteUrl ? { button: { label: `Open ${siteName}`, url: siteUrl } } : {}),
    footer: [escapeHtml(notice)],
  });

  return { subject, html, text };
}

export function renderReverificationEmail(input: ReverificationEmailInput): RenderedEmail {
  const verifyUrl = safeLinkUrl(input.verifyUrl);
  const expires = formatUtcDate(input.expiresAt);
  const siteName = toSingleLine(input.siteName);
  const displayName = input.displayName === undefined ? '' : toSingleLine(input.displayName);
  const recipient = toSingleLine(input.recipientEmail);

  const subject = sanitizeSubject(`Please re-verify your access to ${siteName}`);

  const greeting = displayName ? `Hi ${displayName},` : 'Hi,';
  const body = [
    `To keep your access to ${siteName}, please confirm that ${recipient} is still your email address.`,
  ];
  const expiry = `This link expires on ${expires}.`;
  const notice = `If you didn't expect this email, you can ignore it.`;

  const text = [greeting, ...body, `Re-verify your email address: ${verifyUrl}`, expiry, notice].join('\n\n') + '\n';

  const html = renderLayout({
    subject,
    paragraphs: [greeting, ...body].map(escapeHtml),
    button: { label: 'Re-verify email address', url: verifyUrl },
    footer: [escapeHtml(expiry), escapeHtml(notice)],
  });

  return { subject, html, text };
}
