import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { acceptedPage } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { acceptInvitationRoute } from '../../shared/http/routes/accept-invitation';
import { acceptThroughLink } from '../../shared/usecases/onboarding';

const deps = { db: directoryFromEnvironment(), sfn };

/** Accepts an invitation: JSON from API clients, or the page's form post (answered with a page). */
export const handler = httpRoute(acceptInvitationRoute, async ({ params, body, now, wantsPage }) => {
  const { person, site } = await acceptThroughLink(deps, params.token, body.displayName, now);
  if (wantsPage) return { html: acceptedPage(site.name, person.kind === 'guest' && !person.spaceKey) };
  return { body: { userId: person.userId, status: person.status } };
});
