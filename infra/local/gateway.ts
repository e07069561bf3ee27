import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { API_FUNCTION_TIMEOUT_SECONDS } from '../../shared/capabilities';
import type { HttpEvent } from '../../shared/http/event';
import { ROUTE_SCOPE, type RouteDeclaration } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { missingScope } from '../../shared/domain/errors';
import { tokenRefusal, type LocalSigner } from './jwt';
import type { LocalIdentity } from './oidc';
import { serveConsole, type ConsoleSite } from './console-site';

/** A Lambda handler as the local gateway calls it. */
export type LocalHandler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface LocalGatewayOptions {
  readonly port?: number;
  readonly signer: LocalSigner;
  readonly loadHandler: (name: string) => Promise<LocalHandler>;
  readonly log?: (line: string) => void;
  /** The identity provider the console signs in with, answering under `/oidc`. */
  readonly identity?: LocalIdentity;
  /** The built admin console, served under `/console/` as the CDK app serves it from CloudFront. */
  readonly console?: ConsoleSite;
}

export interface LocalGateway {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

interface CompiledRoute {
  readonly route: RouteDeclaration;
  readonly pattern: RegExp;
  readonly names: string[];
}

function compile(route: RouteDeclaration): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/**
 * An API Gateway HTTP API stand-in built from the same route table as the CDK stack: it matches
 * routes, enforces the JWT authorizer (signature, issuer, audience, expiry, route scopes) and hands
 * each Lambda the payload-format-2.0 event it would get in AWS.
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  // API Gateway prefers the most specific route: `/invitations/accepted` before `/invitations/{token}`.
  const compiled = ROUTES.map(compile).sort((a, b) => a.names.length - b.names.length);
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log?.(`gateway error: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) send(response, 500, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'internal_error', message: 'Internal Server Error' } }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Not API routes: in AWS the identity provider and the console's CloudFront site are elsewhere.
    if (options.identity && (await options.identity.handle(request, response))) return;
    if (options.console && (await serveConsole(options.console, request, response))) return;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const candidates = compiled.filter((entry) => entry.pattern.test(url.pathname));
    const match = candidates.find((entry) => entry.route.method === method);
    if (!match) {
      const status = candidates.length > 0 ? 405 : 404;
      return send(response, status, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: status === 404 ? 'not_found' : 'method_not_allowed', message: status === 404 ? 'No such route.' : 'Method not allowed on this route.' } }));
    }
    const body = await readBody(request);
    if (body === null) {
      return send(response, 413, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'payload_too_large', message: 'Request body too large.' } }));
    }
    let claims: Record<string, unknown> | undefined;
    if (match.route.auth !== 'public') {
      const header = request.headers.authorization;
      const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
      const unauthorized = (error?: unknown) =>
        send(response, 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, JSON.stringify({ error: { code: 'unauthorized', message: tokenRefusal(options.signer.issuer, header, error) } }));
      if (!token) return unauthorized();
      try {
        claims = (await options.signer.verify(token)) as Record<string, unknown>;
      } catch (error) {
        return unauthorized(error);
      }
      const requiredScope = ROUTE_SCOPE[match.route.auth];
      const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : [];
      if (requiredScope && !scopes.includes(requiredScope)) {
        const refusal = missingScope(requiredScope);
        return send(response, 403, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: refusal.details } }));
      }
    }
    const pathParameters = decodePathParameters(match, url.pathname);
    if ('invalid' in pathParameters) {
      const issues = pathParameters.invalid.map((name) => ({ path: `path.${name}`, message: 'Not valid percent-encoded UTF-8' }));
      return send(response, 400, { 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'validation_failed', message: 'The request path is not valid.', details: { issues } } }));
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    }
    const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined;
    const requestId = randomUUID();
    const binary = body.length > 0 && !/^(application\/(json|x-www-form-urlencoded)|text\/)/i.test(headers['content-type'] ?? '');
    const event: HttpEvent = {
      version: '2.0',
      routeKey: `${match.route.method} ${match.route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(query ? { queryStringParameters: query } : {}),
      ...(match.names.length > 0 ? { pathParameters: pathParameters.values } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId,
        routeKey: `${match.route.method} ${match.route.path}`,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
      ...(body.length > 0 ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
      isBase64Encoded: binary,
    };
    const handler = await options.loadHandler(match.route.name);
    const started = Date.now();
    const result = await handler(event, lambdaContext(match.route.name, requestId));
    const structured: APIGatewayProxyStructuredResultV2 = typeof result === 'string' ? { statusCode: 200, body: result } : result;
    // The route key, as the deployed access log has it: the path would carry link tokens.
    options.log?.(`${method} ${match.route.path} → ${structured.statusCode ?? 200} (${Date.now() - started} ms)`);
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) outHeaders[name] = String(value);
    send(response, structured.statusCode ?? 200, outHeaders, structured.isBase64Encoded ? Buffer.from(structured.body ?? '', 'base64') : (structured.body ?? ''));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The route's path parameters, decoded. A segment whose percent-encoding is not UTF-8 (`%FF`,
 * the overlong `%C0%AF`) cannot be a value any schema accepts, so it is a bad request, not a crash.
 */
function decodePathParameters(match: CompiledRoute, pathname: string): { values: Record<string, string> } | { invalid: string[] } {
  const segments = match.pattern.exec(pathname) ?? [];
  const values: Record<string, string> = {};
  const invalid: string[] = [];
  match.names.forEach((name, index) => {
    try {
      values[name] = decodeURIComponent(segments[index + 1] ?? '');
    } catch {
      invalid.push(name);
    }
  });
  return invalid.length > 0 ? { invalid } : { values };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  response.writeHead(status, headers);
  response.end(body);
}

/** Reads the body; null when it is larger than API Gateway would accept. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function lambdaContext(functionName: string, awsRequestId: string): Context {
  // Counts down from the invocation's start, as Lambda's does, so time budgets behave as deployed.
  const deadline = Date.now() + API_FUNCTION_TIMEOUT_SECONDS * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
