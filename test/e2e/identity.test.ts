import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE } from '../../infra/local/jwt';
import { CONSOLE_CLIENT_ID } from '../../infra/local/oidc';
import { startTestStack, type TestSite, type TestStack } from '../support/stack';

/**
 * The local identity provider over plain HTTP, as any OIDC client would use it: discovery, the
 * authorization code flow with PKCE for the console's public client, the sign-in form, and an
 * access token the gateway accepts on the API exactly as it accepts `npm run token`'s.
 */
let given: TestStack;
let site: TestSite;
beforeAll(async () => {
  given = await startTestStack({ console: true });
  site = await given.createSite();
});
afterAll(() => given?.close());

/** A browser's cookie jar, enough for one sign-in. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!.trim(), value.join('='));
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function follow(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  jar.take(response);
  return response;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

async function signIn(email: string, password: string) {
  const discovery = (await (await fetch(`${given.stack.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  const verifier = base64url(randomBytes(32));
  const redirectUri = `${given.stack.apiUrl}/console/callback`;
  const authorize = new URL(discovery.authorization_endpoint!);
  authorize.search = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID, response_type: 'code', scope: 'openid email profile', redirect_uri: redirectUri, state: 'st', nonce: 'nn',
    code_challenge: base64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  }).toString();
  const jar = new Jar();
  const toLogin = await follow(jar, authorize.toString());
  expect(toLogin.status).toBe(303);
  const loginUrl = new URL(toLogin.headers.get('location')!, given.stack.apiUrl).toString();
  const page = await follow(jar, loginUrl);
  const html = await page.text();
  const action = /action="([^"]+)"/.exec(html)![1]!;
  const posted = await follow(jar, new URL(action, given.stack.apiUrl).toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password }).toString() });
  return { discovery, jar, verifier, redirectUri, page, html, posted };
}

type SignedIn = Awaited<ReturnType<typeof signIn>>;

/** Follows the provider's redirects after the sign-in form to the console's callback URL. */
async function redirectToConsole(signedIn: SignedIn): Promise<URL> {
  let hop = signedIn.posted;
  for (let hops = 0; hops < 5; hops++) {
    expect(hop.status, `hop ${hops}`).toBeGreaterThanOrEqual(300);
    const location = new URL(hop.headers.get('location')!, given.stack.apiUrl);
    if (location.toString().startsWith(signedIn.redirectUri)) return location;
    hop = await follow(signedIn.jar, location.toString());
  }
  throw new Error('the provider never redirected to the console');
}

const exchange = (signedIn: SignedIn, code: string, codeVerifier: string) =>
  fetch(signedIn.discovery.token_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: signedIn.redirectUri, client_id: CONSOLE_CLIENT_ID, code_verifier: codeVerifier }).toString(),
  });

describe('the local identity provider', () => {
  it('publishes its discovery document and keys at the issuer the gateway trusts', async () => {
    const discovery = (await (await fetch(`${given.stack.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: given.stack.issuer, code_challenge_methods_supported: expect.arrayContaining(['S256']) });
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' })]);
    // The public set only: no private part leaves the provider.
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('signs an admin in with the code flow and PKCE; the access token works on the API', async () => {
    const signedIn = await signIn(`admin@${site.siteId}.example`, given.consolePassword);
    expect(signedIn.page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(signedIn.html).toMatch(/<label for="email">/);
    expect(signedIn.html).toMatch(/<label for="password">/);
    const callback = await redirectToConsole(signedIn);
    expect(callback.origin + callback.pathname).toBe(signedIn.redirectUri);
    expect(callback.searchParams.get('state')).toBe('st');
    const code = callback.searchParams.get('code')!;

    // Without its verifier the code is worthless (PKCE); with it, it works once.
    expect((await exchange(signedIn, code, base64url(randomBytes(32)))).status).toBe(400);
    const answer = await exchange(signedIn, code, signedIn.verifier);
    expect(answer.status).toBe(200);
    expect((await exchange(signedIn, code, signedIn.verifier)).status).toBe(400);
    const tokens = (await answer.json()) as { access_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ iss: given.stack.issuer, aud: LOCAL_AUDIENCE, sub: site.adminUserId });
    const seats = await given.api('GET', `/sites/${site.siteId}/seats`, { token: tokens.access_token });
    expect(seats.status, seats.text).toBe(200);
    // Another site's admin route says 403 to this admin: the token names a person, not a site.
    const other = await given.createSite();
    expect((await given.api('GET', `/sites/${other.siteId}/seats`, { token: tokens.access_token })).status).toBe(403);
  });

  it('refuses a wrong password and an address that is no admin, in words, on the same form', async () => {
    for (const [email, password] of [[`admin@${site.siteId}.example`, 'not-the-password'], ['nobody@partner.example', given.consolePassword]] as const) {
      const { posted } = await signIn(email, password);
      expect(posted.status).toBe(401);
      const html = await posted.text();
      expect(html).toContain('do not match an administrator');
      expect(html).toContain('role="alert"');
    }
  });
});

describe('the console as the local stack serves it', () => {
  it('serves the app, its config and the callback route with the security headers, and nothing outside its folder', async () => {
    const index = await fetch(`${given.stack.apiUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await index.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)![1]!;
    const asset = await fetch(new URL(script, `${given.stack.apiUrl}/console/`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');

    const callback = await fetch(`${given.stack.apiUrl}/console/callback?code=x&state=y`);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toBe(html);
    const config = await (await fetch(`${given.stack.apiUrl}/console/config.json`)).json();
    expect(config).toEqual({ apiUrl: '', authority: given.stack.issuer, clientId: CONSOLE_CLIENT_ID, scope: 'openid email profile' });

    // The console is built beside the stack's signing key: a path that climbs out would reach it.
    for (const path of ['/console/../signing-key.json', '/console/%2e%2e/signing-key.json', '/console/..%2fsigning-key.json', '/console/assets/%2e%2e%2f%2e%2e%2fsigning-key.json', '/console/assets/nope.js', '/console/%00']) {
      const answer = await fetch(`${given.stack.apiUrl}${path}`);
      expect(answer.status, path).toBe(404);
      expect(await answer.text(), path).not.toContain('privateJwk');
    }
    expect((await fetch(`${given.stack.apiUrl}/console/`, { method: 'POST' })).status).toBe(405);
  });
});
