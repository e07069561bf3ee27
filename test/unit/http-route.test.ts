import { createHash } from 'node:crypto';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { AppError } from '../../shared/domain/errors';
import { callerFromEvent } from '../../shared/http/caller';
import { MAX_BODY_BYTES } from '../../shared/http/body';
import { defineRoute, type RouteDeclaration } from '../../shared/http/declaration';
import type { HttpEvent } from '../../shared/http/event';
import { httpRoute } from '../../shared/http/route';
import { GUEST_PAGE_STYLE } from '../../shared/http/page-style';
import { linkProblemPage } from '../../shared/http/pages';

/** Any guest page: they all share the layout, so its stylesheet is the one the CSP must admit. */
const guestPage = () => linkProblemPage('not_found');

// ---------------------------------------------------------------------------------------------
// Hand-built API Gateway HTTP API (v2) events and a fake Lambda context
// ---------------------------------------------------------------------------------------------

interface EventOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  claims?: Record<string, unknown> | null;
}

function httpEvent(options: EventOptions = {}): HttpEvent {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/sites/acme/invitations';
  const claims = options.claims === undefined ? { sub: 'usr_admin', scope: 'openid sites:manage' } : options.claims;
  return {
    version: '2.0',
    routeKey: `${method} /sites/{siteId}/invitations`,
    rawPath: path,
    rawQueryString: '',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.queryStringParameters ? { queryStringParameters: options.queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api123',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: `${method} /sites/{siteId}/invitations`,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1_767_225_600_000,
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
  } as HttpEvent;
}

const fakeContext = (): Context =>
  ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'guestpass-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:guestpass-test',
    memoryLimitInMB: '256',
    awsRequestId: 'aws-req-1',
    logGroupName: '/aws/lambda/guestpass-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

type Handler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyResultV2>;

async function call(handler: Handler, event: HttpEvent) {
  const result = (await handler(event, fakeContext())) as APIGatewayProxyStructuredResultV2;
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const json = (): any => JSON.parse(result.body ?? '');
  return { status: result.statusCode, headers, body: result.body ?? '', json };
}

const jsonHeaders = { 'content-type': 'application/json' };

/** A declaration for the chain under test; only the parts a case sets matter. */
const BASE = { name: 'test', method: 'POST', path: '/test', auth: 'public', summary: 'test', responses: {}, table: 'none' } as const satisfies RouteDeclaration;
function declared<const R extends Partial<RouteDeclaration>>(parts: R): Omit<typeof BASE, keyof R> & R {
  return { ...BASE, ...parts };
}

const InviteBody = z.object({ emails: z.array(z.string()).check(z.minLength(1), z.maxLength(10)), message: z.optional(z.string().check(z.maxLength(1000))) });
const InviteDeclaration = declared({ auth: 'operator', params: z.object({ siteId: z.string().check(z.minLength(1)) }), body: InviteBody });

function inviteRoute(handle = vi.fn(async (input: { body: z.infer<typeof InviteBody> }) => ({ body: { got: input.body } }))) {
  return { handle, handler: httpRoute(InviteDeclaration, handle as never) as unknown as Handler };
}

const throwing = (error: unknown) =>
  httpRoute(declared({}), async () => {
    throw error;
  }) as unknown as Handler;

// ---------------------------------------------------------------------------------------------

describe('httpRoute: body parsing and validation', () => {
  it('passes a valid JSON body, the path parameters and the caller to the handler', async () => {
    // Prepare
    const seen: unknown[] = [];
    const declaration = defineRoute({ ...BASE, auth: 'operator', params: z.object({ siteId: z.string() }), body: InviteBody });
    const handler = httpRoute(declaration, async (input) => {
      seen.push(input);
      return { status: 201, body: { count: input.body.emails.length } };
    }) as unknown as Handler;
    // Act
    const response = await call(
      handler,
      httpEvent({ headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ emails: ['a@b.example'] }), pathParameters: { siteId: 'acme' } }),
    );
    // Assess
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({ count: 1 });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(seen[0]).toMatchObject({
      params: { siteId: 'acme' },
      body: { emails: ['a@b.example'] },
      caller: { userId: 'usr_admin', scopes: ['openid', 'sites:manage'] },
    });
  });

  it('answers 400 validation_failed with details.issues[].path prefixed by body', async () => {
    // Prepare
    const { handler, handle } = inviteRoute();
    // Act
    const response = await call(
      handler,
      httpEvent({ headers: jsonHeaders, body: JSON.stringify({ emails: 'a@b.example', message: 7 }), pathParameters: { siteId: 'acme' } }),
    );
    // Assess
    expect(response.status).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('validation_failed');
    expect(typeof error.message).toBe('string');
    const paths = new Set((error.details.issues as Array<{ path: string; message: string }>).map((issue) => issue.path));
    expect([...paths].sort()).toEqual(['body.emails', 'body.message']);
    for (const issue of error.details.issues) expect(issue.message.length).toBeGreaterThan(0);
    expect(handle).not.toHaveBeenCalled();
  });

  it('reports nested array paths with their index (body.emails.1)', async () => {
    const { handler } = inviteRoute();
    const response = await call(handler, httpEvent({ headers: jsonHeaders, body: JSON.stringify({ emails: ['a@b.example', 42] }), pathParameters: { siteId: 'acme' } }));
    expect(response.status).toBe(400);
    expect(response.json().error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.emails.1']);
  });

  it('validates path parameters with the prefix path', async () => {
    const { handler } = inviteRoute();
    const response = await call(handler, httpEvent({ headers: jsonHeaders, body: JSON.stringify({ emails: ['a@b.example'] }), pathParameters: { siteId: '' } }));
    expect(response.status).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(response.json().error.details.issues[0].path).toBe('path.siteId');
  });

  it('validates the query string with the prefix query', async () => {
    const handler = httpRoute(declared({ query: z.object({ limit: z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(100))) }) }), async ({ query }) => ({
      body: query,
    })) as unknown as Handler;
    const bad = await call(handler, httpEvent({ method: 'GET', queryStringParameters: { limit: '0' }, claims: null }));
    const good = await call(handler, httpEvent({ method: 'GET', queryStringParameters: { limit: '25' }, claims: null }));
    expect(bad.status).toBe(400);
    expect(bad.json().error.details.issues[0].path).toBe('query.limit');
    expect(good.status).toBe(200);
    expect(good.json()).toEqual({ limit: 25 });
  });

  it('an empty body is parsed as {} and then fails the schema (not a JSON error)', async () => {
    const { handler } = inviteRoute();
    const response = await call(handler, httpEvent({ headers: jsonHeaders, pathParameters: { siteId: 'acme' } }));
    expect(response.status).toBe(400);
    expect(response.json().error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.emails']);
  });

  it('answers 400 validation_failed for malformed JSON', async () => {
    const { handler, handle } = inviteRoute();
    const response = await call(handler, httpEvent({ headers: jsonHeaders, body: '{"emails": ["a@b.example",', pathParameters: { siteId: 'acme' } }));
    expect(response.status).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(response.json().error.details.issues).toEqual([{ path: 'body', message: 'Malformed JSON' }]);
    expect(handle).not.toHaveBeenCalled();
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['no content type', {}],
    ['a form post on a JSON-only route', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
  ])('answers 415 unsupported_media_type for %s', async (_why, headers) => {
    const { handler, handle } = inviteRoute();
    const response = await call(handler, httpEvent({ headers, body: 'emails=a%40b.example', pathParameters: { siteId: 'acme' } }));
    expect(response.status).toBe(415);
    expect(response.json().error.code).toBe('unsupported_media_type');
    expect(handle).not.toHaveBeenCalled();
  });

  it('accepts +json media types and a mixed-case header name', async () => {
    const { handler } = inviteRoute();
    const response = await call(
      handler,
      httpEvent({ headers: { 'CONTENT-TYPE': 'application/merge-patch+json' }, body: JSON.stringify({ emails: ['a@b.example'] }), pathParameters: { siteId: 'acme' } }),
    );
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ got: { emails: ['a@b.example'] } });
  });

  it('answers 413 payload_too_large for a body over 64 KiB, and accepts exactly 64 KiB', async () => {
    // Prepare: a JSON body of exactly MAX_BODY_BYTES bytes, and one byte more
    const skeleton = JSON.stringify({ emails: ['a@b.example'], pad: '' });
    const exact = JSON.stringify({ emails: ['a@b.example'], pad: 'x'.repeat(MAX_BODY_BYTES - skeleton.length) });
    const over = JSON.stringify({ emails: ['a@b.example'], pad: 'x'.repeat(MAX_BODY_BYTES - skeleton.length + 1) });
    expect(MAX_BODY_BYTES).toBe(65_536);
    expect(Buffer.byteLength(exact)).toBe(65_536);
    const { handler } = inviteRoute();
    // Act
    const ok = await call(handler, httpEvent({ headers: jsonHeaders, body: exact, pathParameters: { siteId: 'acme' } }));
    const tooLarge = await call(handler, httpEvent({ headers: jsonHeaders, body: over, pathParameters: { siteId: 'acme' } }));
    // Assess
    expect(ok.status).toBe(200);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json().error.code).toBe('payload_too_large');
  });

  it('counts bytes, not characters (multi-byte UTF-8), and decodes base64 bodies before counting', async () => {
    const { handler } = inviteRoute();
    // "€" is one UTF-16 unit but three UTF-8 bytes: 22 000 of them are under 64 Ki characters, over 64 KiB.
    const wide = JSON.stringify({ emails: ['a@b.example'], pad: '€'.repeat(22_000) }); // ≈ 66 000 bytes, 22 040 chars
    expect(wide.length).toBeLessThan(MAX_BODY_BYTES);
    const response = await call(handler, httpEvent({ headers: jsonHeaders, body: wide, pathParameters: { siteId: 'acme' } }));
    expect(response.status).toBe(413);

    const small = Buffer.from(JSON.stringify({ emails: ['a@b.example'] })).toString('base64');
    const decoded = await call(handler, httpEvent({ headers: jsonHeaders, body: small, isBase64Encoded: true, pathParameters: { siteId: 'acme' } }));
    expect(decoded.status).toBe(200);
    expect(decoded.json()).toEqual({ got: { emails: ['a@b.example'] } });
  });
});

