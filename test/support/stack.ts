import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { buildConsole } from '../../console/build';
import { directoryOf } from './directory';

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly json: T;
  readonly text: string;
}

export interface SentEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { to: string[] };
  readonly subject: string;
  readonly body: { html?: string; text?: string };
  readonly at: number;
}

export interface TestSite {
  readonly siteId: string;
  readonly adminUserId: string;
  readonly adminToken: string;
}

/**
 * The local stack in this test file's process (own table, own gateway and Step Functions
 * endpoint), with the calls the end-to-end tests make: `when.we_call(...)` over real HTTP.
 */
export async function startTestStack(options: { inviteExpirySeconds?: number; console?: boolean; consoleTokenSeconds?: number; log?: (line: string) => void } = {}) {
  const sesEndpoint = inject('sesEndpoint');
  const stackId = randomUUID().slice(0, 8);
  // One SES stand-in serves every test file: each stack sends from its own address, so a file
  // only ever sees its own mail even when two files invite the same address.
  const senderAddress = `no-reply-${stackId}@guestpass.local`;
  const stateDir = mkdtempSync(join(tmpdir(), 'guestpass-key-'));
  const tableName = `e2e-${stackId}`;
  // Every admin signs in to the console with this one password, as `npm start`'s local one.
  const consolePassword = `pw-${randomUUID()}`;
  const consoleDir = options.console ? await buildConsole(join(stateDir, 'console')) : undefined;
  const stack: LocalStack = await startLocalStack({
    dynamoEndpoint: inject('dynamoEndpoint'),
    sesEndpoint,
    senderAddress,
    tableName,
    keyFile: join(stateDir, 'signing-key.json'),
    twoStepKeyFile: join(stateDir, 'two-step-key'),
    retryIntervalScale: 0.001,
    consolePassword,
    ...(consoleDir ? { consoleDir } : {}),
    ...(options.consoleTokenSeconds !== undefined ? { consoleTokenSeconds: options.consoleTokenSeconds } : {}),
    ...(options.inviteExpirySeconds !== undefined ? { inviteExpirySeconds: options.inviteExpirySeconds } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const operatorToken = await stack.signer.sign({ sub: 'operator', scope: 'sites:manage' });

  async function api<T = Record<string, unknown>>(
    method: string,
    path: string,
    init: { token?: string | undefined; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(init.body);
    }
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let json = {} as T;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) json = JSON.parse(text) as T;
    return { status: response.status, headers: response.headers, json, text };
  }

  async function createSite(overrides: Record<string, unknown> = {}): Promise<TestSite> {
    const siteId = `site-${randomUUID().slice(0, 8)}`;
    const created = await api<{ admins: { userId: string }[] }>('POST', '/sites', {
      token: operatorToken,
      body: {
        siteId,
        name: `Site ${siteId}`,
        orgId: `org-${siteId}`,
        plan: 'standard',
        userLimit: 50,
        admins: [{ email: `admin@${siteId}.example`, displayName: 'Ada Admin' }],
        ...overrides,
      },
    });
    if (created.status !== 201) throw new Error(`createSite: ${created.status} ${created.text}`);
    const adminUserId = created.json.admins[0]!.userId;
    return { siteId, adminUserId, adminToken: await stack.signer.sign({ sub: adminUserId }) };
  }

  async function mailTo(address: string): Promise<SentEmail[]> {
    const response = await fetch(`${sesEndpoint}/store`);
    const { emails } = (await response.json()) as { emails: SentEmail[] };
    return emails.filter((email) => email.from === senderAddress && email.destination.to.includes(address));
  }

  /** The stack's table, for state a test sets up directly (no route sets it yet) and checks it keeps. */
  const db = directoryOf(tableName);
  return { stack, api, createSite, mailTo, operatorToken, db, stateDir, consolePassword, close: () => stack.close() };
}

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/** Polls until `check` returns a value (not undefined/false), failing with the last state. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, { timeoutMs = 15_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The invitation link in an email's text part. */
export function linkIn(email: SentEmail): string {
  const match = /https?:\/\/\S+\/invitations\/([A-Za-z0-9_-]{43})/.exec(email.body.text ?? '');
  if (!match) throw new Error('No invitation link in the email');
  return match[1]!;
}
