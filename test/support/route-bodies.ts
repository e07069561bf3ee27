import type { RouteDeclaration } from '../../shared/http/declaration';
import type { Directory } from '../../shared/directory/directory';
import { scanAll } from './directory';

export interface BodyTargets {
  readonly spaceKey: string;
  readonly otherSpaceKey: string;
  readonly userId: string;
}

/**
 * A valid body per route that takes one (`null`: it takes none), each of which would change the
 * site if it were let through. A new route must get an entry: {@link validBodyFor} throws without.
 */
export const validBodies = (b: BodyTargets): Record<string, unknown> => ({
  invite: { emails: ['intruder@evil.example'], roles: { wiki: 'guest' }, spaceKey: b.spaceKey, message: 'hello' },
  'downgrade-plan': { plan: 'free', confirm: true },
  'get-seats': null,
  'get-user': null,
  'create-space': { key: 'EVIL', name: 'Evil', anonymousAccess: true },
  'update-space': { name: 'Renamed', anonymousAccess: true },
  'delete-space': null,
  'list-spaces': null,
  'create-group': { name: 'Evil', role: 'user' },
  'list-groups': null,
  'list-guests': null,
  'list-users': null,
  'unassign-space': null,
  'remove-app-access': null,
  'promote-guest': null,
  'deactivate-user': null,
  'reactivate-user': null,
  'delete-user': null,
  'assign-space': { spaceKey: b.otherSpaceKey },
  'list-audit-events': null,
  'change-group-role': { role: 'user' },
  'add-group-members': { userIds: [b.userId] },
  'promote-group': null,
  'get-external-user-policy': null,
  'review-external-user-policy': { policy: { twoStepRequired: true, reverifyEveryDays: 1, apiTokensAllowed: false }, trialUserIds: [b.userId] },
  'put-external-user-policy': {
    policy: { twoStepRequired: true, reverifyEveryDays: 1, apiTokensAllowed: false },
    reviewToken: `rev_01JBZZZZZZZZZZZZZZZZZZZZZZ.${'A'.repeat(43)}`,
  },
  'reset-two-step': null,
  'list-invitations': null,
  'resend-invitation': null,
  'withdraw-invitation': null,
  'create-site': { siteId: 'stolen-site', name: 'Stolen', orgId: 'org-stolen', plan: 'standard', userLimit: 10, admins: [{ email: 'thief@evil.example' }] },
  'update-site': { userLimit: 1, plan: 'free', verifiedDomains: ['evil.example'] },
  'access-decision': { userId: b.userId, spaceKey: b.spaceKey, client: 'web' },
  'accept-invitation': { displayName: 'Mallory' },
  reverify: { totpCode: '123456' },
  'view-invitation': null,
  'invitation-accepted': null,
  'view-reverification': null,
  openapi: null,
});

export function validBodyFor(bodies: Record<string, unknown>, route: RouteDeclaration): unknown {
  if (!(route.name in bodies)) {
    throw new Error(`No request body known for the ${route.auth} route ${route.method} ${route.path} (${route.name}): add it to the map in test/support/route-bodies.ts`);
  }
  return bodies[route.name] ?? undefined;
}

/** Every item of the table, in key order: what "unchanged" is measured against. */
export async function tableState(db: Directory): Promise<Record<string, unknown>[]> {
  const items = await scanAll(db);
  const key = (item: Record<string, unknown>) => `${String(item.pk)}\u0000${String(item.sk)}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