describe('httpRoute: HTML form posts', () => {
  const FormBody = z.object({ displayName: z.optional(z.string().check(z.maxLength(200))) });

  it('accepts application/x-www-form-urlencoded only on a route declared with form: true', async () => {
    // Prepare
    const formRoute = httpRoute(declared({ form: true, body: FormBody }), async ({ body }) => ({ body })) as unknown as Handler;
    const jsonRoute = httpRoute(declared({ body: FormBody }), async ({ body }) => ({ body })) as unknown as Handler;
    const event = () =>
      httpEvent({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'displayName=Pat+O%27Brien', claims: null });
    // Act
    const accepted = await call(formRoute, event());
    const refused = await call(jsonRoute, event());
    // Assess
    expect(accepted.status).toBe(200);
    expect(accepted.json()).toEqual({ displayName: "Pat O'Brien" });
    expect(refused.status).toBe(415);
    expect(refused.json().error.code).toBe('unsupported_media_type');
  });

  it('a form route still takes JSON', async () => {
    const formRoute = httpRoute(declared({ form: true, body: FormBody }), async ({ body }) => ({ body })) as unknown as Handler;
    const response = await call(formRoute, httpEvent({ headers: jsonHeaders, body: '{"displayName":"Pat"}', claims: null }));
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ displayName: 'Pat' });
  });
});

