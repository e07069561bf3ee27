import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { AppError } from '../domain/errors';
import { LinkRefusal } from '../domain/links';
import { callerFromEvent, type Caller } from './caller';
import { parseBody } from './body';
import { ROUTE_SCOPE, type RouteAuth, type RouteDeclaration } from './declaration';
import { errorResponse, validationError, type InputPart } from './errors';
import type { HttpEvent } from './event';
import { logger } from '../log';
import { linkProblemPage, wantsJson } from './pages';
import { GUEST_PAGE_STYLE_SOURCE } from './page-style';
import type { SiteAdmin, SiteAdminLookup } from './site-admin';
import type { IdempotencyStore } from './idempotency';
import { bodyDigest } from '../domain/tokens';

// zod/mini ships no messages of its own; people reading a 400 deserve the English ones.
z.config(en());


export interface HttpResult {
  readonly status?: number;
  readonly body?: unknown;
  readonly html?: string;
  readonly headers?: Record<string, string>;
}

/** A declared part parsed by its schema; an undeclared part is empty. */
type Parsed<S> = [NonNullable<S>] extends [never] ? Record<string, never> : NonNullable<S> extends z.ZodMiniType ? z.output<NonNullable<S>> : never;

/** What a handler receives: everything its declaration promises, parsed and checked. */
export interface RouteInput<R extends RouteDeclaration> {
  readonly params: Parsed<R['params']>;
  readonly query: Parsed<R['query']>;
  readonly headers: Parsed<R['headers']>;
  readonly body: Parsed<R['body']>;
  /** The verified caller on token routes; public routes have none. */
  readonly caller: R['auth'] extends 'public' ? null : Caller;
  /** On admin routes: the site of the path and the admin calling, already checked. */
  readonly admin: R['auth'] extends 'admin' ? SiteAdmin : null;
  /** This request's clock reading: every use case below the handler gets it from here. */
  readonly now: Date;
  /** A guest route answers a page (not JSON) to this request. */
  readonly wantsPage: boolean;
  /** The request headers as they came (lower-cased names). */
  readonly rawHeaders: Readonly<Record<string, string | undefined>>;
  readonly event: HttpEvent;
  readonly context: Context;
}

export type RouteHandle<R extends RouteDeclaration> = (input: RouteInput<R>) => Promise<HttpResult>;

export interface RouteOptions {
  /** Defaults to the wall clock; tests move time by passing their own. */
  readonly clock?: () => Date;
  /** How the chain finds the admin of an admin route (`siteAdminsIn(db)`); only those routes bundle it. */
  readonly siteAdmin?: SiteAdminLookup;
  /** Where an idempotent route keeps its first responses (`idempotencyIn(db)`). */
  readonly idempotency?: IdempotencyStore;
}

/**
 * Admin routes must say how their admin is found. (An idempotent route without its store is
 * refused when the handler loads, which the declarations test does for every handler.)
 */
type OptionsFor<R extends RouteDeclaration> = R['auth'] extends 'admin' ? [options: RouteOptions & { readonly siteAdmin: SiteAdminLookup }] : [options?: RouteOptions];

/** A route's Lambda handler, carrying the declaration it was built from. */
export type RouteHandler<R extends RouteDeclaration> = ((event: HttpEvent, context: Context) => Promise<APIGatewayProxyResultV2>) & {
  readonly route: R;
};

