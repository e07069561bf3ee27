import { TwoStepRefusal } from '../../shared/domain/two-step';
import { wikiLinkFor } from '../../shared/domain/wiki-links';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { reverifiedPage, verifyAction } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { reverifyRoute } from '../../shared/http/routes/reverify';
import { twoStepPage, twoStepRefusalResult } from '../../shared/http/two-step-form';
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
    if (outcome.kind === 'enrolment') return { html: twoStepPage(form, outcome) };
    const { site, person } = outcome;
    return { html: reverifiedPage(site.name, outcome.wasSuspended, wikiLinkFor(site.wikiUrl, person.kind === 'guest' ? person.spaceKey : undefined)) };
  } catch (error) {
    if (!(error instanceof TwoStepRefusal)) throw error;
    return twoStepRefusalResult(error, form, () => verificationPrompt(deps, params.token, now), {
      now,
      askWhom: async () => `an administrator of ${(await verificationPrompt(deps, params.token, now)).site.name}`,
    });
  }
});
