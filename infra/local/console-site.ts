import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { consoleContentSecurityPolicy } from '../console-headers';

/**
 * The admin console as the local stack serves it: the built files under `/console/`, its
 * `config.json` (where the API and the identity provider are), and `index.html` for any other path
 * below (the console routes in the browser: `/console/callback` ends the sign-in). The headers are
 * the ones the CDK app's CloudFront response-headers policy sets (infra/constructs/console-site.ts).
 */
export interface ConsoleSite {
  /** A folder holding the built console (`buildConsole()`). */
  readonly dir: string;
  readonly config: ConsoleConfig;
}

export interface ConsoleConfig {
  /** Where the API is; empty when it is the console's own origin. */
  readonly apiUrl: string;
  readonly authority: string;
  readonly clientId: string;
  readonly scope: string;
}

export const CONSOLE_PATH = '/console';

/** The console's content security policy: its own scripts and styles only, API calls to its origin or `apiUrl`. */
export function consoleSecurityHeaders(...connectOrigins: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(...connectOrigins),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'cross-origin-opener-policy': 'same-origin',
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Answers a request for the console; false when the path is not the console's. */
export async function serveConsole(site: ConsoleSite, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== CONSOLE_PATH && !url.pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
  const headers = consoleSecurityHeaders(...[site.config.apiUrl, site.config.authority].filter((url) => url !== '').map((url) => new URL(url).origin));
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed');
    return true;
  }
  if (url.pathname === CONSOLE_PATH) {
    response.writeHead(308, { ...headers, location: `${CONSOLE_PATH}/${url.search}` }).end();
    return true;
  }
  if (url.pathname === `${CONSOLE_PATH}/config.json`) {
    response.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : JSON.stringify(site.config));
    return true;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname.slice(CONSOLE_PATH.length + 1));
  } catch {
    relative = '\0';
  }
  const file = normalize(join(site.dir, relative));
  // Nothing outside the console's folder, whatever the path says (`..`, encoded separators, NUL).
  const inside = !relative.includes('\0') && (file === site.dir || file.startsWith(site.dir.endsWith(sep) ? site.dir : `${site.dir}${sep}`));
  if (!inside) {
    response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return true;
  }
  const found = relative !== '' && (await stat(file).catch(() => undefined))?.isFile();
  // A path with an extension is a file that is missing; any other is a view of the single-page app.
  if (!found && extname(relative) !== '') {
    response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return true;
  }
  const served = found ? file : join(site.dir, 'index.html');
  const body = await readFile(served);
  const immutable = found && relative.startsWith('assets/');
  response.writeHead(200, { ...headers, 'content-type': TYPES[extname(served)] ?? 'application/octet-stream', 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
