import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routes';
import { startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * Every route, fed random paths, queries, headers and bodies with the caller it expects: whatever
 * arrives, the answer is never a 5xx, and every error is the contract's `{"error": {"code",
 * "message"}}` with a 4xx. A fixed seed keeps failures replayable; the counterexample is printed.
 */
const SEED = 4711;
const RUNS_PER_ROUTE = 12;

let given: TestStack;
let site: TestSite;
let tokens: Record<string, string>;
beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite();
  tokens = {
    admin: site.adminToken,
    operator: given.operatorToken,
    service: await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' }),
  };
});
afterAll(() => given?.close());

const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '%', '%00', '%FF', '../..', '<script>', "' OR 1=1 --", '\u0000', '\uFFFF', '😀', 'a'.repeat(300), '-1', '1e309', 'null', '[]', '{}'),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    junkString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(junkString, fc.constantFrom('emails', 'roles', 'policy', 'spaceKey', 'userIds', 'role', 'name', 'key', 'plan', 'userLimit', 'totpCode', 'displayName')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const requestArb = fc.record({
  segment: junkString,
  query: fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'spaceKey', 'noSpace', 'kind', 'q', 'x'), junkString, { maxKeys: 3 }),
  body: fc.oneof(jsonValue, fc.constant(undefined)),
  raw: fc.option(fc.oneof(fc.constant('{"unterminated": '), fc.constant('\u0000\u0001'), fc.string({ maxLength: 30 })), { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', ''),
  accept: fc.constantFrom('application/json', 'text/html', '*/*'),
});

function pathFor(template: string, segment: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'siteId' ? site.siteId : encodeURIComponent(segment) || 'x'));
}

describe('fuzzing every route', () => {
  it.each(ROUTES.map((route) => [route.name, route] as const))('%s never answers 5xx and always answers errors in the contract’s shape', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const query = new URLSearchParams(request.query).toString();
        const headers: Record<string, string> = { accept: request.accept };
        if (request.contentType) headers['content-type'] = request.contentType;
        const token = route.auth === 'public' ? undefined : tokens[route.auth];
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const rawBody = hasBody ? (request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body))) : undefined;
        const answer = await given.api(route.method, `${pathFor(route.path, request.segment)}${query ? `?${query}` : ''}`, { token, headers, ...(rawBody !== undefined ? { rawBody } : {}) });
        expect(answer.status, `${route.method} ${route.path} → ${answer.status} ${answer.text.slice(0, 300)}`).toBeLessThan(500);
        if (answer.status >= 400 && (answer.headers.get('content-type') ?? '').includes('json')) {
          const error = (answer.json as { error?: { code?: unknown; message?: unknown } }).error;
          expect(typeof error?.code, answer.text).toBe('string');
          expect(typeof error?.message, answer.text).toBe('string');
        }
      }),
      { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
  }, 120_000);
});
