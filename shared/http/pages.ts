import { escapeHtml, formatUtcDate } from '../email';
import { GUEST_PAGE_STYLE } from './page-style';

/**
 * The guest pages. Server-rendered, no scripts (the CSP forbids them), every value escaped, one
 * stylesheet the CSP admits by its hash. GET only shows; the Accept button is a form POST, so mail
 * scanners that fetch links change nothing. Each page says what happens next, or whom to ask.
 */
function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${GUEST_PAGE_STYLE}</style>
</head>
<body>
<header class="brand">guestpass</header>
<main>
${body}
</main>
</body>
</html>`;
}

export interface InvitationPage {
  readonly token: string;
  readonly siteName: string;
  readonly inviterName: string;
  readonly email: string;
  readonly kind: 'guest' | 'paid';
  readonly spaceKey?: string | undefined;
  readonly spaceName?: string | undefined;
  readonly expiresAt: string;
  /** The site's policy asks this invitee to set up two-step verification when accepting. */
  readonly twoStepRequired?: boolean | undefined;
}

/** Where the invitation page and the two-step pages of an acceptance post to. */
export const acceptAction = (token: string) => `/invitations/${encodeURIComponent(token)}/accept`;

export function invitationPage(view: InvitationPage): string {
  const space = view.spaceKey
    ? `<p>You will work in the space <strong>${escapeHtml(view.spaceName ?? view.spaceKey)}</strong> (${escapeHtml(view.spaceKey)}).</p>`
    : view.kind === 'guest'
      ? '<p class="muted">Your access starts once an administrator assigns you a space.</p>'
      : '';
  return layout(
    `Join ${view.siteName}`,
    `<h1>${escapeHtml(view.inviterName)} invited you to ${escapeHtml(view.siteName)}</h1>
<p>This invitation is for <strong>${escapeHtml(view.email)}</strong>${view.kind === 'guest' ? ' as a guest' : ''}.</p>
${space}
${view.twoStepRequired ? '<p class="muted">This site asks you to set up two-step verification: have an authenticator app ready on your phone.</p>\n' : ''}<form method="post" action="${escapeHtml(acceptAction(view.token))}">
<label for="displayName">Your name</label>
<input id="displayName" name="displayName" autocomplete="name" maxlength="200">
<button type="submit">Accept invitation</button>
</form>
<p class="muted">The invitation expires ${escapeHtml(formatUtcDate(view.expiresAt))}.</p>`,
  );
}

export function acceptedPage(siteName: string, waitingForSpace: boolean): string {
  return layout(
    'Invitation accepted',
    `<h1>Welcome to ${escapeHtml(siteName)}</h1>
<p>Your invitation is accepted.${waitingForSpace ? ' An administrator will assign you a space; we will email you when you can start.' : ' We will email you as soon as your access is ready.'}</p>`,
  );
}

// ---------------------------------------------------------------------------------------------
// Two-step verification: enrolment, a code, the lock. The accept and re-verify flows share these;
// each passes its own form action and the fields its form carries along with the code.
// ---------------------------------------------------------------------------------------------

export interface TwoStepForm {
  /** Where the code is posted (`/invitations/{token}/accept`, `/verify/{token}`). */
  readonly action: string;
  readonly siteName: string;
  /** Fields the form carries along with the code (the name typed on the invitation page); empty ones are left out. */
  readonly carry?: Readonly<Record<string, string | undefined>> | undefined;
  /** Why the last code was refused (with the attempts left), shown above the field. */
  readonly error?: string | undefined;
  /** The button's label. */
  readonly submitLabel?: string | undefined;
}

export interface TwoStepEnrolmentView extends TwoStepForm {
  /** The base32 secret, shown for typing in by hand. */
  readonly secret: string;
  /** The `otpauth://` URI as an inline `<svg>`, from `qrSvg` (shared/security/qr.ts): inserted as markup, not escaped. */
  readonly qrSvg: string;
}

/** Base32 in groups of four, as people type it into an authenticator app. */
export const groupedSecret = (secret: string): string => (secret.match(/.{1,4}/g) ?? []).join(' ');

