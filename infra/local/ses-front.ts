import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A front for aws-ses-v2-local, so the SES endpoint of the local stack answers the AWS CLI and the
 * SDKs as SES does. The stand-in's `POST /` only knows SendEmail and SendRawEmail and never
 * answers any other action (the caller waits for its read timeout), and its `GET /v2/email/account`
 * answers 400 unless an account is given to it as JSON in `AWS_SES_ACCOUNT` (with an error body
 * whose `type` field the SDKs do not read, so the CLI only says "An error occurred (400)").
 *
 * This front answers the account and identity calls itself (SES v1 is the AWS Query protocol:
 * form-encoded `Action=…` POSTs to `/`, XML answers; SES v2 is REST-JSON), forwards unchanged
 * what the stand-in does know (sending, v2 templates, the mail viewer and its `/store`), and
 * refuses everything else at once with a 400 shaped as SES shapes its errors.
 */

/** The address the local stack sends from when none is configured (`SENDER_ADDRESS` in stack.ts). */
export const DEFAULT_LOCAL_SENDER = 'no-reply@guestpass.local';

/** A production account's quota (no sandbox: the stand-in delivers to any address). */
export const LOCAL_SEND_QUOTA = { max24HourSend: 50_000, maxSendRate: 14 } as const;

const SES_XMLNS = 'http://ses.amazonaws.com/doc/2010-12-01/';
/** The stand-in's own body limit (express json/urlencoded at 25 MB), plus room for the form encoding. */
const MAX_REQUEST_BYTES = 26 * 1024 * 1024;
/** The most identities ListIdentities answers in one page, as in SES. */
const MAX_LIST_ITEMS = 1000;

export interface SesFrontOptions {
  /** Where the front listens on 127.0.0.1; 0 picks a free port. */
  readonly port: number;
  /** The stand-in behind it, e.g. `http://127.0.0.1:41234`. */
  readonly upstream: string;
  /**
   * Identities that count as verified from the start. When none are given, the local stack's
   * sender: `SENDER_ADDRESS` of this process when it is set (the stack sets it when it starts),
   * else DEFAULT_LOCAL_SENDER.
   */
  readonly identities?: readonly string[];
}

export interface SesFront {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

class SesError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (text: string) =>
  text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] ?? char);

/** One Query-protocol answer: `<XResponse><XResult>…</XResult><ResponseMetadata>…</…>`. */
function queryResponse(action: string, result: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${SES_XMLNS}">` +
    (result ? `<${action}Result>${result}</${action}Result>` : `<${action}Result/>`) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>\n`
  );
}

function queryError(error: SesError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${SES_XMLNS}">` +
    `<Error><Type>Sender</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId>` +
    `</ErrorResponse>\n`
  );
}

