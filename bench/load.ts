import autocannon from 'autocannon';
import { benchStack } from './local';
import { fixed, printTable } from './stats';

/**
 * The local API under load: autocannon with 10 connections against the local gateway, first on the
 * access-decision route the wiki calls on every guest page view, then on 10-address invites. Each
 * run is bounded by a request count and a time limit. Target: no errors, p99 ≤ 4 × p50. Everything
 * (gateway, functions, workflow, DynamoDB Local) shares this machine, so the figures compare runs
 * with each other, not with AWS.
 */
const CONNECTIONS = 10;
const DECISIONS = Number(process.env.BENCH_LOAD_DECISIONS ?? 3000);
const INVITES = Number(process.env.BENCH_LOAD_INVITES ?? 100);
const MAX_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const TARGET_TAIL = 4;

export interface LoadResult {
  readonly route: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly tailRatio: number;
  readonly targetTail: number;
  readonly errors: number;
  readonly non2xx: number;
}

function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => {
      clearTimeout(limit);
      if (error) reject(error);
      else resolve(result);
    });
    // The request count ends a run; this ends one that would take too long on a slow machine.
    const limit = setTimeout(() => instance.stop(), MAX_SECONDS * 1000);
  });
}

function resultOf(route: string, result: autocannon.Result): LoadResult {
  const requests = result['2xx'] + result.non2xx;
  return {
    route,
    requests,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    tailRatio: result.latency.p99 / result.latency.p50,
    targetTail: TARGET_TAIL,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export async function benchLoad(): Promise<LoadResult[]> {
  const bench = await benchStack();
  try {
    const siteId = 'load';
    const { adminToken } = await bench.site(siteId, { userLimit: 10_000, guestRatio: 100 });
    if ((await bench.api('POST', `/sites/${siteId}/spaces`, adminToken, { key: 'ENG', name: 'Engineering' })).status !== 201) throw new Error('bench: space not created');
    const seeded = await bench.api<{ results: { userId: string }[] }>('POST', `/sites/${siteId}/invitations`, adminToken, {
      emails: Array.from({ length: 10 }, (_, n) => `reader${n}@partner.example`),
      roles: { wiki: 'guest' },
      spaceKey: 'ENG',
    });
    const userIds = seeded.json.results.map((row) => row.userId);
    const serviceToken = await bench.stack.signer.sign({ sub: 'wiki', scope: 'access:decide' });

    // Unmeasured calls first: the first call of a route loads its function (a cold start, not load).
    const decide = (userId: string) => bench.api('POST', `/sites/${siteId}/access-decisions`, serviceToken, { userId, spaceKey: 'ENG', client: 'web' });
    for (let warm = 0; warm < 50; warm++) await decide(userIds[warm % userIds.length]!);
    await bench.api('POST', `/sites/${siteId}/invitations`, adminToken, { emails: ['warm@partner.example'], roles: { wiki: 'guest' } });

    /** `amount` POSTs to `path` with 10 connections, the n-th call's JSON body made by `body(n)`. */
    const posts = (path: string, token: string, amount: number, body: (call: number) => unknown) => {
      let call = 0;
      return cannon({
        url: bench.stack.apiUrl,
        connections: CONNECTIONS,
        amount,
        requests: [
          {
            method: 'POST',
            path,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: JSON.stringify(body(call++)) }),
          },
        ],
      });
    };
    const decisions = await posts(`/sites/${siteId}/access-decisions`, serviceToken, DECISIONS, (call) => ({ userId: userIds[call % userIds.length], spaceKey: 'ENG', client: 'web' }));
    const invites = await posts(`/sites/${siteId}/invitations`, adminToken, INVITES, (call) => ({
      emails: Array.from({ length: 10 }, (_, n) => `load${call}-${n}@partner${n % 3}.example`),
      roles: { wiki: 'guest' },
    }));
    const results = [resultOf('POST /sites/{siteId}/access-decisions', decisions), resultOf('POST /sites/{siteId}/invitations (10 addresses)', invites)];
    printTable(
      `Local API under load (autocannon, ${CONNECTIONS} connections; target 0 errors, p99 ≤ ${TARGET_TAIL} × p50)`,
      ['route', 'requests', 'requests/s', 'p50 ms', 'p99 ms', 'p99 ÷ p50', 'errors', 'non-2xx'],
      results.map((row) => [row.route, String(row.requests), fixed(row.requestsPerSecond, 0), fixed(row.p50Ms, 0), fixed(row.p99Ms, 0), fixed(row.tailRatio), String(row.errors), String(row.non2xx)]),
    );
    return results;
  } finally {
    await bench.stop();
  }
}
