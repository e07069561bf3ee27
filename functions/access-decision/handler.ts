import { readAccessFacts } from '../../shared/directory/access';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { DEFAULT_EXTERNAL_USER_POLICY } from '../../shared/directory/entities/site';
import { decideAccess } from '../../shared/domain/access';
import { httpRoute } from '../../shared/http/route';
import { accessDecisionRoute } from '../../shared/http/routes/access-decision';

const db = directoryFromEnvironment();

/**
 * The wiki's question on every guest page view. The caller is a service, not a site admin, so the
 * token's scope is the whole authorisation; answers only ever come from the path's site partition.
 */
export const handler = httpRoute(accessDecisionRoute, async ({ params, body, now }) => {
  const facts = await readAccessFacts(db, params.siteId, body.userId, body.spaceKey);
  const decision = decideAccess({
    // Without its site a stray person item proves nothing, and the same answer as for an unknown
    // user keeps this route from telling a caller which sites exist.
    person: facts.site ? facts.person : null,
    space: facts.space,
    policy: facts.site?.externalUserPolicy ?? DEFAULT_EXTERNAL_USER_POLICY,
    client: body.client,
    now,
  });
  return { body: { allowed: decision.allowed, reason: decision.reason } };
});