/** `Identities.member.1=a&Identities.member.2=b` → `['a', 'b']`, in member order. */
function members(params: URLSearchParams, name: string): string[] {
  const found: [number, string][] = [];
  for (const [key, value] of params) {
    const match = new RegExp(`^${name}\\.member\\.(\\d+)$`).exec(key);
    if (match) found.push([Number(match[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** SES checks little more than the shape: a local part, one @, a domain. */
const looksLikeEmail = (address: string) => /^[^\s@<>]+@[^\s@<>]+$/.test(address);

/** The caller signed the request somehow (SES refuses unsigned calls; the stand-in checks the same). */
function requireSigned(headers: IncomingHttpHeaders): void {
  const authorization = headers.authorization;
  if (!authorization && !headers['x-amz-security-token']) {
    throw new SesError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  }
  if (authorization && !authorization.startsWith('AWS')) {
    throw new SesError(403, 'IncompleteSignature', 'Authorization header requires an AWS signature');
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new SesError(413, 'RequestEntityTooLarge', `Request body larger than ${MAX_REQUEST_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** What the stand-in answers itself: sending, v2 templates, and the mail viewer. */
function isStandInRoute(method: string, path: string): boolean {
  if (method === 'GET' && ['/', '/store', '/health-check', '/get-emlContent'].includes(path)) return true;
  if (method === 'POST' && path === '/clear-store') return true;
  if (method === 'POST' && (path === '/v2/email/outbound-emails' || path === '/v2/email/outbound-bulk-emails')) return true;
  if (/^\/v2\/email\/templates\/?$/.test(path)) return method === 'GET' || method === 'POST';
  if (/^\/v2\/email\/templates\/[^/]+$/.test(path)) return method === 'GET' || method === 'PUT' || method === 'DELETE';
  return method === 'POST' && /^\/v2\/email\/templates\/[^/]+\/render$/.test(path);
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** The SES v1 actions the stand-in implements; every other action is answered here or refused. */
const STAND_IN_ACTIONS = new Set(['SendEmail', 'SendRawEmail']);

export async function startSesFront(options: SesFrontOptions): Promise<SesFront> {
  const upstream = new URL(options.upstream);
  const verified = new Set<string>(options.identities ?? []);
  const identities = (): string[] => {
    const sender = options.identities ? [] : [process.env.SENDER_ADDRESS || DEFAULT_LOCAL_SENDER];
    return [...new Set([...sender, ...verified])];
  };

  /** Emails the stand-in took in the last 24 hours (its store keeps `at` in epoch seconds). */
  async function sentLast24Hours(): Promise<number> {
    const since = Math.floor(Date.now() / 1000) - 86_400;
    const response = await fetch(new URL(`/store?since=${since}`, upstream), { signal: AbortSignal.timeout(5_000) });
    const { emails } = (await response.json()) as { emails?: unknown[] };
    return emails?.length ?? 0;
  }

  const v1Actions: Record<string, (params: URLSearchParams) => Promise<string>> = {
    async ListIdentities(params) {
      const type = params.get('IdentityType');
      if (type !== null && type !== 'EmailAddress' && type !== 'Domain') {
        throw new SesError(400, 'ValidationError', `1 validation error detected: Value '${type}' at 'identityType' failed to satisfy constraint: Member must satisfy enum value set: [EmailAddress, Domain]`);
      }
      const all = identities().filter((identity) => type === null || (type === 'EmailAddress') === identity.includes('@'));
      const maxItems = Math.min(Number(params.get('MaxItems') ?? MAX_LIST_ITEMS) || MAX_LIST_ITEMS, MAX_LIST_ITEMS);
      const start = Number(params.get('NextToken') ?? 0);
      if (!Number.isInteger(start) || start < 0) throw new SesError(400, 'InvalidParameterValue', 'Invalid NextToken');
      const page = all.slice(start, start + maxItems);
      const next = start + maxItems < all.length ? `<NextToken>${start + maxItems}</NextToken>` : '';
      return `<Identities>${page.map((identity) => `<member>${xmlEscape(identity)}</member>`).join('')}</Identities>${next}`;
    },
    async GetSendQuota() {
      const sent = await sentLast24Hours();
      return (
        `<SentLast24Hours>${sent.toFixed(1)}</SentLast24Hours>` +
        `<Max24HourSend>${LOCAL_SEND_QUOTA.max24HourSend.toFixed(1)}</Max24HourSend>` +
        `<MaxSendRate>${LOCAL_SEND_QUOTA.maxSendRate.toFixed(1)}</MaxSendRate>`
      );
    },
    async VerifyEmailIdentity(params) {
      const address = params.get('EmailAddress') ?? '';
      if (!looksLikeEmail(address)) throw new SesError(400, 'InvalidParameterValue', `Invalid email address<${address}>.`);
      // SES mails a link and the identity stays Pending until it is followed; nobody can follow it here.
      verified.add(address);
      return '';
    },
    async GetIdentityVerificationAttributes(params) {
      const known = new Set(identities());
      // SES leaves identities it does not know out of the map rather than failing the call.
      const entries = members(params, 'Identities')
        .filter((identity) => known.has(identity))
        .map((identity) => `<entry><key>${xmlEscape(identity)}</key><value><VerificationStatus>Success</VerificationStatus></value></entry>`);
      return `<VerificationAttributes>${entries.join('')}</VerificationAttributes>`;
    },
  };

  /** Sends the request on to the stand-in as it came (or with the body already read). */
  function forward(request: IncomingMessage, response: ServerResponse, body?: Buffer): void {
    const headers = { ...request.headers, host: upstream.host };
    if (body) headers['content-length'] = String(body.length);
    const proxied = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers },
      (answer) => {
        // Hop-by-hop headers belong to the connection to the stand-in, not to the caller's.
        const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
        response.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(response);
      },
    );
    proxied.on('error', (error) => {
      if (response.headersSent) return response.destroy();
      sendJsonError(response, new SesError(502, 'ServiceUnavailable', `The SES stand-in did not answer: ${error.message}`), randomUUID());
    });
    if (body) proxied.end(body);
    else request.pipe(proxied);
  }

  function sendXml(response: ServerResponse, status: number, xml: string, requestId: string): void {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(xml) });
    response.end(xml);
  }

  function sendJsonError(response: ServerResponse, error: SesError, requestId: string): void {
    const body = JSON.stringify({ message: error.message });
    response.writeHead(error.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': requestId,
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  /** SES v1: `POST /` with a form body, or `GET /?Action=…`. */
  async function handleQuery(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
    const requestId = randomUUID();
    try {
      const raw = request.method === 'POST' ? await readBody(request) : undefined;
      const params = raw ? new URLSearchParams(raw.toString('utf8')) : query;
      const action = params.get('Action');
      if (action && STAND_IN_ACTIONS.has(action)) {
        if (raw) return forward(request, response, raw);
        throw new SesError(400, 'InvalidAction', `${action} must be sent as a POST to / (the local SES stand-in does not take it in a query string).`);
      }
      if (!action) throw new SesError(400, 'MissingAction', 'Missing Action: the request names no Action parameter.');
      const handler = Object.hasOwn(v1Actions, action) ? v1Actions[action] : undefined;
      if (!handler) {
        throw new SesError(
          400,
          'InvalidAction',
          `The action ${action} is not valid for this endpoint: the local SES stand-in answers ${[...Object.keys(v1Actions), ...STAND_IN_ACTIONS].join(', ')}.`,
        );
      }
      requireSigned(request.headers);
      sendXml(response, 200, queryResponse(action, await handler(params), requestId), requestId);
    } catch (error) {
      const known = error instanceof SesError ? error : new SesError(500, 'InternalFailure', (error as Error).message);
      sendXml(response, known.status, queryError(known, requestId), requestId);
    }
  }

  /** SES v2 (REST-JSON) calls answered here. */
  async function getAccount(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      requireSigned(request.headers);
      const body = JSON.stringify({
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: { Max24HourSend: LOCAL_SEND_QUOTA.max24HourSend, MaxSendRate: LOCAL_SEND_QUOTA.maxSendRate, SentLast24Hours: await sentLast24Hours() },
        SuppressionAttributes: { SuppressedReasons: [] },
      });
      response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
      response.end(body);
    } catch (error) {
      sendJsonError(response, error instanceof SesError ? error : new SesError(500, 'InternalFailure', (error as Error).message), requestId);
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const method = request.method ?? 'GET';
    const path = url.pathname;
    if (path === '/' && (method === 'POST' || url.searchParams.has('Action'))) {
      void handleQuery(request, response, url.searchParams);
      return;
    }
    if (method === 'GET' && path === '/v2/email/account') {
      void getAccount(request, response);
      return;
    }
    if (isStandInRoute(method, path)) return forward(request, response);
    // Drain whatever was sent so the connection can be reused, and answer now.
    request.resume();
    sendJsonError(
      response,
      new SesError(400, 'UnknownOperationException', `The local SES stand-in does not implement ${method} ${path}.`),
      randomUUID(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
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
