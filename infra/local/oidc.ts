import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import Provider, { errors, type Adapter, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ORG_ADMIN_TYPE } from '../../shared/directory/entities/org-admin';
import { PERSON_TYPE } from '../../shared/directory/entities/person';
import { LOCAL_AUDIENCE } from './jwt';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './services';

/**
 * The local identity provider: a real OpenID Connect provider (oidc-provider) at `${apiUrl}/oidc`,
 * the issuer the local gateway's JWT check trusts. The console signs in with the authorization code
 * flow and PKCE as a public client; access tokens are JWTs for the API (audience `guestpass`,
 * `sub` the admin's user id), signed with the same key as `npm run token`'s. Accounts are the
 * directory's admins (site admins who are active, and org admins), each signing in with their
 * address and the stack's one local password.
 */
export const CONSOLE_CLIENT_ID = 'guestpass-console';
export const OIDC_PATH = '/oidc';

export interface LocalIdentityOptions {
  readonly apiUrl: string;
  readonly privateJwk: JWK;
  readonly password: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  /** Access tokens' lifetime; tests shorten it to watch a session end. */
  readonly accessTokenSeconds?: number;
}

export interface LocalIdentity {
  readonly issuer: string;
  /** Answers a request under `/oidc`; false when the path is not the provider's. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

interface Admin {
  readonly userId: string;
  readonly email: string;
  readonly name?: string | undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#172b4d}main{max-width:24rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px}@media (max-width:30rem){main{margin:0;border-radius:0}}label{display:block;margin-top:1rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #505f79;border-radius:4px}button{margin-top:1.5rem;margin-right:.5rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#0747a6;border:0;border-radius:4px}button.secondary{color:#0747a6;background:#fff;border:1px solid #0747a6}p.problem{color:#ae2a19;font-weight:600}:focus-visible{outline:3px solid #0747a6;outline-offset:2px}`;

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · guestpass</title><style>${PAGE_STYLE}</style>
</head><body><main>
${body}
</main></body></html>`;

/** The sign-in page: no script, one form, the provider's cookies tie it to the authorization request. */
function signInPage(uid: string, problem?: string, email = ''): string {
  return page('Sign in', `
<h1>Sign in to guestpass</h1>
<p>Sign in with your administrator account to open the admin console.</p>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="${OIDC_PATH}/interaction/${encodeURIComponent(uid)}/login">
<label for="email">Email address</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('sign-in form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The provider's sessions, grants and codes, in this process's memory: a local stack's sign-ins end
 * with it, as its workflow executions do. (Our own, so the provider does not warn at every start
 * that its development store is in use.)
 */
function memoryAdapter(): new (model: string) => Adapter {
  const items = new Map<string, { payload: AdapterPayload; expiresAt?: number }>();
  const live = (key: string) => {
    const item = items.get(key);
    if (item?.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      items.delete(key);
      return undefined;
    }
    return item?.payload;
  };
  return class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      items.set(this.key(id), { payload, ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}) });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUserCode(userCode: string) {
      return [...items.keys()].filter((key) => key.startsWith(`${this.model}:`)).map(live).find((payload) => payload?.userCode === userCode);
    }
    async findByUid(uid: string) {
      return [...items.keys()].filter((key) => key.startsWith(`${this.model}:`)).map(live).find((payload) => payload?.uid === uid);
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      items.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, item] of items) if (item.payload.grantId === grantId) items.delete(key);
    }
  };
}

export async function startLocalIdentity(options: LocalIdentityOptions): Promise<LocalIdentity> {
  const issuer = `${options.apiUrl}${OIDC_PATH}`;
  const resource = `${options.apiUrl}/`;
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: options.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));

  // A local stack holds a few sites: finding an admin by address reads the table, which no product
  // path does. Active site admins and org admins can sign in; anyone else cannot.
  async function admins(match: (admin: Admin) => boolean): Promise<Admin | undefined> {
    for await (const page of paginateScan({ client: db }, { TableName: options.tableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        const isAdmin = (item.type === PERSON_TYPE && typeof item.adminRole === 'string' && item.status === 'active') || item.type === ORG_ADMIN_TYPE;
        if (!isAdmin || typeof item.userId !== 'string' || typeof item.email !== 'string') continue;
        const admin = { userId: item.userId, email: item.email, name: typeof item.displayName === 'string' ? item.displayName : undefined };
        if (match(admin)) return admin;
      }
    }
    return undefined;
  }

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        redirect_uris: [`${options.apiUrl}/console/callback`],
        post_logout_redirect_uris: [`${options.apiUrl}/console/`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...options.privateJwk, alg: 'ES256', use: 'sig', kid: 'guestpass-local' } as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'email', 'profile'],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    pkce: { required: () => true },
    ttl: { AccessToken: options.accessTokenSeconds ?? 3600, IdToken: options.accessTokenSeconds ?? 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600, AuthorizationCode: 60 },
    async findAccount(_ctx: KoaContextWithOIDC, id: string) {
      const admin = await admins((candidate) => candidate.userId === id);
      if (!admin) return undefined;
      return { accountId: admin.userId, claims: async () => ({ sub: admin.userId, email: admin.email, ...(admin.name ? { name: admin.name } : {}) }) };
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `${OIDC_PATH}/interaction/${interaction.uid}` },
    // The console is our own client: what it asks for is granted without a consent screen.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      grant.addResourceScope(resource, 'openid email profile');
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // The provider's own form (its xsrf field) with our words: a sign-out is confirmed, not silent.
        logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out',
            `<h1>Sign out of guestpass?</h1><p>You will need your password to open the admin console again.</p>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button><button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>`,
          );
        },
        postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>You are signed out</h1><p><a href="/console/">Open the admin console</a></p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx: KoaContextWithOIDC, indicator: string) {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: 'openid email profile',
            audience: LOCAL_AUDIENCE,
            accessTokenTTL: options.accessTokenSeconds ?? 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = page('Sign-in problem', `<h1>Sign-in problem</h1><p>${escapeHtml(String(out.error_description ?? out.error ?? 'Something went wrong.'))}</p><p><a href="/console/">Back to the console</a></p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
    if (!match) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };
    const details = await provider.interactionDetails(request, response);
    if (details.uid !== match[1]) throw new errors.SessionNotFound('interaction session and URL do not match');
    if (!match[2] || request.method !== 'POST') {
      response.writeHead(200, headers).end(signInPage(details.uid));
      return;
    }
    const form = await readForm(request);
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const admin = sameSecret(form.get('password') ?? '', options.password) ? await admins((candidate) => candidate.email === email) : undefined;
    if (!admin) {
      response.writeHead(401, headers).end(signInPage(details.uid, 'That address and password do not match an administrator. Check both and try again.', email));
      return;
    }
    await provider.interactionFinished(request, response, { login: { accountId: admin.userId } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    async handle(request, response) {
      const url = request.url ?? '/';
      if (url !== OIDC_PATH && !url.startsWith(`${OIDC_PATH}/`) && !url.startsWith(`${OIDC_PATH}?`)) return false;
      const path = url.slice(OIDC_PATH.length) || '/';
      if (path.startsWith('/interaction/')) {
        try {
          await interaction(request, response, path.split('?')[0]!);
        } catch (error) {
          if (!response.headersSent) response.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in problem', `<h1>Sign-in problem</h1><p>${escapeHtml((error as Error).message)}</p><p><a href="/console/">Start again</a></p>`));
        }
        return true;
      }
      // The provider routes on paths below its issuer, as when mounted under a prefix.
      (request as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      request.url = path;
      await new Promise<void>((resolve) => {
        response.once('finish', resolve);
        response.once('close', resolve);
        void callback(request, response);
      });
      return true;
    },
  };
}
