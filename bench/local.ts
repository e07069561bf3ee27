import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDynamoDbLocal, startSesLocal } from '../infra/local/services';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../infra/local/stack';

export interface Invocations {
  count: number;
  /** Billed milliseconds: each invocation's duration rounded up to the next millisecond, as Lambda bills. */
  billedMs: number;
  readonly byFunction: Map<string, number>;
  readonly billedMsByFunction: Map<string, number>;
}

export interface BenchStack {
  readonly stack: LocalStack;
  readonly sesEndpoint: string;
  readonly invocations: Invocations;
  /** Requests this bench sent to the HTTP API (what API Gateway would bill). */
  apiRequests: number;
  api<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** Creates a site over the API; its admin's token. */
  site(siteId: string, overrides?: Record<string, unknown>): Promise<{ adminToken: string }>;
  mail(): Promise<{ destination: { to: string[] }; subject: string; body: { text?: string } }[]>;
  stop(): Promise<void>;
}

/** The whole local stack in this process, as `npm start` runs it, with every invocation counted. */
export async function benchStack(options: Partial<LocalStackOptions> = {}): Promise<BenchStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'guestpass-bench-'));
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesLocal({ port: await freePort() });
  const invocations: Invocations = { count: 0, billedMs: 0, byFunction: new Map(), billedMsByFunction: new Map() };
  const stack = await startLocalStack({
    dynamoEndpoint: dynamo.endpoint,
    sesEndpoint: ses.endpoint,
    tableName: 'bench-stack',
    keyFile: join(stateDir, 'signing-key.json'),
    senderAddress: 'no-reply@bench.guestpass.local',
    onInvocation: ({ functionName, millis }) => {
      invocations.count += 1;
      invocations.billedMs += Math.ceil(millis);
      invocations.byFunction.set(functionName, (invocations.byFunction.get(functionName) ?? 0) + 1);
      invocations.billedMsByFunction.set(functionName, (invocations.billedMsByFunction.get(functionName) ?? 0) + Math.ceil(millis));
    },
    ...options,
  });
  const bench: BenchStack = {
    stack,
    sesEndpoint: ses.endpoint,
    invocations,
    apiRequests: 0,
    async api<T>(method: string, path: string, token?: string, body?: unknown) {
      bench.apiRequests += 1;
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: (text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : {}) as T };
    },
    async site(siteId, overrides = {}) {
      const operator = await stack.signer.sign({ sub: 'operator', scope: 'sites:manage' });
      const created = await bench.api<{ admins: { userId: string }[] }>('POST', '/sites', operator, {
        siteId, name: `Site ${siteId}`, orgId: `org-${siteId}`, plan: 'premium', userLimit: 50_000, admins: [{ email: `admin@${siteId}.example`, displayName: 'Ada Admin' }], ...overrides,
      });
      if (created.status !== 201) throw new Error(`bench: site ${siteId} not created (${created.status} ${JSON.stringify(created.json)})`);
      return { adminToken: await stack.signer.sign({ sub: created.json.admins[0]!.userId }) };
    },
    async mail() {
      const { emails } = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Awaited<ReturnType<BenchStack['mail']>> };
      return emails;
    },
    async stop() {
      await stack.close();
      await ses.stop();
      await dynamo.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return bench;
}
