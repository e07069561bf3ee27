import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { AppError } from '../domain/errors';
import { callerFromEvent, type Caller } from './auth';
import { errorResponse, validationError } from './errors';
import { parseBody } from './body';

/** The API Gateway HTTP API (v2) event, with the JWT authorizer's claims when a route has one. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };
  };
};

export interface HttpResult {
  readonly status?: number;
  readonly body?: unknown;
  readonly html?: string;
  readonly headers?: Record<string, string>;
}

export type RouteAuthMode = 'token' | 'public';

export interface RouteInput<P, Q, B, A extends RouteAuthMode = RouteAuthMode> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The verified caller on token routes; public routes have none. */
  readonly caller: A extends 'token' ? Caller : null;
  readonly headers: Record<string, string | undefined>;
  readonly event: HttpEvent;
  readonly now: string;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, A extends RouteAuthMode> {
  /** `token`: a JWT is required (its scopes checked when `scope` is given); `public`: none. */
  readonly auth: A;
  readonly scope?: string;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Guest pages accept HTML form posts as well as JSON. */
  readonly acceptForm?: boolean;
  readonly handle: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>, A>) => Promise<HttpResult>;
}

const Empty = z.object({}).passthrough();

function parseWith<T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'path' | 'query' | 'body'): z.infer<T> {
  const result = (schema ?? Empty).safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data as z.infer<T>;
}

/**
 * The one middy chain every route uses: header normalisation, body parsing with size and type
 * limits, zod parsing of path, query and body, authentication, error mapping and security headers.
 * Handlers only see parsed input and return a result; no handler builds an error by hand.
 */
export function httpRoute<
  A extends RouteAuthMode,
  P extends z.ZodType = typeof Empty,
  Q extends z.ZodType = typeof Empty,
  B extends z.ZodType = typeof Empty,
>(spec: RouteSpec<P, Q, B, A>) {
  const core = async (event: HttpEvent, _context: Context): Promise<APIGatewayProxyResultV2> => {
    try {
      const caller = spec.auth === 'token' ? callerFromEvent(event, spec.scope) : null;
      const params = parseWith(spec.params, event.pathParameters, 'path');
      const query = parseWith(spec.query, event.queryStringParameters, 'query');
      const body = spec.body ? parseWith(spec.body, parseBody(event, { acceptForm: spec.acceptForm ?? false }), 'body') : undefined;
      const result = await spec.handle({
        params,
        query,
        body: body as z.infer<B>,
        caller: caller as RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>, A>['caller'],
        headers: event.headers ?? {},
        event,
        now: new Date().toISOString(),
      });
      return toResponse(result);
    } catch (error) {
      return errorResponse(error, event);
    }
  };
  return middy<HttpEvent, APIGatewayProxyResultV2>(core)
    .use(httpHeaderNormalizer())
    .use(
      httpSecurityHeaders({
        contentSecurityPolicy: {
          'default-src': "'none'",
          'style-src': "'unsafe-inline'",
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

export { AppError };
