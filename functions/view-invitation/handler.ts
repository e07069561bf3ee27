import { twoStepRequiredFor } from '../../shared/domain/two-step';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { openInvitationLink } from '../../shared/directory/onboarding/links';
import { invitationPage } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { viewInvitationRoute } from '../../shared/http/routes/view-invitation';

const db = directoryFromEnvironment();

/** Shows the invitation. Reading never changes anything, so link-scanning mail filters are harmless. */
export const handler = httpRoute(viewInvitationRoute, async ({ params, now, wantsPage }) => {
  const { invitation, site, space, inviter } = await openInvitationLink(db, params.token, now);
  const inviterName = inviter?.displayName ?? invitation.inviterName;
  // The same rule the acceptance applies: an external invitee whose policy requires it.
  const twoStepRequired = twoStepRequiredFor(site, invitation);
  if (!wantsPage) {
    return {
      body: {
        siteName: site.name,
        inviterName,
        email: invitation.email,
        ...(invitation.spaceKey ? { spaceKey: invitation.spaceKey } : {}),
        expiresAt: invitation.expiresAt,
        twoStepRequired,
      },
    };
  }
  return {
    html: invitationPage({
      token: params.token,
      siteName: site.name,
      inviterName,
      email: invitation.email,
      kind: invitation.kind,
      spaceKey: invitation.spaceKey,
      spaceName: space?.name,
      message: invitation.message,
      expiresAt: invitation.expiresAt,
      twoStepRequired,
    }),
  };
});
