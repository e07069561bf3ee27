import { z } from 'zod';
import {
  IdempotencyKey,
  AcceptBody,
  AccessDecision,
  AccessDecisionBody,
  AssignSpaceBody,
  AuditEventsQuery,
  AuditEventsResponse,
  CreateSiteBody,
  DeletedUser,
  DowngradeBody,
  DowngradeResult,
  ErrorBody,
  Group,
  GroupBody,
  GroupMembersBody,
  GroupParams,
  GroupRoleBody,
  GuestList,
  GuestListQuery,
  InvitationView,
  InviteBody,
  InviteResponse,
  LinkParams,
  Person,
  PersonStatus,
  Seats,
  SiteParams,
  Site,
  Space,
  SpaceBody,
  SpaceParams,
  SpacePatchBody,
  UpdateSiteBody,
  UserParams,
} from './schemas';

/**
 * What each route takes and answers, keyed by its handler name in `ROUTES`. The OpenAPI document
 * (`GET /openapi.json`) is generated from this table and the zod schemas the handlers parse with.
 */
export interface RouteResponse {
  readonly description: string;
  /** JSON body; omitted for responses without one (204, 202). */
  readonly schema?: z.ZodType;
  /** The route may answer an HTML page (text/html) instead of JSON: guest pages and their form posts. */
  readonly html?: boolean;
}

export interface RouteContract {
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Request headers, keyed by header name; `.describe()` gives each its description. */
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The body may also be an HTML form post (application/x-www-form-urlencoded). */
  readonly form?: boolean;
  readonly responses: Readonly<Record<number, RouteResponse>>;
}

// ---------------------------------------------------------------------------------------------
// Response shapes that have no schema of their own in schemas.ts
// ---------------------------------------------------------------------------------------------

export const CreatedSite = Site.extend({
  admins: z.array(z.object({ userId: z.string(), email: z.string(), role: z.enum(['site-admin', 'org-admin']) })),
});
export const SpaceList = z.object({ spaces: z.array(Space) });
export const GroupList = z.object({ groups: z.array(Group) });
export const AcceptResult = z.object({ userId: z.string(), status: PersonStatus });

/** Request headers of the invite route (the handler applies the same rules). */
export const InviteHeaders = z.object({
  'Idempotency-Key': IdempotencyKey.optional().describe('The same key with the same body within 24 h returns the first response and does nothing else; with a different body → 409 conflict.'),
});

/** Response schemas emitted once under `components.schemas` and referenced by name. */
export const COMPONENTS: Readonly<Record<string, z.ZodType>> = {
  Error: ErrorBody,
  Person,
  Space,
  Group,
  Site,
  Seats,
};

// ---------------------------------------------------------------------------------------------
// Error responses (the HTTP contract's error table)
// ---------------------------------------------------------------------------------------------

const ERROR_DESCRIPTIONS = {
  400: '`validation_failed`: the body, path or query does not parse; `details.issues` lists field paths and messages.',
  401: '`unauthorized`: no or bad bearer token.',
  403: '`forbidden`: the caller may not do this on this site, or the token lacks the route’s scope (the same answer whether or not the site exists).',
  404: '`not_found`: no such user, group, space or invitation on this site.',
  409: '`conflict`, `paid_user_conversion_forbidden`, `user_limit_reached`, `guest_limit_reached` or `review_required`: the state forbids it.',
  410: '`invitation_expired`, `invitation_used` or `invitation_revoked`: the link is no longer valid.',
  413: '`payload_too_large`: the body is over 64 KiB.',
  415: '`unsupported_media_type`: the body is not JSON.',
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

function errors(statuses: readonly ErrorStatus[], options: { html?: boolean } = {}): Record<number, RouteResponse> {
  return Object.fromEntries(statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status], schema: ErrorBody, ...options }]));
}

/** Every route with a body can fail on its size and media type. */
const BODY_ERRORS = [413, 415] as const;
const ADMIN_ERRORS = [400, 401, 403] as const;

// ---------------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------------

