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
  /** The inviter's personal message, as typed (escaped here; its line breaks kept by the stylesheet). */
  readonly message?: string | undefined;
  readonly expiresAt: string;
  /** The site's policy asks this invitee to set up two-step verification when accepting. */
  readonly twoStepRequired?: boolean | undefined;
}

/** Where the invitation page and the two-step pages of an acceptance post to. */
export const acceptAction = (token: string) => `/invitations/${encodeURIComponent(token)}/accept`;

/** What accepting leads to, in order: the person sees the whole way before they click. */
function stepsAfterAccepting(view: InvitationPage): string[] {
  const site = escapeHtml(view.siteName);
  const inviter = escapeHtml(view.inviterName);
  const steps: string[] = [];
  if (view.twoStepRequired) {
    steps.push('Set up two-step verification: scan a QR code with an authenticator app on your phone (or type in its key), then enter the 6-digit code the app shows.');
  }
  if (view.kind === 'guest' && !view.spaceKey) {
    steps.push(`Wait for ${inviter} or another administrator of ${site} to give you a space to work in.`);
  } else if (view.kind === 'guest') {
    steps.push(`Your access to the space ${escapeHtml(view.spaceName ?? view.spaceKey ?? '')} is switched on.`);
  } else {
    steps.push(`Your account on ${site} is switched on.`);
  }
  steps.push(`We send a welcome email to ${escapeHtml(view.email)} once your access is ready.`);
  return steps;
}

export function invitationPage(view: InvitationPage): string {
  const space = view.spaceKey
    ? `<p>You will work in the space <strong>${escapeHtml(view.spaceName ?? view.spaceKey)}</strong> (${escapeHtml(view.spaceKey)}).</p>`
    : view.kind === 'guest'
      ? '<p>Your access starts once an administrator assigns you a space.</p>'
      : '';
  const message = view.message?.trim()
    ? `<h2>Message from ${escapeHtml(view.inviterName)}</h2>\n<blockquote class="message">${escapeHtml(view.message.trim())}</blockquote>\n`
    : '';
  const steps = stepsAfterAccepting(view).map((step) => `<li>${step}</li>`).join('\n');
  return layout(
    `Join ${view.siteName}`,
    `<h1>${escapeHtml(view.inviterName)} invited you to ${escapeHtml(view.siteName)}</h1>
<p>This invitation is for <strong>${escapeHtml(view.email)}</strong>${view.kind === 'guest' ? ' as a guest' : ''}.</p>
${space}
${message}<p>The invitation expires on <strong>${escapeHtml(formatUtcDate(view.expiresAt))}</strong>.</p>
<h2>What happens when you accept</h2>
<ol>
${steps}
</ol>
<form method="post" action="${escapeHtml(acceptAction(view.token))}">
<label for="displayName">Your name <span class="hint" id="displayName-hint">Optional. How people on ${escapeHtml(view.siteName)} will see you.</span></label>
<input id="displayName" name="displayName" autocomplete="name" maxlength="200" aria-describedby="displayName-hint">
<button type="submit">Accept invitation</button>
</form>
<p class="muted">Not expecting this? Ignore it: nothing happens unless you accept, and the invitation lapses on its own.</p>`,
  );
}

/** Where an accepted form post redirects: a fixed address, no token in it. */
export const ACCEPTED_PAGE_PATH = '/invitations/accepted';

/** What the accepted page says comes next: a space to wait for, or only the welcome email. */
export type AcceptedNext = 'space' | 'ready';

/**
 * The page an accepted invitation leads to. It lives at a URL without the link token (the form
 * post redirects there), so it knows only what comes next, never whose invitation it was.
 */