describe('httpRoute: authentication', () => {
  it.each([
    ['no authorizer at all', null],
    ['claims without sub', { scope: 'openid' }],
    ['an empty sub', { sub: '' }],
    ['a non-string sub', { sub: 42 }],
  ])('answers 401 unauthorized on a token route for %s', async (_why, claims) => {
    const { handler, handle } = inviteRoute();
    const response = await call(handler, httpEvent({ headers: jsonHeaders, body: JSON.stringify({ emails: ['a@b.example'] }), pathParameters: { siteId: 'acme' }, claims }));
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(handle).not.toHaveBeenCalled();
  });

  it('checks authentication before the body: a bad body without a token is still 401', async () => {
    const { handler } = inviteRoute();
    const response = await call(handler, httpEvent({ headers: jsonHeaders, body: '{oops', pathParameters: { siteId: 'acme' }, claims: null }));
    expect(response.status).toBe(401);
  });

  it('answers 403 forbidden when the required scope is missing, and runs the handler when present', async () => {
    // Prepare
    const handle = vi.fn(async () => ({ body: { allowed: true } }));
    const handler = httpRoute(declared({ auth: 'service' }), handle) as unknown as Handler;
    // Act
    const missing = await call(handler, httpEvent({ claims: { sub: 'svc_wiki', scope: 'openid profile' } }));
    const prefixOnly = await call(handler, httpEvent({ claims: { sub: 'svc_wiki', scope: 'access:decide:extra' } }));
    const present = await call(handler, httpEvent({ claims: { sub: 'svc_wiki', scope: 'openid access:decide' } }));
    // Assess
    expect(missing.status).toBe(403);
    expect(missing.json().error.code).toBe('forbidden');
    expect(prefixOnly.status).toBe(403);
    expect(present.status).toBe(200);
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('a public route needs no claims and sees caller null', async () => {
    const handle = vi.fn(async (input: { caller: unknown }) => ({ body: { caller: input.caller } }));
    const handler = httpRoute(declared({}), handle as never) as unknown as Handler;
    const response = await call(handler, httpEvent({ method: 'GET', claims: null }));
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ caller: null });
  });

  it('callerFromEvent reads space-separated scope and array scp claims', () => {
    expect(callerFromEvent(httpEvent({ claims: { sub: 'u1', scope: ' a  b ' } }))).toEqual({ userId: 'u1', scopes: ['a', 'b'] });
    expect(callerFromEvent(httpEvent({ claims: { sub: 'u1', scp: ['sites:manage'] } }), 'sites:manage')).toEqual({
      userId: 'u1',
      scopes: ['sites:manage'],
    });
    expect(callerFromEvent(httpEvent({ claims: { sub: 'u1' } }))).toEqual({ userId: 'u1', scopes: [] });
    expect(() => callerFromEvent(httpEvent({ claims: { sub: 'u1' } }), 'sites:manage')).toThrow(
      expect.objectContaining({ code: 'forbidden', status: 403 }),
    );
  });
});