export const CONTRACT: Readonly<Record<string, RouteContract>> = {
  'create-site': {
    body: CreateSiteBody,
    responses: {
      201: { description: 'The site with its first admins (paid users, active at once).', schema: CreatedSite },
      ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]),
    },
  },
  'update-site': {
    params: SiteParams,
    body: UpdateSiteBody,
    responses: { 200: { description: 'The changed site.', schema: Site }, ...errors([...ADMIN_ERRORS, ...BODY_ERRORS]) },
  },
  invite: {
    params: SiteParams,
    headers: InviteHeaders,
    body: InviteBody,
    responses: {
      200: { description: 'One result per email, in request order (also when some rows are rejected).', schema: InviteResponse },
      ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
    },
  },
  'get-seats': {
    params: SiteParams,
    responses: { 200: { description: 'Seat usage and limits.', schema: Seats }, ...errors(ADMIN_ERRORS) },
  },
  'get-user': {
    params: UserParams,
    responses: { 200: { description: 'The person.', schema: Person }, ...errors([...ADMIN_ERRORS, 404]) },
  },
  'create-space': {
    params: SiteParams,
    body: SpaceBody,
    responses: { 201: { description: 'The new space.', schema: Space }, ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]) },
  },
  'update-space': {
    params: SpaceParams,
    body: SpacePatchBody,
    responses: { 200: { description: 'The changed space.', schema: Space }, ...errors([...ADMIN_ERRORS, 404, ...BODY_ERRORS]) },
  },
  'delete-space': {
    params: SpaceParams,
    responses: { 204: { description: 'Deleted; its guests keep their app access and lose the space.' }, ...errors([...ADMIN_ERRORS, 404]) },
  },
  'list-spaces': {
    params: SiteParams,
    responses: { 200: { description: 'The site’s spaces.', schema: SpaceList }, ...errors(ADMIN_ERRORS) },
  },
  'create-group': {
    params: SiteParams,
    body: GroupBody,
    responses: { 201: { description: 'The new group.', schema: Group }, ...errors([...ADMIN_ERRORS, ...BODY_ERRORS]) },
  },
  'list-groups': {
    params: SiteParams,
    responses: { 200: { description: 'The site’s groups.', schema: GroupList }, ...errors(ADMIN_ERRORS) },
  },
  'assign-space': {
    params: UserParams,
    body: AssignSpaceBody,
    responses: {
      200: { description: 'The guest with the space (replacing any earlier one).', schema: Person },
      ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
    },
  },
  'list-guests': {
    params: SiteParams,
    query: GuestListQuery,
    responses: { 200: { description: 'One page of the site’s guests, newest first.', schema: GuestList }, ...errors(ADMIN_ERRORS) },
  },
  'unassign-space': {
    params: UserParams,
    responses: { 200: { description: 'The guest, still a guest, without a space.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  },
  'remove-app-access': {
    params: UserParams,
    responses: {
      204: { description: 'The guest left the guest list; the seat is freed and a pending invitation revoked.' },
      ...errors([...ADMIN_ERRORS, 404, 409]),
    },
  },
  'promote-guest': {
    params: UserParams,
    responses: { 200: { description: 'The person, now a paid user.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  },
  'deactivate-user': {
    params: UserParams,
    responses: { 200: { description: 'The deactivated person.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  },
  'reactivate-user': {
    params: UserParams,
    responses: { 200: { description: 'The reactivated person.', schema: Person }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  },
  'delete-user': {
    params: UserParams,
    responses: {
      202: { description: 'Deleted; personal data is erased after the grace period.', schema: DeletedUser },
      ...errors([...ADMIN_ERRORS, 404, 409]),
    },
  },
  'access-decision': {
    params: SiteParams,
    body: AccessDecisionBody,
    responses: {
      200: { description: 'Whether the user may open the space from this client, and why.', schema: AccessDecision },
      ...errors([400, 401, 403, ...BODY_ERRORS]),
    },
  },
  'list-audit-events': {
    params: SiteParams,
    query: AuditEventsQuery,
    responses: { 200: { description: 'One page of the site’s audit log, newest first.', schema: AuditEventsResponse }, ...errors(ADMIN_ERRORS) },
  },
  'downgrade-plan': {
    params: SiteParams,
    body: DowngradeBody,
    responses: {
      200: { description: 'Who loses app access; with `confirm: true` the access is removed and the plan set.', schema: DowngradeResult },
      ...errors([...ADMIN_ERRORS, 409, ...BODY_ERRORS]),
    },
  },
  'view-invitation': {
    params: LinkParams,
    responses: {
      200: { description: 'The invitation page, or its JSON with `Accept: application/json`.', schema: InvitationView, html: true },
      // A token that does not parse is refused before the page is rendered: JSON only.
      ...errors([400]),
      ...errors([404, 410], { html: true }),
    },
  },
  'accept-invitation': {
    params: LinkParams,
    body: AcceptBody,
    form: true,
    responses: {
      200: {
        description: 'Accepted (a page for a form post); on a site requiring two-step verification, the first POST without a code answers the enrollment instead.',
        schema: AcceptResult,
        html: true,
      },
      ...errors([400, ...BODY_ERRORS]),
      ...errors([404, 409, 410], { html: true }),
    },
  },
  'change-group-role': {
    params: GroupParams,
    body: GroupRoleBody,
    responses: {
      200: { description: 'The group with its new role; with a paid role every guest member is now paid.', schema: Group },
      ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
    },
  },
  'add-group-members': {
    params: GroupParams,
    body: GroupMembersBody,
    responses: {
      200: { description: 'The group; guests who joined a paid group are now paid, already-members were skipped.', schema: Group },
      ...errors([...ADMIN_ERRORS, 404, 409, ...BODY_ERRORS]),
    },
  },
  'promote-group': {
    params: GroupParams,
    responses: { 200: { description: 'The group with the User role (or App admin, kept); every member is paid.', schema: Group }, ...errors([...ADMIN_ERRORS, 404, 409]) },
  },
  openapi: {
    responses: { 200: { description: 'This API as an OpenAPI 3.1 document.', schema: z.record(z.string(), z.unknown()) } },
  },
};
