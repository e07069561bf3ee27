import { sfn } from '../../shared/clients/sfn';
import { TwoStepRefusal } from '../../shared/domain/two-step';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { openInvitationLink } from '../../shared/directory/onboarding/links';
import { ACCEPTED_PAGE_PATH, acceptAction } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { acceptInvitationRoute } from '../../shared/http/routes/accept-invitation';
import { twoStepPage, twoStepRefusalResult } from '../../shared/http/two-step-form';
import { sealerFromEnvironment, sealerOnFirstUse } from '../../shared/security/sealing';
import { acceptancePrompt, acceptThroughLink } from '../../shared/usecases/onboarding';

const deps = { db: directoryFromEnvironment(), sfn, sealer: sealerOnFirstUse(sealerFromEnvironment) };

/**
 * Accepts an invitation: JSON from API clients, or the page's form post (answered with a page).
 * Where two-step verification is required, the first post enrols and a post with a code accepts;
 * a refused code shows the same form again with why, a lock says until when and whom to ask.
 * An accepted form post redirects to the accepted page, which carries no token.
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
    // Post, redirect, get: the page the guest stays on has no token in its address, and reloading it posts nothing.
    const next = outcome.person.kind === 'guest' && !outcome.person.spaceKey ? 'space' : 'ready';
    return { status: 303, headers: { location: `${ACCEPTED_PAGE_PATH}?next=${next}` } };
  } catch (error) {
    if (!(error instanceof TwoStepRefusal)) throw error;
    return twoStepRefusalResult(error, form, () => acceptancePrompt(deps, params.token, now), {
      now,
      // The inviter is who the guest knows on the site; the lock page names them.
      askWhom: async () => {
        const { invitation, inviter } = await openInvitationLink(deps.db, params.token, now);
        return inviter?.displayName ?? invitation.inviterName;
      },
    });
  }
});