function parsePart(schema: z.ZodMiniType | undefined, value: unknown, where: InputPart): unknown {
  if (!schema) return {};
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** Header schemas name headers as documented; requests carry them in any case. */
function headerValues(schema: z.ZodMiniObject | undefined, headers: Record<string, string | undefined>): Record<string, string | undefined> {
  if (!schema) return {};
  return Object.fromEntries(Object.keys(schema.shape).map((name) => [name, headers[name.toLowerCase()]]));
}

function pageWanted(route: RouteDeclaration, headers: Record<string, string | undefined>): boolean {
  if (route.pages === 'negotiated') return !wantsJson(headers.accept);
  if (route.pages === 'form-post') return (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  return false;
}

const needsToken = (auth: RouteAuth) => auth !== 'public';

/**
 * The one middy chain every route uses, derived from the route's declaration: header
 * normalisation, authentication (scopes for operator and service routes, the site-admin lookup
 * for admin routes), body limits, zod parsing of path, query, headers and body, guest error pages,
 * error mapping and security headers. The handler is the declaration plus one function.
 */
export function httpRoute<R extends RouteDeclaration>(route: R, handle: RouteHandle<R>, ...[options = {}]: OptionsFor<R>): RouteHandler<R> {
  const clock = options.clock ?? (() => new Date());
  const siteAdmin = options.siteAdmin;
  if (route.auth === 'admin' && !siteAdmin) throw new Error(`The admin route ${route.name} needs a siteAdmin lookup`);
  const idempotency = route.idempotent ? options.idempotency : undefined;
  if (route.idempotent && !idempotency) throw new Error(`The idempotent route ${route.name} needs an idempotency store`);
  // The guest pages of a broken link speak of the link the route serves.
  const linkKind = route.path.startsWith('/verify/') ? 'verification' : 'invitation';
  const core = async (event: HttpEvent, context: Context): Promise<APIGatewayProxyResultV2> => {
    // The path's siteId before validation: a failing request is the one whose site matters most.
    const site = event.pathParameters?.siteId;
    logger.appendKeys({ route: route.name, ...(site ? { site } : {}) });
    try {
      const now = clock();
      const caller = needsToken(route.auth) ? callerFromEvent(event, ROUTE_SCOPE[route.auth]) : null;
      const rawHeaders = event.headers ?? {};
      const params = parsePart(route.params, event.pathParameters ?? {}, 'path');
      const query = parsePart(route.query, event.queryStringParameters ?? {}, 'query');
      const headers = parsePart(route.headers, headerValues(route.headers, rawHeaders), 'headers');
      // An absent body reads as `{}`; a body that is present must parse as it is (`null` is no object).
      const body = route.body ? parsePart(route.body, parseBody(event, { acceptForm: route.form ?? false }), 'body') : {};
      let admin: SiteAdmin | null = null;
      if (route.auth === 'admin' && caller && siteAdmin) admin = await siteAdmin((params as { siteId: string }).siteId, caller);
      const wantsPage = pageWanted(route, rawHeaders);
      const input = { params, query, headers, body, caller, admin, now, wantsPage, rawHeaders, event, context } as unknown as RouteInput<R>;
      const key = idempotency && caller ? (headers as Record<string, string | undefined>)['Idempotency-Key'] : undefined;
      try {
        if (idempotency && caller && key !== undefined) {
          // This invocation is dead when its time runs out, so its claim on the key ends then too.
          const scope = { siteId: (params as { siteId: string }).siteId, callerId: caller.userId, key, bodyDigest: bodyDigest(body), claimForMs: context.getRemainingTimeInMillis() };
          return toResponse(await idempotency(scope, now, async () => jsonOnly(await handle(input))));
        }
        return toResponse(await handle(input));
      } catch (error) {
        // Problems with the link itself are shown to the guest as a page; our own failures are not.
        if (wantsPage && error instanceof AppError && error.status < 500) {
          const inviter = error instanceof LinkRefusal ? error.inviterName : undefined;
          return toResponse({ status: error.status, html: linkProblemPage(error.code, linkKind, inviter) });
        }
        throw error;
      }
    } catch (error) {
      return errorResponse(error, event);
    }
  };
  const handler = middy<HttpEvent, APIGatewayProxyResultV2>(core)
    // Never the event: it carries bearer tokens, invitation links and addresses.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(httpHeaderNormalizer())
    .use(
      httpSecurityHeaders({
        contentSecurityPolicy: {
          'default-src': "'none'",
          // The guest pages' one stylesheet by its hash; no script source at all (default-src).
          'style-src': GUEST_PAGE_STYLE_SOURCE,
          'form-action': "'self'",
          'frame-ancestors': "'none'",
          'base-uri': "'none'",
          // The middleware's default bare `sandbox` would block the invitation page's Accept form.
          sandbox: 'allow-forms allow-same-origin',
          // Upgrading would break plain-HTTP local runs; API Gateway only serves HTTPS anyway.
          'upgrade-insecure-requests': false as unknown as string,
          'report-to': false as unknown as string,
        },
      }),
    );
  return Object.assign(handler, { route });
}

/** What an idempotent route may answer: stored and replayed byte for byte, so JSON and no headers. */
function jsonOnly(result: HttpResult): { status: number; body: unknown } {
  if (result.html !== undefined || result.headers !== undefined) throw new Error('An idempotent route answers JSON only');
  return { status: result.status ?? 200, body: result.body };
}

function toResponse(result: HttpResult): APIGatewayProxyResultV2 {
  const status = result.status ?? 200;
  if (result.html !== undefined) {
    return {
      statusCode: status,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...result.headers },
      body: result.html,
    };
  }
  if (result.body === undefined) return { statusCode: status, headers: { ...result.headers }, body: '' };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...result.headers },
    body: JSON.stringify(result.body),
  };
}
