import { directoryFromEnvironment } from '../../shared/directory/directory';
import { httpRoute } from '../../shared/http/route';
import { accessDecisionRoute } from '../../shared/http/routes/access-decision';
import { accessFor } from '../../shared/usecases/access';

const db = directoryFromEnvironment();

/**
 * The caller is a service, not a site admin, so the token's scope is the whole authorisation;
 * answers only ever come from the path's site partition.
 */
export const handler = httpRoute(accessDecisionRoute, async ({ params, body, now }) => {
  const { allowed, reason } = await accessFor(db, params.siteId, body, now);
  return { body: { allowed, reason } };
});
