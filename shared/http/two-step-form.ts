import type { TwoStepRefusal } from '../domain/two-step';
import { qrSvg } from '../security/qr';
import { twoStepCodePage, twoStepEnrolmentPage, twoStepLockedPage, type TwoStepForm } from './pages';
import type { HttpResult } from './route';

/** What a guest page asks for next: a code from the enrolled app, or an enrolment (its secret). */
export type TwoStepAsk =
  | { readonly kind: 'code'; readonly site: { readonly name: string } }
  | { readonly kind: 'enrolment'; readonly otpauthUrl: string; readonly secret: string; readonly site: { readonly name: string } };

type FormOf = Omit<TwoStepForm, 'siteName'>;

/** The page for an enrolment or a code request, on whichever link's form (accept or re-verify). */
export function twoStepPage(form: FormOf, ask: TwoStepAsk): string {
  if (ask.kind === 'code') return twoStepCodePage({ ...form, siteName: ask.site.name });
  return twoStepEnrolmentPage({ ...form, siteName: ask.site.name, secret: ask.secret, qrSvg: qrSvg(ask.otpauthUrl) });
}

/** What the lock page needs besides the refusal: the request's clock, and whom the person may ask. */
export interface LockHelp {
  readonly now: Date;
  /** Read only when the lock is shown: a person's name, or the site's administrators. */
  readonly askWhom: () => Promise<string>;
}

/** Whole minutes, rounded up, so the time shown is never before the lock has really lifted. */
const liftsAt = (now: Date, seconds: number) => new Date(Math.ceil((now.getTime() + seconds * 1000) / 60_000) * 60_000);

/**
 * A refused code as a page: a lock says for how long, from when it lifts and whom to ask; a
 * missing code is the form itself (not an error); a wrong or reused one shows the same form again
 * with why and the attempts left.
 */
export async function twoStepRefusalResult(refusal: TwoStepRefusal, form: FormOf, askAgain: () => Promise<TwoStepAsk>, help: LockHelp): Promise<HttpResult> {
  if (refusal.reason === 'locked') {
    const seconds = refusal.retryAfterSeconds ?? 0;
    const html = twoStepLockedPage({ message: refusal.message, liftsAt: liftsAt(help.now, seconds), askWhom: await help.askWhom() });
    return { status: refusal.status, headers: { 'retry-after': String(seconds) }, html };
  }
  const codeRequired = refusal.reason === 'code_required';
  const shown = codeRequired ? form : { ...form, error: refusal.message };
  return { status: codeRequired ? 200 : refusal.status, html: twoStepPage(shown, await askAgain()) };
}
