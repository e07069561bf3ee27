import { directoryFromEnvironment } from '../../shared/directory/directory';
import { openInvitationLink } from '../../shared/directory/onboarding';
import { AppError } from '../../shared/domain/errors';
import { invitationPage, linkProblemPage, wantsJson } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { LinkParams } from '../../shared/http/schemas';

const db = directoryFromEnvironment();

/** Shows the invitation. Reading never changes anything, so link-scanning mail filters are harmless. */
export const handler = httpRoute({
  auth: 'public',
  params: LinkParams,
  handle: async ({ params, headers }) => {
    const json = wantsJson(headers.accept);
    try {
      const { invitation, site, space, inviter } = await openInvitationLink(db, params.token, new Date());
      const inviterName = inviter?.displayName ?? invitation.inviterName;
      if (json) {
        return {
          body: {
            siteName: site.name,
            inviterName,
            email: invitation.email,
            ...(invitation.spaceKey ? { spaceKey: invitation.spaceKey } : {}),
            expiresAt: invitation.expiresAt,
            twoStepRequired: site.externalUserPolicy.twoStepRequired && invitation.kind === 'guest',
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
          expiresAt: invitation.expiresAt,
        }),
      };
    } catch (error) {
      if (!json && error instanceof AppError && error.status < 500) return { status: error.status, html: linkProblemPage(error.code) };
      throw error;
    }
  },
});
