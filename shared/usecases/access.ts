import { decideAccess, type AccessClient, type AccessDecision } from '../domain/access';
import { readAccessFacts } from '../directory/access';
import type { Directory } from '../directory/directory';
import { DEFAULT_EXTERNAL_USER_POLICY, policyFor } from '../domain/external';

/**
 * The wiki's question on every guest page view: one consistent read of the three items that hold
 * the facts, then the pure rule.
 */
export async function accessFor(db: Directory, siteId: string, request: { userId: string; spaceKey: string; client: AccessClient }, now: Date): Promise<AccessDecision> {
  const facts = await readAccessFacts(db, siteId, request.userId, request.spaceKey);
  return decideAccess({
    // Without its site a stray person item proves nothing, and the same answer as for an unknown
    // user keeps this route from telling a caller which sites exist.
    person: facts.site ? facts.person : null,
    space: facts.space,
    policy: facts.site ? policyFor(facts.site, request.userId) : DEFAULT_EXTERNAL_USER_POLICY,
    verifiedDomains: facts.site?.verifiedDomains ?? [],
    client: request.client,
    now,
  });
}
