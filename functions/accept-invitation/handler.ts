import { sfn } from '../../shared/clients/sfn';
import { TwoStepRefusal } from '../../shared/domain/two-step';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { acceptAction, acceptedPage, twoStepCodePage, twoStepEnrolmentPage, twoStepLockedPage, type TwoStepForm } from '../../shared/http/pages';
import { httpRoute, type HttpResult } from '../../shared/http/route';
import { acceptInvitationRoute } from '../../shared/http/routes/accept-invitation';
import { qrSvg } from '../../shared/security/qr';
import { sealerFromEnvironment, sealerOnFirstUse } from '../../shared/security/sealing';
import { acceptancePrompt, acceptThroughLink } from '../../shared/usecases/onboarding';

const deps = { db: directoryFromEnvironment(), sfn, sealer: sealerOnFirstUse(sealerFromEnvironment) };

/**
 * Accepts an invitation: JSON from API clients, or the page's form post (answered with a page).
 * Where two-step verification is required, the first post enrols and a post with a code accepts;
 * a refused code shows the same form again with why, a lock says for how long.
 */
export const handler = httpRoute(acceptInvitationRoute, async ({ params, body, now, wantsPage }) => {
  if (!wantsPage) {
    const outcome = await acceptThroughLink(deps, params.token, body, now);
    if (outcome.kind === 'enrolment') return { body: { twoStepEnrollment: { otpauthUrl: outcome.otpauthUrl, secret: outcome.secret } } };
    return { body: { userId: outcome.person.userId, status: outcome.person.status } };
  }
  const form = { action: acceptAction(params.token), carry: { displayName: body.displayName }, submitLabel: 'Verify and accept' };
  try {
    const outcome = await acceptThroughLink(deps, params.token, body, now);
    if (outcome.kind === 'enrolment') return { html: twoStepEnrolmentPage({ ...form, siteName: outcome.site.name, secret: outcome.secret, qrSvg: qrSvg(outcome.otpauthUrl) }) };
    return { html: acceptedPage(outcome.site.name, outcome.person.kind === 'guest' && !outcome.person.spaceKey) };
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
  const prompt = await acceptancePrompt(deps, token, now);
  if (prompt.kind === 'code') return { status, html: twoStepCodePage({ ...shown, siteName: prompt.site.name }) };
  return { status, html: twoStepEnrolmentPage({ ...shown, siteName: prompt.site.name, secret: prompt.secret, qrSvg: qrSvg(prompt.otpauthUrl) }) };
}
