/**
 * The demo site `npm start` creates through the API itself: an org admin, paid users, spaces
 * (one open to anonymous users) and a guest group. Running it again against persisted data is a no-op.
 */
export const DEMO = {
  siteId: 'demo',
  orgId: 'org-demo',
  admin: { email: 'admin@demo.example', displayName: 'Ada Admin' },
  paidUsers: ['pat@demo.example', 'sam@demo.example', 'lee@demo.example'],
  spaces: [
    { key: 'ENG', name: 'Engineering', anonymousAccess: false },
    { key: 'MKT', name: 'Marketing', anonymousAccess: false },
    { key: 'PUB', name: 'Public handbook', anonymousAccess: true },
  ],
  guestGroup: { name: 'Partners', role: 'guest' as const },
};

export interface SeededSite {
  readonly siteId: string;
  readonly adminUserId: string;
  /** The address the admin signs in to the console with. */
  readonly adminEmail: string;
  readonly created: boolean;
}

async function call(apiUrl: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function seedDemoSite(apiUrl: string, tokens: { operator: string; adminFor: (userId: string) => Promise<string> }, existingAdminUserId?: string): Promise<SeededSite> {
  const created = await call(apiUrl, tokens.operator, 'POST', '/sites', {
    siteId: DEMO.siteId,
    name: 'Demo Wiki',
    orgId: DEMO.orgId,
    plan: 'standard',
    userLimit: 50,
    admins: [{ ...DEMO.admin, role: 'org-admin' }],
  });
  if (created.status === 409 && existingAdminUserId) return { siteId: DEMO.siteId, adminUserId: existingAdminUserId, adminEmail: DEMO.admin.email, created: false };
  if (created.status !== 201) throw new Error(`Seeding the demo site failed: ${created.status} ${JSON.stringify(created.json)}`);
  const admins = created.json.admins as { userId: string }[];
  const adminUserId = admins[0]!.userId;
  const admin = await tokens.adminFor(adminUserId);
  for (const space of DEMO.spaces) await call(apiUrl, admin, 'POST', `/sites/${DEMO.siteId}/spaces`, space);
  await call(apiUrl, admin, 'POST', `/sites/${DEMO.siteId}/groups`, DEMO.guestGroup);
  const invited = await call(apiUrl, admin, 'POST', `/sites/${DEMO.siteId}/invitations`, { emails: DEMO.paidUsers, roles: { wiki: 'user' } });
  if (invited.status !== 200) throw new Error(`Seeding paid users failed: ${invited.status} ${JSON.stringify(invited.json)}`);
  return { siteId: DEMO.siteId, adminUserId, adminEmail: DEMO.admin.email, created: true };
}
