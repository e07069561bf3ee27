import type * as z from 'zod/mini';
import type { ServiceUse, TableUse } from '../capabilities';
import { ErrorBody } from './schemas';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `admin`: JWT; the chain checks the caller is an org admin of the site's org or a site admin.
 * - `operator`: JWT with scope `sites:manage`.
 * - `service`: JWT with scope `access:decide`.
 * - `public`: no token; guest links carry their own credential.
 */
export type RouteAuth = 'admin' | 'operator' | 'service' | 'public';

/** The scope a token must carry per auth mode; the JWT authorizer and the chain both check it. */
export const ROUTE_SCOPE: Readonly<Record<RouteAuth, string | undefined>> = {
  admin: undefined,
  operator: 'sites:manage',
  service: 'access:decide',
  public: undefined,
};

/**
 * Guest routes answer a person in a browser with a page, and API clients with JSON:
 * - `negotiated`: a page unless the `Accept` header asks for JSON (the invitation view);
 * - `form-post`: a page when the request came from the page's own form (the accept button).
 */
export type PageMode = 'negotiated' | 'form-post';

export interface RouteResponse {
  readonly description: string;
  /** JSON body; omitted for responses without one (204). */
  readonly schema?: z.ZodMiniType;
  /** The route may answer an HTML page (text/html) instead of JSON. */
  readonly html?: boolean;
}

type ObjectSchema = z.ZodMiniObject;

/** One endpoint, declared once: the handler chain, CDK, the local gateway and OpenAPI all read it. */
export interface RouteDeclaration<
  P extends ObjectSchema | undefined = ObjectSchema | undefined,
  Q extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  H extends ObjectSchema | undefined = ObjectSchema | undefined,
  B extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  A extends RouteAuth = RouteAuth,
> {
  /** The function's folder under `functions/`, and the OpenAPI operation id. */
  readonly name: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly auth: A;
  readonly summary: string;
  readonly params?: P;
  readonly query?: Q;
  /** Request headers keyed by the header name as documented; parsed case-insensitively. */
  readonly headers?: H;
  readonly body?: B;
  /** The body may also be an HTML form post (application/x-www-form-urlencoded). */
  readonly form?: boolean;
  readonly pages?: PageMode;
  /**
   * The route honours an `Idempotency-Key` header (declared in `headers`): the chain runs the
   * handler at most once per caller and key, and answers repeats with the first response.
   */
  readonly idempotent?: boolean;
  readonly responses: Readonly<Record<number, RouteResponse>>;
  readonly table: TableUse;
  readonly uses?: readonly ServiceUse[];
}

/** Keeps the literal types of a declaration so the handler's input is typed by its schemas. */
export function defineRoute<
  P extends ObjectSchema | undefined = undefined,
  Q extends z.ZodMiniType | undefined = undefined,
  H extends ObjectSchema | undefined = undefined,
  B extends z.ZodMiniType | undefined = undefined,
  A extends RouteAuth = RouteAuth,
>(declaration: RouteDeclaration<P, Q, H, B, A>): RouteDeclaration<P, Q, H, B, A> {
  return declaration;
}

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
  429: '`rate_limited`: too many requests, or too many wrong two-step codes in a row; `retry-after` says when to try again.',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

export function errors(statuses: readonly ErrorStatus[], options: { html?: boolean } = {}): Record<number, RouteResponse> {
  return Object.fromEntries(statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status], schema: ErrorBody, ...options }]));
}

/** Every route with a body can fail on its size and media type. */
export const BODY_ERRORS = [413, 415] as const;
export const ADMIN_ERRORS = [400, 401, 403] as const;
