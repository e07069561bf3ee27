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

/**
 * A refused code as a page: a lock says for how long; a missing code is the form itself (not an
 * error); a wrong or reused one shows the same form again with why and the attempts left.
 */
export async function twoStepRefusalResult(refusal: TwoStepRefusal, form: FormOf, askAgain: () => Promise<TwoStepAsk>): Promise<HttpResult> {
  if (refusal.reason === 'locked') return { status: refusal.status, headers: { 'retry-after': String(refusal.retryAfterSeconds) }, html: twoStepLockedPage(refusal.message) };
  const codeRequired = refusal.reason === 'code_required';
  const shown = codeRequired ? form : { ...form, error: refusal.message };
  return { status: codeRequired ? 200 : refusal.status, html: twoStepPage(shown, await askAgain()) };
}
