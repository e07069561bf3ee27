import { directoryFromEnvironment } from '../../shared/directory/directory';
import { openVerificationLink } from '../../shared/directory/reverification';
import { reverificationPage } from '../../shared/http/pages';
import { httpRoute } from '../../shared/http/route';
import { viewReverificationRoute } from '../../shared/http/routes/view-reverification';
import { twoStepNeeded } from '../../shared/usecases/verification';

const db = directoryFromEnvironment();

/** Shows the re-verification page. Reading never changes anything, so link-scanning mail filters are harmless. */
export const handler = httpRoute(viewReverificationRoute, async ({ params, now, wantsPage }) => {
  const { person, site, link } = await openVerificationLink(db, params.token, now);
  const view = {
    siteName: site.name,
    email: person.email,
    status: person.status,
    expiresAt: link.expiresAt ?? now.toISOString(),
    twoStepRequired: twoStepNeeded(person, site),
    twoStepEnrolled: person.twoStepEnrolled,
  };
  if (!wantsPage) return { body: view };
  return { html: reverificationPage({ ...view, token: params.token }) };
});
