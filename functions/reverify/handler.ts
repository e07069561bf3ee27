import { TwoStepRefusal } from '../../shared/domain/two-step';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { reverifiedPage, twoStepCodePage, twoStepEnrolmentPage, twoStepLockedPage, verifyAction, type TwoStepForm } from '../../shared/http/pages';
import { httpRoute, type HttpResult } from '../../shared/http/route';
import { reverifyRoute } from '../../shared/http/routes/reverify';
import { qrSvg } from '../../shared/security/qr';
import { sealerFromEnvironment, sealerOnFirstUse } from '../../shared/security/sealing';
import { reverifyThroughLink, verificationPrompt } from '../../shared/usecases/verification';

const deps = { db: directoryFromEnvironment(), sealer: sealerOnFirstUse(sealerFromEnvironment) };

/**
 * Re-verifies through the emailed link: JSON from API clients, or the page's form post (answered
 * with a page). Someone who must enrol in two-step first gets the enrolment; a refused code shows
 * the same form again with why, a lock says for how long.
 */
export const handler = httpRoute(reverifyRoute, async ({ params, body, now, wantsPage }) => {
  if (!wantsPage) {
    const outcome = await reverifyThroughLink(deps, params.token, body.totpCode, now);
    if (outcome.kind === 'enrolment') return { body: { twoStepEnrollment: { otpauthUrl: outcome.otpauthUrl, secret: outcome.secret } } };
    return { body: { lastVerifiedAt: outcome.person.lastVerifiedAt ?? now.toISOString() } };
  }
  const form = { action: verifyAction(params.token), submitLabel: 'Verify' };
  try {
    const outcome = await reverifyThroughLink(deps, params.token, body.totpCode, now);
    if (outcome.kind === 'enrolment') return { html: twoStepEnrolmentPage({ ...form, siteName: outcome.site.name, secret: outcome.secret, qrSvg: qrSvg(outcome.otpauthUrl) }) };
    return { html: reverifiedPage(outcome.site.name, outcome.wasSuspended) };
  } catch (error) {
    if (!(error instanceof TwoStepRefusal)) throw error;
    return refusalPage(error, params.token, form, now);
  }
});

async function refusalPage(refusal: TwoStepRefusal, token: string, form: Omit<TwoStepForm, 'siteName'>, now: Date): Promise<HttpResult> {
  if (refusal.reason === 'locked') return { status: refusal.status, headers: { 'retry-after': String(refusal.retryAfterSeconds) }, html: twoStepLockedPage(refusal.message) };
  // Asked for a code without one is the form itself, not an error.
  const shown = refusal.reason === 'code_required' ? { ...form } : { ...form, error: refusal.message };
  const status = refusal.reason === 'code_required' ? 200 : refusal.status;
  const prompt = await verificationPrompt(deps, token, now);
  if (prompt.kind === 'code') return { status, html: twoStepCodePage({ ...shown, siteName: prompt.site.name }) };
  return { status, html: twoStepEnrolmentPage({ ...shown, siteName: prompt.site.name, secret: prompt.secret, qrSvg: qrSvg(prompt.otpauthUrl) }) };
}