describe('httpRoute: error mapping', () => {
  it('maps a thrown AppError(not_found) to 404 with the standard error body', async () => {
    const response = await call(throwing(new AppError('not_found', 'The person was not found on this site.')), httpEvent({ method: 'GET', claims: null }));
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'The person was not found on this site.' } });
  });

  it('keeps AppError details', async () => {
    const error = new AppError('guest_limit_reached', 'No guest seat left.', { guestLimit: 20 });
    const response = await call(throwing(error), httpEvent({ claims: null }));
    expect(response.status).toBe(409);
    expect(response.json()).toEqual({ error: { code: 'guest_limit_reached', message: 'No guest seat left.', details: { guestLimit: 20 } } });
  });

  it('maps an unknown Error to 500 internal_error without leaking its message', async () => {
    // Prepare
    const secret = 'connection string postgres://admin:hunter2@db.internal/prod';
    // Act
    const response = await call(throwing(new Error(secret)), httpEvent({ claims: null }));
    // Assess
    expect(response.status).toBe(500);
    expect(response.json().error.code).toBe('internal_error');
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('postgres');
    expect(response.json().error.details).toBeUndefined();
  });

  it('maps a thrown non-Error value to 500 internal_error', async () => {
    const response = await call(throwing('a string'), httpEvent({ claims: null }));
    expect(response.status).toBe(500);
    expect(response.json().error.code).toBe('internal_error');
    expect(response.body).not.toContain('a string');
  });

  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'TransactionConflictException'])(
    'maps an error named %s to 503 service_unavailable with retry-after',
    async (name) => {
      const error = Object.assign(new Error('Rate exceeded for table guestpass-prod'), { name });
      const response = await call(throwing(error), httpEvent({ claims: null }));
      expect(response.status).toBe(503);
      expect(response.json().error.code).toBe('service_unavailable');
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body).not.toContain('guestpass-prod');
    },
  );

  it('answers the retry-after an AppError carries, on any status', async () => {
    const response = await call(throwing(new AppError('conflict', 'Still in progress.', undefined, 7)), httpEvent({ claims: null }));
    expect(response.status).toBe(409);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json()).toEqual({ error: { code: 'conflict', message: 'Still in progress.' } });
  });

  it('maps AppError(rate_limited) to 429 with retry-after', async () => {
    const response = await call(throwing(new AppError('rate_limited', 'Slow down.')), httpEvent({ claims: null }));
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('1');
  });
});

