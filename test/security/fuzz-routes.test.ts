import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDeclaration } from '../../shared/http/declaration';
import { ROUTES } from '../../shared/http/routes';
import { tableState, validBodies, validBodyFor } from '../support/route-bodies';
import { eventually, startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * Every route, fed random paths, queries, headers and bodies with the caller it expects: whatever
 * arrives, the answer is never a 5xx, every JSON error is the contract's `{"error": {"code",
 * "message", "details"?}}` with a 4xx, a refused request leaves every item of the table as it
 * was, and no body pollutes `Object.prototype` of the process the handlers run in. Bodies are
 * the route's valid body mutated (wrong types, unknown keys, control characters, markup),
 * `__proto__` / `constructor` keys, 60 KB and 1 MB strings, 10,000 levels of nesting, broken
 * JSON and the wrong content type. A fixed seed keeps failures replayable; the counterexample is
 * printed. `FUZZ_RUNS=1000` is the long mode (bodies per route); the default keeps the file short.
 */
const SEED = 4711;
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 15);

let given: TestStack;
let site: TestSite;
let tokens: Record<string, string>;
let ids: string[];
let bodies: Record<string, unknown>;
beforeAll(async () => {
  given = await startTestStack();
  site = await given.createSite();
  tokens = {
    admin: site.adminToken,
    operator: given.operatorToken,
    service: await given.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' }),
  };
  // Something for the routes to act on: a space, a group and an invited guest
  const path = `/sites/${site.siteId}`;
  expect((await given.api('POST', `${path}/spaces`, { token: site.adminToken, body: { key: 'ENG', name: 'Engineering' } })).status).toBe(201);
  const group = await given.api<{ groupId: string }>('POST', `${path}/groups`, { token: site.adminToken, body: { name: 'Partners', role: 'guest' } });
  const invited = await given.api<{ results: { userId: string; invitationId: string }[] }>('POST', `${path}/invitations`, {
    token: site.adminToken,
    body: { emails: ['fuzzed@partner.example'], roles: { wiki: 'guest' }, spaceKey: 'ENG' },
  });
  const guest = invited.json.results[0]!;
  ids = [guest.userId, guest.invitationId, group.json.groupId, 'ENG', site.adminUserId];
  bodies = validBodies({ spaceKey: 'ENG', otherSpaceKey: 'ENG', userId: guest.userId });
  await quiet();
});
afterAll(() => given?.close());

/** Waits until background work (an onboarding started by an accepted fuzz body) stops changing the table. */
async function quiet(): Promise<Record<string, unknown>[]> {
  let last = JSON.stringify(await tableState(given.db));
  let same = 0;
  return eventually(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const state = await tableState(given.db);
      const text = JSON.stringify(state);
      same = text === last ? same + 1 : 0;
      last = text;
      return same >= 2 && state;
    },
    { timeoutMs: 20_000, intervalMs: 0 },
  );
}

const HOSTILE = ['\r\n', '\u0000', '\n\nX-Injected: 1', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '\u202E', '${7*7}', "'; DROP TABLE x; --", '../../etc/passwd', '\uD800', '𝐀', 'ＡＢ'];
const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '%', '%00', '%FF', '../..', '<script>', "' OR 1=1 --", '\u0000', '\uFFFF', '😀', 'a'.repeat(300), '-1', '1e309', 'null', '[]', '{}', ...HOSTILE),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e21),
    junkString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(junkString, fc.constantFrom('emails', 'roles', 'policy', 'spaceKey', 'userIds', 'role', 'name', 'key', 'plan', 'userLimit', 'totpCode', 'displayName')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A body as sent: its text and what kind of junk it is (for the failure message). */
interface Body {
  readonly kind: string;
  readonly text: string;
}

const HUGE = 'A'.repeat(1024 * 1024);
const NEAR_LIMIT = 'B'.repeat(60 * 1024);
const DEPTH = 10_000;
const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const INVALID_JSON = ['{"unterminated": ', '{"a":1,}', "{'single': 'quotes'}", '{"a": NaN}', '\uFEFF{"bom": true}', '{"a":1}{"b":2}', 'undefined', '{"a":"\u0000"}', '\u0000\u0001', '{"emails": [', '[1, 2', '{"__proto__": }', '"\\ud800"', '1e99999'];

/** The route's valid body, changed the ways a careless or hostile client would. */
function mutationsOf(base: Record<string, unknown>): fc.Arbitrary<Body> {
  const keys = Object.keys(base);
  const withValue = (key: string, value: unknown) => ({ ...base, [key]: value });
  const stringKeys = keys.filter((key) => typeof base[key] === 'string');
  const arbs: fc.Arbitrary<Body>[] = [
    // As is, too: the refusals that only the handler can make (a conflict, a missing target) need a body that parses
    fc.constant({ kind: 'the valid body', text: JSON.stringify(base) }),
    fc.dictionary(junkString, jsonValue, { minKeys: 1, maxKeys: 3 }).map((extra) => ({ kind: 'unknown keys', text: JSON.stringify({ ...base, ...extra }) })),
    fc.constantFrom(...HOSTILE).map((hostile) => ({ kind: 'hostile strings', text: JSON.stringify(base, (_key, value: unknown) => (typeof value === 'string' ? `${value}${hostile}` : value)) })),
  ];
  if (stringKeys.length > 0) {
    // One field at a time, so the rest of the body stays valid and the value reaches the handler
    arbs.push(fc.tuple(fc.constantFrom(...stringKeys), fc.constantFrom(...HOSTILE)).map(([key, hostile]) => ({ kind: `hostile string at ${key}`, text: JSON.stringify(withValue(key, `${String(base[key])}${hostile}`)) })));
  }
  if (keys.length > 0) {
    arbs.push(
      fc.tuple(fc.constantFrom(...keys), jsonValue).map(([key, value]) => ({ kind: `wrong type at ${key}`, text: JSON.stringify(withValue(key, value)) })),
      fc.constantFrom(...keys).map((key) => ({ kind: `1 MB string at ${key}`, text: JSON.stringify(withValue(key, HUGE)) })),
      fc.constantFrom(...keys).map((key) => ({ kind: `60 KB string at ${key}`, text: JSON.stringify(withValue(key, NEAR_LIMIT)) })),
      fc.constantFrom(...keys).map((key) => ({ kind: `10,000 levels at ${key}`, text: `{"${key}":${deepArray}}` })),
      fc.constantFrom(...keys).map((key) => {
        const { [key]: _dropped, ...rest } = base;
        return { kind: `without ${key}`, text: JSON.stringify(rest) };
      }),
    );
  }
  return fc.oneof(...arbs);
}

function bodyArb(route: RouteDeclaration): fc.Arbitrary<Body | undefined> {
  const valid = validBodyFor(bodies, route);
  const base = valid !== null && typeof valid === 'object' && !Array.isArray(valid) ? (valid as Record<string, unknown>) : {};
  const inner = JSON.stringify(base).slice(1, -1);
  const pollute = (key: string) => `{"${key}": {"polluted": "yes", "prototype": {"polluted": "yes"}}${inner ? `, ${inner}` : ''}}`;
  return fc.oneof(
    { weight: 4, arbitrary: mutationsOf(base) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => ({ kind: `${key} key`, text: pollute(key) })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'nested __proto__', text: `{"policy": {"__proto__": {"polluted": "yes"}}, "roles": {"constructor": {"prototype": {"polluted": "yes"}}}${inner ? `, ${inner}` : ''}}` }) },
    { weight: 1, arbitrary: fc.constantFrom({ kind: '10,000 nested objects', text: deepObject }, { kind: '10,000 nested arrays', text: deepArray }) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_JSON).map((text) => ({ kind: 'invalid JSON', text })) },
    { weight: 1, arbitrary: jsonValue.map((value) => ({ kind: 'random JSON', text: JSON.stringify(value) ?? 'null' })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((text) => ({ kind: 'random text', text })) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const requestArb = (route: RouteDeclaration) =>
  fc.record({
    // Mostly junk in the path, sometimes a real id, so bodies also reach the handlers' own checks
    segment: fc.oneof({ weight: 3, arbitrary: junkString }, { weight: 1, arbitrary: fc.constantFrom(...ids) }),
    query: fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'spaceKey', 'noSpace', 'kind', 'q', 'x', '__proto__'), junkString, { maxKeys: 3 }),
    body: bodyArb(route),
    contentType: fc.oneof(
      { weight: 4, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/vnd.api+json', '') },
    ),
    accept: fc.constantFrom('application/json', 'text/html', '*/*'),
  });

/** Percent-encoded; a lone surrogate has no UTF-8, so it goes as the bytes a careless client would send. */
function encodeSegment(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch {
    return segment.replace(/[\uD800-\uDFFF]/g, '%ED%A0%80').replace(/[^%]/g, (ch) => encodeURIComponent(ch));
  }
}

function pathFor(template: string, segment: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'siteId' ? site.siteId : encodeSegment(segment) || 'x'));
}

const show = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text);

describe('fuzzing every route', () => {
  it('has a valid body to mutate for every route of the route table', () => {
    for (const route of ROUTES) expect(() => validBodyFor(bodies, route)).not.toThrow();
  });

  it.each(ROUTES.map((route) => [route.name, route] as const))(
    '%s never answers 5xx, answers errors in the contract’s shape and changes nothing when it refuses',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(requestArb(route), async (request) => {
          const query = new URLSearchParams(request.query).toString();
          const headers: Record<string, string> = { accept: request.accept };
          if (request.contentType) headers['content-type'] = request.contentType;
          const token = route.auth === 'public' ? undefined : tokens[route.auth];
          const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
          const body = hasBody ? request.body : undefined;
          const before = await tableState(given.db);
          const answer = await given.api(route.method, `${pathFor(route.path, request.segment)}${query ? `?${query}` : ''}`, { token, headers, ...(body !== undefined ? { rawBody: body.text } : {}) });
          const what = `${route.method} ${route.path} with ${body?.kind ?? 'no body'} (${request.contentType || 'no content type'}) ${show(body?.text ?? '')} → ${answer.status} ${show(answer.text)}`;

          expect(answer.status, what).toBeLessThan(500);
          expect(Object.prototype, `prototype polluted by ${what}`).not.toHaveProperty('polluted');
          expect(({} as Record<string, unknown>).polluted, what).toBeUndefined();
          if (answer.status >= 400 && (answer.headers.get('content-type') ?? '').includes('json')) {
            const json = answer.json as { error?: Record<string, unknown> };
            expect(Object.keys(json), what).toEqual(['error']);
            expect(typeof json.error?.code, what).toBe('string');
            expect(typeof json.error?.message, what).toBe('string');
            expect(Object.keys(json.error ?? {}).every((key) => ['code', 'message', 'details'].includes(key)), what).toBe(true);
          }
          if (answer.status >= 400) {
            expect(await tableState(given.db), `state changed by ${what}`).toEqual(before);
          } else if (route.method !== 'GET') {
            // An accepted write may start background work: let it finish before the next comparison
            await quiet();
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    },
    Math.max(120_000, RUNS_PER_ROUTE * 2_000),
  );
});
