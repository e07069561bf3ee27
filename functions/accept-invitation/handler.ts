import { sfn } from '../../shared/clients/sfn';
import { TwoStepRefusal } from '../../shared/domain/two-step';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { acceptAction, acceptedPage } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { acceptInvitationRoute } from '../../shared/http/routes/accept-invitation';
import { twoStepPage, twoStepRefusalResult } from '../../shared/http/two-step-form';
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
    if (outcome.kind === 'enrolment') return { html: twoStepPage(form, outcome) };
    return { html: acceptedPage(outcome.site.name, outcome.person.kind === 'guest' && !outcome.person.spaceKey) };
  } catch (error) {
    if (!(error instanceof TwoStepRefusal)) throw error;
    return twoStepRefusalResult(error, form, () => acceptancePrompt(deps, params.token, now));
  }
});