describe('httpRoute: response shapes and security headers', () => {
  it('sets nosniff, a restrictive CSP, frame and referrer policies on success responses', async () => {
    const handler = httpRoute(declared({}), async () => ({ body: { ok: true } })) as unknown as Handler;
    const response = await call(handler, httpEvent({ method: 'GET', claims: null }));
    expect(response.status).toBe(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    const csp = response.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("base-uri 'none'");
    // The pages' stylesheet is admitted by its hash; nothing inline beyond it, and no script source.
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    const styleSource = /style-src ('sha256-[A-Za-z0-9+/]+=*')/.exec(csp)?.[1];
    expect(styleSource).toBe(`'sha256-${createHash('sha256').update(GUEST_PAGE_STYLE).digest('base64')}'`);
    expect(guestPage()).toContain(`<style>${GUEST_PAGE_STYLE}</style>`);
  });

  it('sets the same security headers on error responses', async () => {
    const response = await call(throwing(new AppError('not_found', 'Nope.')), httpEvent({ claims: null }));
    expect(response.status).toBe(404);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('renders HTML results with text/html and no-store, and an empty body for 204', async () => {
    const page = httpRoute(declared({}), async () => ({ status: 410, html: '<h1>Expired</h1>' })) as unknown as Handler;
    const empty = httpRoute(declared({}), async () => ({ status: 204 })) as unknown as Handler;
    const html = await call(page, httpEvent({ method: 'GET', claims: null }));
    const none = await call(empty, httpEvent({ method: 'DELETE', claims: null }));
    expect(html.status).toBe(410);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['cache-control']).toBe('no-store');
    expect(html.body).toBe('<h1>Expired</h1>');
    expect(none.status).toBe(204);
    expect(none.body).toBe('');
  });
});

describe('httpRoute: idempotent routes', () => {
  const Headers = z.object({ 'Idempotency-Key': z.optional(z.string().check(z.minLength(1))) });
  const declaration = declared({ auth: 'operator', idempotent: true, params: z.object({ siteId: z.string() }), headers: Headers, body: z.object({ n: z.number() }) });

  it('runs the handler through the store with the caller, the key, a digest of the body and the Lambda time left', async () => {
    // Prepare: a store that remembers the first response per key
    const kept = new Map<string, { status: number; body: unknown }>();
    const scopes: unknown[] = [];
    const store = vi.fn(async (scope: { key: string }, _now: Date, work: () => Promise<{ status: number; body: unknown }>) => {
      scopes.push(scope);
      const first = kept.get(scope.key) ?? (await work());
      kept.set(scope.key, first);
      return first;
    });
    let runs = 0;
    const handler = httpRoute(declaration, async ({ body }) => ({ status: 201, body: { n: body.n, run: ++runs } }), { idempotency: store }) as unknown as Handler;
    const event = (key?: string) =>
      httpEvent({ headers: { ...jsonHeaders, ...(key ? { 'Idempotency-Key': key } : {}) }, body: JSON.stringify({ n: 1 }), pathParameters: { siteId: 'acme' } });
    // Act
    const first = await call(handler, event('k1'));
    const repeat = await call(handler, event('k1'));
    const unkeyed = await call(handler, event());
    // Assess
    expect(first.status).toBe(201);
    expect(repeat.body).toBe(first.body);
    expect(runs).toBe(2);
    expect(unkeyed.json()).toEqual({ n: 1, run: 2 });
    expect(store).toHaveBeenCalledTimes(2);
    expect(scopes[0]).toEqual({ siteId: 'acme', callerId: 'usr_admin', key: 'k1', bodyDigest: expect.stringMatching(/^[0-9a-f]{64}$/), claimForMs: 30_000 });
  });

  it('refuses to build an idempotent route without a store', () => {
    expect(() => httpRoute(declaration, async () => ({ body: {} }))).toThrow(/idempotency store/);
  });
});
