import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { defineRoute } from '../../shared/http/declaration';
import type { HttpEvent } from '../../shared/http/event';

/** The chain and the logger as a Lambda loads them with `LOG_LEVEL` set (it is read once, at load). */
async function loadWith(level: string) {
  process.env.LOG_LEVEL = level;
  vi.resetModules();
  const [{ httpRoute }, { log, withTaskLogging }] = await Promise.all([import('../../shared/http/route'), import('../../shared/log')]);
  return { httpRoute, log, withTaskLogging };
}

const EMAIL = 'dana.secret@partner.example';
const TOKEN = 'Q2hhbmdlTWVQbGVhc2VUaGlzSXNBbkludml0ZVRva2Vu1';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfYWRtaW4ifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

function context(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'guestpass-invite',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:guestpass-invite',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/guestpass-invite',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function event(body: unknown, pathParameters: Record<string, string>): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /sites/{siteId}/things/{token}',
    rawPath: `/sites/${pathParameters.siteId}/things/${TOKEN}`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${JWT}` },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      requestId: 'api-req',
      routeKey: 'POST /sites/{siteId}/things/{token}',
      stage: '$default',
      time: '',
      timeEpoch: 0,
      authorizer: { jwt: { claims: { sub: 'usr_admin', scope: 'openid sites:manage' }, scopes: null } },
    },
  } as HttpEvent;
}

let lines: string[] = [];
const restore: (() => void)[] = [];

beforeEach(() => {
  lines = [];
  // Powertools writes through its own Console on the process streams, so those are what to watch.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
});

afterEach(() => {
  for (const undo of restore.splice(0)) undo();
  process.env.LOG_LEVEL = 'silent';
});

const records = () => lines.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

const declaration = defineRoute({
  name: 'things',
  method: 'POST',
  path: '/sites/{siteId}/things/{token}',
  auth: 'operator',
  summary: 'test',
  params: z.object({ siteId: z.string(), token: z.string() }),
  body: z.object({ emails: z.array(z.string()) }),
  responses: {},
  table: 'none',
});

describe('logging', () => {
  it('logs JSON with request id, cold start, route and site, and never an address or a token', async () => {
    const { httpRoute, log } = await loadWith('debug');
    const handler = httpRoute(declaration, async ({ body, params }) => {
      // The careless call sites the redaction exists for: an address and a token among the fields…
      log.debug('inviting', { invitee: body.emails[0], emails: body.emails, link: `https://example.test/i/${params.token}` });
      // …and a library error that echoes its input, which the error mapping logs with its stack.
      throw new Error(`could not deliver to ${body.emails[0]} with token ${params.token}`);
    });
    const response = await handler(event({ emails: [EMAIL] }, { siteId: 'acme', token: TOKEN }), context('aws-req-1'));

    expect(response).toMatchObject({ statusCode: 500 });
    const output = lines.join('');
    expect(output).not.toContain(EMAIL);
    expect(output).not.toContain('partner.example');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(JWT);
    const logged = records();
    expect(logged.map((record) => record.message)).toEqual(['inviting', 'request failed']);
    for (const record of logged) {
      expect(record).toMatchObject({ function_request_id: 'aws-req-1', route: 'things', site: 'acme', service: 'guestpass' });
      expect(typeof record.cold_start).toBe('boolean');
    }
  });

  it('clears route and site between requests, and tasks get their own keys', async () => {
    const { httpRoute, log, withTaskLogging } = await loadWith('info');
    const first = httpRoute(declaration, async () => {
      log.info('first');
      return { body: {} };
    });
    await first(event({ emails: [] }, { siteId: 'acme', token: 'x' }), context('aws-req-2'));
    log.info('between');
    log.debug('not at info');
    const task = withTaskLogging('workflow-expire', async (payload: { siteId: string }) => {
      log.info('task ran', { contact: `${EMAIL}` });
      return payload.siteId;
    });
    await task({ siteId: 'globex' }, context('aws-req-3'));

    const logged = records();
    expect(logged.map((record) => record.message)).toEqual(['first', 'between', 'task ran']);
    const [inRequest, between, inTask] = logged;
    expect(inRequest).toMatchObject({ message: 'first', route: 'things', site: 'acme' });
    expect(between).not.toHaveProperty('route');
    expect(between).not.toHaveProperty('site');
    expect(inTask).toMatchObject({ message: 'task ran', task: 'workflow-expire', site: 'globex', function_request_id: 'aws-req-3', contact: '[email]' });
  });

  it('stays silent at LOG_LEVEL=silent, and keeps debug lines out at the default level', async () => {
    const { httpRoute, log } = await loadWith('silent');
    const failing = httpRoute(declaration, async () => {
      throw new Error('a failure that would be logged at any other level');
    });
    expect(await failing(event({ emails: [] }, { siteId: 'acme', token: 'x' }), context('aws-req-4'))).toMatchObject({ statusCode: 500 });
    log.error('not shown either', { siteId: 'acme' });
    expect(lines).toEqual([]);
  });
});
