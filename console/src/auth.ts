import { User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

/** What the deployment tells the console at `config.json`, beside the console itself. */
export interface ConsoleConfig {
  /** The HTTP API's origin; "" when the API and the console share one. */
  readonly apiUrl: string;
  readonly authority: string;
  readonly clientId: string;
  readonly scope: string;
}

/** The console's base path, as Vite built it (`/console/`). */
export const BASE = import.meta.env.BASE_URL;

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${BASE}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`The console's configuration (config.json) answered ${response.status}.`);
  const config = (await response.json()) as Partial<ConsoleConfig>;
  for (const field of ['apiUrl', 'authority', 'clientId', 'scope'] as const) {
    if (typeof config[field] !== 'string') throw new Error(`The console's configuration (config.json) has no "${field}".`);
  }
  return { ...(config as ConsoleConfig), apiUrl: (config.apiUrl as string).replace(/\/+$/, '') };
}

/** Carried through the provider's round trip: where the admin was when they signed in. */
interface ReturnState {
  readonly returnTo: string;
}

export class Auth {
  private readonly manager: UserManager;

  constructor(config: ConsoleConfig) {
    const origin = window.location.origin;
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: `${origin}${BASE}callback`,
      post_logout_redirect_uri: `${origin}${BASE}`,
      response_type: 'code',
      scope: config.scope,
      // Session storage: the token leaves with the tab and is never shared with other tabs or kept on disk.
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      // An expired token ends the session with a page that says so, rather than a hidden iframe
      // renewal the console has no silent-redirect page for.
      automaticSilentRenew: false,
    });
  }

  /** The signed-in admin, or why there is none. */
  async current(): Promise<{ user: User } | { signedOut: 'never' | 'expired' }> {
    const user = await this.manager.getUser();
    if (!user) return { signedOut: 'never' };
    if (user.expired) return { signedOut: 'expired' };
    return { user };
  }

  signIn(returnTo: string): Promise<void> {
    return this.manager.signinRedirect({ state: { returnTo } satisfies ReturnState });
  }

  /** Finishes the provider's redirect to `/console/callback` and answers where to go back to. */
  async completeSignIn(): Promise<string> {
    const user = await this.manager.signinRedirectCallback();
    const state = user.state as Partial<ReturnState> | undefined;
    // Only a path of the console itself: the state came back through the browser's address bar.
    const returnTo = typeof state?.returnTo === 'string' && state.returnTo.startsWith(BASE) && !state.returnTo.startsWith('//') ? state.returnTo : BASE;
    return returnTo;
  }

  /** Ends the session at the provider; one without an end-session endpoint ends it here only. */
  async signOut(): Promise<'redirected' | 'local'> {
    try {
      const metadata = await this.manager.metadataService.getMetadata();
      if (metadata.end_session_endpoint) {
        await this.manager.signoutRedirect();
        return 'redirected';
      }
    } catch {
      // The provider cannot be reached: signing out here is still what the admin asked for.
    }
    await this.manager.removeUser();
    return 'local';
  }

  /** Calls `ended` when the signed-in admin's token expires while the console is open; answers the unsubscribe. */
  onExpired(ended: () => void): () => void {
    this.manager.events.addAccessTokenExpired(ended);
    return () => this.manager.events.removeAccessTokenExpired(ended);
  }

  forget(): Promise<void> {
    return this.manager.removeUser();
  }
}