function codeForm(view: TwoStepForm): string {
  const carried = Object.entries(view.carry ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return `${view.error ? `<p class="error" id="totpCode-error" role="alert">${escapeHtml(view.error)}</p>\n` : ''}<form method="post" action="${escapeHtml(view.action)}">
${carried ? `${carried}\n` : ''}<label for="totpCode">6-digit code from your authenticator app</label>
<input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" minlength="6" maxlength="6" required autofocus${view.error ? ' aria-invalid="true" aria-describedby="totpCode-error"' : ''}>
<button type="submit">${escapeHtml(view.submitLabel ?? 'Verify')}</button>
</form>`;
}

/** The enrolment: scan the QR code (or type the secret), then prove it with a code. */
export function twoStepEnrolmentPage(view: TwoStepEnrolmentView): string {
  return layout(
    'Set up two-step verification',
    `<h1>Set up two-step verification</h1>
<p>${escapeHtml(view.siteName)} asks you to confirm it is you with a code from an authenticator app each time you verify.</p>
<p>Scan this QR code with your authenticator app:</p>
<div class="qr" role="img" aria-label="QR code to add ${escapeHtml(view.siteName)} to your authenticator app">${view.qrSvg}</div>
<p>Or enter this key by hand (time-based):</p>
<p class="secret">${escapeHtml(groupedSecret(view.secret))}</p>
${codeForm(view)}
<p class="muted">Keep the app: you will need a code from it again. If you lose it, ask an administrator to reset your two-step verification.</p>`,
  );
}

/** Already enrolled: only the current code is asked for. */
export function twoStepCodePage(view: TwoStepForm): string {
  return layout(
    'Two-step verification',
    `<h1>Enter your two-step code</h1>
<p>Open your authenticator app and enter the current code for ${escapeHtml(view.siteName)}.</p>
${codeForm(view)}`,
  );
}

/** Too many wrong codes: `message` says for how long (the refusal's own message). */
export function twoStepLockedPage(message: string): string {
  return layout('Too many wrong codes', `<h1>Too many wrong codes</h1>\n<p>${escapeHtml(message)}</p>\n<p class="muted">Open the link from your email again once the lock has ended; nothing else was changed.</p>`);
}

const LINK_PROBLEMS: Record<string, { title: string; text: string }> = {
  not_found: { title: 'Link not recognised', text: 'This link is not valid. Check that you opened the whole link from your email.' },
  invitation_used: { title: 'Invitation already accepted', text: 'This invitation has already been used. You can sign in to the site directly.' },
  invitation_expired: { title: 'Invitation expired', text: 'This invitation has expired. Ask the person who invited you for a new one.' },
  invitation_revoked: { title: 'Invitation no longer valid', text: 'This invitation was withdrawn or replaced by a newer one. Use the newest email you received, or ask for a new invitation.' },
};

const VERIFICATION_PROBLEMS: Record<string, { title: string; text: string }> = {
  not_found: { title: 'Link not recognised', text: 'This link is not valid. Check that you opened the whole link from your email.' },
  invitation_used: { title: 'Already verified', text: 'This link has already been used to verify your address. You can go on using the site.' },
  invitation_expired: { title: 'Link expired', text: 'This verification link has expired. Ask an administrator of the site to restore your access.' },
  invitation_revoked: { title: 'Link no longer valid', text: 'A newer verification link was sent, or your access changed. Use the newest email you received.' },
};

/** Distinct pages per state, none revealing anything about the invitation or other people. */
export function linkProblemPage(code: string, link: 'invitation' | 'verification' = 'invitation'): string {
  const problem = (link === 'verification' ? VERIFICATION_PROBLEMS : LINK_PROBLEMS)[code] ?? { title: 'Something went wrong', text: 'Please try again in a moment.' };
  return layout(problem.title, `<h1>${escapeHtml(problem.title)}</h1><p>${escapeHtml(problem.text)}</p>`);
}

/** Browsers ask for HTML; API clients send `Accept: application/json`. */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.includes('application/json') && !accept.includes('text/html');
}

export interface ReverificationPage {
  readonly token: string;
  readonly siteName: string;
  readonly email: string;
  readonly status: string;
  readonly expiresAt: string;
  readonly twoStepRequired: boolean;
  readonly twoStepEnrolled: boolean;
}

/** The emailed re-verification link's page: says what confirming does; the button is a form POST. */
export function reverificationPage(view: ReverificationPage): string {
  const suspended = view.status === 'suspended';
  const twoStep = !view.twoStepRequired
    ? ''
    : view.twoStepEnrolled
      ? `<label for="totpCode">Code from your authenticator app</label>
<input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>`
      : `<p>${escapeHtml(view.siteName)} now asks for two-step verification: the next step sets up an authenticator app.</p>`;
  return layout(
    `Confirm your access to ${view.siteName}`,
    `<h1>Confirm your access to ${escapeHtml(view.siteName)}</h1>
<p>${suspended ? 'Your access is paused until you confirm' : 'To keep your access, please confirm'} that <strong>${escapeHtml(view.email)}</strong> is still your address.</p>
<form method="post" action="${escapeHtml(verifyAction(view.token))}">
${twoStep}
<button type="submit">${view.twoStepRequired && !view.twoStepEnrolled ? 'Continue' : 'Confirm'}</button>
</form>
<p class="muted">This link works until ${escapeHtml(formatUtcDate(view.expiresAt))}, once.</p>`,
  );
}

export const verifyAction = (token: string): string => `/verify/${encodeURIComponent(token)}`;

export function reverifiedPage(siteName: string, wasSuspended: boolean, siteUrl?: string): string {
  return layout(
    'Access confirmed',
    `<h1>Thank you — you are verified</h1>
<p>Your access to ${escapeHtml(siteName)} ${wasSuspended ? 'is restored' : 'continues'}.</p>
${siteUrl ? `<p><a href="${escapeHtml(siteUrl)}">Go to ${escapeHtml(siteName)}</a></p>` : '<p>You can close this page.</p>'}`,
  );
}