export function acceptedPage(next: AcceptedNext | undefined): string {
  const steps =
    next === 'space'
      ? ['An administrator of the site gives you a space to work in.', 'We email you a welcome message as soon as you can start.']
      : next === 'ready'
        ? ['We are switching your access on now.', 'We email you a welcome message in a moment.']
        : ['We email you a welcome message as soon as your access is ready.'];
  return layout(
    'Invitation accepted',
    `<h1>Invitation accepted</h1>
<p>Your invitation is accepted. You can close this page.</p>
<h2>What happens next</h2>
<ol>
${steps.map((step) => `<li>${step}</li>`).join('\n')}
</ol>
<p class="muted">No email after a day? Check your spam folder, then ask the person who invited you.</p>`,
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
  const describedBy = view.error ? 'totpCode-error totpCode-hint' : 'totpCode-hint';
  return `${view.error ? `<p class="error" id="totpCode-error" role="alert">${escapeHtml(view.error)}</p>\n` : ''}<form method="post" action="${escapeHtml(view.action)}">
${carried ? `${carried}\n` : ''}<label for="totpCode">6-digit code from your authenticator app</label>
<span class="hint" id="totpCode-hint">The app shows a new code every 30 seconds; enter the one it shows now, without spaces.</span>
<input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" minlength="6" maxlength="6" required autofocus aria-describedby="${describedBy}"${view.error ? ' aria-invalid="true"' : ''}>
<button type="submit">${escapeHtml(view.submitLabel ?? 'Verify')}</button>
</form>`;
}

/** The enrolment: scan the QR code (or type the secret), then prove it with a code. */
export function twoStepEnrolmentPage(view: TwoStepEnrolmentView): string {
  return layout(
    'Set up two-step verification',
    `<h1>Set up two-step verification</h1>
<p>${escapeHtml(view.siteName)} asks you to confirm it is you with a code from an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password).</p>
<h2>1. Add ${escapeHtml(view.siteName)} to your app</h2>
<p>Scan this QR code with your authenticator app:</p>
<div class="qr" role="img" aria-label="QR code to add ${escapeHtml(view.siteName)} to your authenticator app">${view.qrSvg}</div>
<p id="secret-label">Cannot scan it? Choose “enter a setup key” in the app and type this key (time-based, 6 digits). The spaces are only there to help you read it:</p>
<p class="secret">${escapeHtml(groupedSecret(view.secret))}</p>
<h2>2. Enter the code the app shows</h2>
${codeForm(view)}
<p class="muted">Keep the app: you will need a code from it again. If you lose your phone, ask an administrator of ${escapeHtml(view.siteName)} to reset your two-step verification.</p>`,
  );
}

/** Already enrolled: only the current code is asked for. */
export function twoStepCodePage(view: TwoStepForm): string {
  return layout(
    'Two-step verification',
    `<h1>Enter your two-step code</h1>
<p>Open your authenticator app and enter the current code for ${escapeHtml(view.siteName)}.</p>
${codeForm(view)}
<p class="muted">Lost the app? Ask an administrator of ${escapeHtml(view.siteName)} to reset your two-step verification.</p>`,
  );
}

export interface TwoStepLock {
  /** The refusal's own message: why, and for how long. */
  readonly message: string;
  /** When the lock lifts. */
  readonly liftsAt: Date;
  /** Whom to ask when the app is lost: a person's name, else the site's administrators. */
  readonly askWhom: string;
}

/** Too many wrong codes: why, when the lock lifts, and whom to ask if the app is gone. */
export function twoStepLockedPage(lock: TwoStepLock): string {
  return layout(
    'Too many wrong codes',
    `<h1>Too many wrong codes</h1>
<p>${escapeHtml(lock.message)}</p>
<p>You can try again from <strong>${escapeHtml(formatUtcDate(lock.liftsAt.toISOString()))}</strong>: open the link from your email again then. Nothing else was changed.</p>
<p>If the codes keep being refused, check that your phone’s clock is set automatically. If you no longer have the authenticator app, ask ${escapeHtml(lock.askWhom)} to reset your two-step verification.</p>`,
  );
}

interface Problem {
  readonly title: string;
  /** Sentences of plain text: what is wrong, then what the person can do about it. */
  readonly text: readonly string[];
}

/**
 * `inviter` is only ever the name on the invitation the link itself belongs to (an expired,
 * used or revoked one); an unknown link names nobody, so a guessed token learns nothing.
 */
function invitationProblem(code: string, inviter: string | undefined): Problem | undefined {
  const who = inviter ?? 'the person who invited you';
  switch (code) {
    case 'not_found':
      return {
        title: 'Link not recognised',
        text: [
          'This link is not valid.',
          'Check that you opened the whole link from your email: some email programs break long links over two lines.',
          'If it still does not work, ask the person who invited you to send the invitation again.',
        ],
      };
    case 'invitation_used':
      return {
        title: 'Invitation already accepted',
        text: [
          'This invitation has already been used.',
          'If you accepted it, you are done: the welcome email has the link to the site, and you can sign in there directly.',
          `If you did not accept it, tell ${who}.`,
        ],
      };
    case 'invitation_expired':
      return { title: 'Invitation expired', text: ['This invitation has expired.', `Ask ${who} for a new invitation.`, 'A new invitation comes in its own email, with a link of its own.'] };
    case 'invitation_revoked':
      return {
        title: 'Invitation no longer valid',
        text: [
          'This invitation was withdrawn or replaced by a newer one.',
          `If ${who} sent you a newer invitation email, use the link in that one.`,
          `Otherwise ask ${who} for a new invitation.`,
        ],
      };
    default:
      return undefined;
  }
}
// Every refusal has three sentences: the answers differ in words, never in shape.

const VERIFICATION_PROBLEMS: Record<string, Problem> = {
  not_found: {
    title: 'Link not recognised',
    text: ['This link is not valid.', 'Check that you opened the whole link from your email: some email programs break long links over two lines.'],
  },
  invitation_used: { title: 'Already verified', text: ['This link has already been used to verify your address.', 'You can go on using the site.'] },
  invitation_expired: { title: 'Link expired', text: ['This verification link has expired.', 'Ask an administrator of the site to restore your access.'] },
  invitation_revoked: { title: 'Link no longer valid', text: ['A newer verification link was sent, or your access changed.', 'Use the newest email you received, or ask an administrator of the site.'] },
};

/**
 * Distinct pages per state, each with a next step, none revealing anything about the person the
 * link was for; an invitation's own inviter may be named (see `invitationProblem`).
 */
export function linkProblemPage(code: string, link: 'invitation' | 'verification' = 'invitation', inviter?: string): string {
  const problem = (link === 'verification' ? VERIFICATION_PROBLEMS[code] : invitationProblem(code, inviter)) ?? { title: 'Something went wrong', text: ['Please try again in a moment.'] };
  return layout(problem.title, `<h1>${escapeHtml(problem.title)}</h1>\n${problem.text.map((sentence) => `<p>${escapeHtml(sentence)}</p>`).join('\n')}`);
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
  const site = escapeHtml(view.siteName);
  const twoStep = !view.twoStepRequired
    ? ''
    : view.twoStepEnrolled
      ? `<label for="totpCode">6-digit code from your authenticator app</label>
<span class="hint" id="totpCode-hint">The code the app shows now for ${site}, without spaces.</span>
<input id="totpCode" name="totpCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" minlength="6" maxlength="6" required aria-describedby="totpCode-hint">`
      : `<p>${site} now asks for two-step verification: the next step sets up an authenticator app on your phone.</p>`;
  const after = suspended ? `Your access to ${site} comes back at once.` : `Your access to ${site} goes on as it is.`;
  return layout(
    `Confirm your access to ${view.siteName}`,
    `<h1>Confirm your access to ${site}</h1>
<p>${suspended ? 'Your access is paused until you confirm' : 'To keep your access, please confirm'} that <strong>${escapeHtml(view.email)}</strong> is still your address.</p>
<h2>What happens when you confirm</h2>
<ul>
<li>${after}</li>
<li>Nothing else changes: your space and your name stay as they are.</li>
</ul>
<form method="post" action="${escapeHtml(verifyAction(view.token))}">
${twoStep}
<button type="submit">${view.twoStepRequired && !view.twoStepEnrolled ? 'Continue' : 'Confirm'}</button>
</form>
<p class="muted">This link works until ${escapeHtml(formatUtcDate(view.expiresAt))}, once. If ${escapeHtml(view.email)} is not your address any more, ignore this page and ask an administrator of ${site}.</p>`,
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
