import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { acceptInvitation, openInvitationLink } from '../../shared/directory/onboarding';
import { acceptedPage } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { acceptInvitationRoute } from '../../shared/http/routes/accept-invitation';
import { completeTask } from '../../shared/workflow/client';

const db = directoryFromEnvironment();

/** Accepts an invitation: JSON from API clients, or the page's form post (answered with a page). */
export const handler = httpRoute(acceptInvitationRoute, async ({ params, body, now, wantsPage }) => {
  const open = await openInvitationLink(db, params.token, now);
  const { person, acceptTaskToken } = await acceptInvitation(db, open, body.displayName, now);
  // The workflow stores its token when it starts waiting; if it has not yet, it will see the
  // acceptance itself and move on, so nothing is lost either way.
  if (acceptTaskToken) {
    await completeTask(sfn, acceptTaskToken, { acceptedAt: now.toISOString() }, { siteId: person.siteId, invitationId: open.invitation.invitationId });
  }
  if (wantsPage) return { html: acceptedPage(open.site.name, person.kind === 'guest' && !person.spaceKey) };
  return { body: { userId: person.userId, status: person.status } };
});
