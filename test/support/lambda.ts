import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/services';
import { resetEnvironmentCache } from '../../shared/config';
import type { Directory } from '../../shared/directory/directory';
import type { HttpEvent } from '../../shared/http/event';

/** A route's Lambda handler as tests call it: in-process, with the event API Gateway would send. */
export type RouteHandler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface RouteEventOptions {
  readonly method: string;
  /** The route's path template, e.g. `/sites/{siteId}/audit-events`. */
  readonly route: string;
  readonly pathParameters: Record<string, string>;
  readonly query?: Record<string, string> | undefined;
  readonly body?: unknown;
  readonly claims?: Record<string, unknown> | undefined;
}

export function routeEvent(options: RouteEventOptions): HttpEvent {
  const path = options.route.replace(/\{([^}]+)\}/g, (_match, name: string) => options.pathParameters[name] ?? '');
  const routeKey = `${options.method} ${options.route}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
    pathParameters: options.pathParameters,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: options.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req',
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(options.claims ? { authorizer: { jwt: { claims: options.claims, scopes: null } } } : {}),
    },
  } as HttpEvent;
}

/**
 * Points handler modules at `db` in DynamoDB Local, as the local stack does, then loads the
 * handler (handlers read their configuration once, when they load). Returns the restore step.
 */
export async function loadRouteHandler(db: Directory, load: () => Promise<unknown>): Promise<{ handler: RouteHandler; restore: () => void }> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    TABLE_NAME: db.tableName,
    // As the local stack does: two-step secrets are sealed with a local key, never KMS.
    TWO_STEP_LOCAL_KEY: randomBytes(32).toString('base64'),
  });
  delete process.env.TWO_STEP_KEY_ID;
  resetEnvironmentCache();
  const handler = ((await load()) as { handler: RouteHandler }).handler;
  return {
    handler,
    restore: () => {
      process.env = saved;
      resetEnvironmentCache();
    },
  };
}
