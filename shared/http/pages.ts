import { escapeHtml, formatUtcDate } from '../email';

/**
 * The guest pages. Server-rendered, no scripts (the CSP forbids them), every value escaped.
 * GET only shows; the Accept button is a form POST, so mail scanners that fetch links change nothing.
 */
function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;color:#172b4d;margin:0;padding:2rem 1rem}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 3px rgba(9,30,66,.2)}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #c1c7d0;border-radius:4px;font-size:1rem}
button{margin-top:1.5rem;background:#0052cc;color:#fff;border:0;border-radius:4px;padding:.7rem 1.4rem;font-size:1rem;cursor:pointer}
.muted{color:#5e6c84;font-size:.9rem}
</style>
</head>
<body><main>
${body}
</main></body>
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
}

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
<form method="post" action="/invitations/${encodeURIComponent(view.token)}/accept">
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

const LINK_PROBLEMS: Record<string, { title: string; text: string }> = {
  not_found: { title: 'Link not recognised', text: 'This link is not valid. Check that you opened the whole link from your email.' },
  invitation_used: { title: 'Invitation already accepted', text: 'This invitation has already been used. You can sign in to the site directly.' },
  invitation_expired: { title: 'Invitation expired', text: 'This invitation has expired. Ask the person who invited you for a new one.' },
  invitation_revoked: { title: 'Invitation no longer valid', text: 'This invitation was withdrawn or replaced by a newer one. Use the newest email you received, or ask for a new invitation.' },
};

/** Distinct pages per state, none revealing anything about the invitation or other people. */
export function linkProblemPage(code: string): string {
  const problem = LINK_PROBLEMS[code] ?? { title: 'Something went wrong', text: 'Please try again in a moment.' };
  return layout(problem.title, `<h1>${escapeHtml(problem.title)}</h1><p>${escapeHtml(problem.text)}</p>`);
}

/** Browsers ask for HTML; API clients send `Accept: application/json`. */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.includes('application/json') && !accept.includes('text/html');
}
