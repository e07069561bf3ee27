/**
 * The route table: the single source of truth for the HTTP API in CDK and for the local gateway.
 * Each route is one Lambda whose entry point is `functions/<handler>/handler.ts`.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `admin`: JWT; the handler checks the caller is an org or site admin of the site.
 * - `operator`: JWT with scope `sites:manage`.
 * - `service`: JWT with scope `access:decide`.
 * - `public`: no token; guest links carry their own credential.
 */
export type RouteAuth = 'admin' | 'operator' | 'service' | 'public';

/** AWS services a function talks to besides its table access; drives IAM grants and env. */
export type ServiceUse = 'ses' | 'sfn-start' | 'sfn-callback';

/**
 * What a function may do with the directory table:
 * - `read`: GetItem, Query (table and GSIs), BatchGetItem, ConditionCheckItem; gets `TABLE_NAME`.
 * - `write`: `read` plus PutItem, UpdateItem, DeleteItem, BatchWriteItem (and so transactions).
 * - `none`: no DynamoDB permission and no `TABLE_NAME` (e.g. the static OpenAPI document).
 */
export type TableUse = 'read' | 'write' | 'none';

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: string;
  readonly auth: RouteAuth;
  /** The route function's access to the directory table (see `TableUse`). */
  readonly table: TableUse;
  readonly uses?: readonly ServiceUse[];
  readonly summary: string;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/sites', handler: 'create-site', auth: 'operator', table: 'write', summary: 'Create a site with its first admins' },
  { method: 'PATCH', path: '/sites/{siteId}', handler: 'update-site', auth: 'operator', table: 'write', summary: 'Change a site’s user limit, plan, guest ratio or invite expiry' },
  { method: 'POST', path: '/sites/{siteId}/invitations', handler: 'invite', auth: 'admin', table: 'write', uses: ['sfn-start'], summary: 'Invite 1–10 people' },
  { method: 'POST', path: '/sites/{siteId}/plan/downgrade', handler: 'downgrade-plan', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Preview or confirm a downgrade to Free (removes every guest’s access)' },
  { method: 'GET', path: '/sites/{siteId}/seats', handler: 'get-seats', auth: 'admin', table: 'read', summary: 'Seat usage and limits' },
  { method: 'GET', path: '/sites/{siteId}/users/{userId}', handler: 'get-user', auth: 'admin', table: 'read', summary: 'One person of the site' },
  { method: 'POST', path: '/sites/{siteId}/spaces', handler: 'create-space', auth: 'admin', table: 'write', summary: 'Create a space' },
  { method: 'PATCH', path: '/sites/{siteId}/spaces/{key}', handler: 'update-space', auth: 'admin', table: 'write', summary: 'Rename a space or change its anonymous access' },
  { method: 'DELETE', path: '/sites/{siteId}/spaces/{key}', handler: 'delete-space', auth: 'admin', table: 'write', summary: 'Delete a space; its guests keep app access and lose the space' },
  { method: 'GET', path: '/sites/{siteId}/spaces', handler: 'list-spaces', auth: 'admin', table: 'read', summary: 'List spaces' },
  { method: 'POST', path: '/sites/{siteId}/groups', handler: 'create-group', auth: 'admin', table: 'write', summary: 'Create a group with a wiki role' },
  { method: 'GET', path: '/sites/{siteId}/groups', handler: 'list-groups', auth: 'admin', table: 'read', summary: 'List groups' },
  { method: 'GET', path: '/sites/{siteId}/guests', handler: 'list-guests', auth: 'admin', table: 'read', summary: 'List guests, newest first, by status, space or no space' },
  { method: 'DELETE', path: '/sites/{siteId}/guests/{userId}/space', handler: 'unassign-space', auth: 'admin', table: 'write', summary: 'Unassign a guest’s space (still a guest)' },
  { method: 'DELETE', path: '/sites/{siteId}/guests/{userId}/app-access', handler: 'remove-app-access', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Remove a guest’s app access; frees the seat, revokes a pending onboarding' },
  { method: 'POST', path: '/sites/{siteId}/guests/{userId}/promote', handler: 'promote-guest', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Promote a guest to a paid user' },
  { method: 'POST', path: '/sites/{siteId}/users/{userId}/deactivate', handler: 'deactivate-user', auth: 'admin', table: 'write', summary: 'Deactivate (reversible; frees the seat)' },
  { method: 'POST', path: '/sites/{siteId}/users/{userId}/reactivate', handler: 'reactivate-user', auth: 'admin', table: 'write', summary: 'Reactivate (takes a seat under the seat rules)' },
  { method: 'DELETE', path: '/sites/{siteId}/users/{userId}', handler: 'delete-user', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Delete; personal data erased after the grace period' },
  { method: 'PUT', path: '/sites/{siteId}/guests/{userId}/space', handler: 'assign-space', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Assign (or replace) a guest’s space' },
  { method: 'GET', path: '/invitations/{token}', handler: 'view-invitation', auth: 'public', table: 'read', summary: 'Invitation page (HTML) or its JSON' },
  { method: 'POST', path: '/invitations/{token}/accept', handler: 'accept-invitation', auth: 'public', table: 'write', uses: ['sfn-callback'], summary: 'Accept an invitation' },
  { method: 'POST', path: '/sites/{siteId}/access-decisions', handler: 'access-decision', auth: 'service', table: 'read', summary: 'May this user open this space from this client? (the wiki, on every guest page view)' },
  { method: 'GET', path: '/sites/{siteId}/audit-events', handler: 'list-audit-events', auth: 'admin', table: 'read', summary: 'The site’s audit log, newest first, paged' },
  { method: 'GET', path: '/openapi.json', handler: 'openapi', auth: 'public', table: 'none', summary: 'This API as OpenAPI 3.1' },
  { method: 'PUT', path: '/sites/{siteId}/groups/{groupId}/role', handler: 'change-group-role', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Change a group’s role; a paid role makes every guest member paid, a guest group may hold no current or former paid user' },
  { method: 'POST', path: '/sites/{siteId}/groups/{groupId}/members', handler: 'add-group-members', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Add people to a group; a guest joining a paid group becomes paid' },
  { method: 'POST', path: '/sites/{siteId}/groups/{groupId}/promote', handler: 'promote-group', auth: 'admin', table: 'write', uses: ['sfn-callback'], summary: 'Promote a group: role User, every member paid' },
];

/** Lambda functions run by the onboarding workflow, keyed by the state that invokes them. */
export const WORKFLOW_TASKS = {
  SendInvitation: { handler: 'workflow-send-invitation', uses: ['ses'] },
  AwaitAcceptance: { handler: 'workflow-await-acceptance', uses: ['sfn-callback'] },
  AwaitSpaceAssignment: { handler: 'workflow-await-space', uses: ['sfn-callback'] },
  Activate: { handler: 'workflow-activate', uses: ['ses'] },
  ExpireInvitation: { handler: 'workflow-expire', uses: [] },
} as const satisfies Record<string, { handler: string; uses: readonly ServiceUse[] }>;

export type WorkflowStateName = keyof typeof WORKFLOW_TASKS;

/** Scheduled jobs (EventBridge Scheduler). Each reads a sparse index, so its cost follows the work due. */
export const JOBS = [
  { name: 'erase-deleted-people', handler: 'job-erase', schedule: 'rate(1 day)', table: 'write', summary: 'Erase personal data after the deletion grace period' },
] as const satisfies readonly { name: string; handler: string; schedule: string; table: 'read' | 'write'; summary: string }[];
