/**
 * The admin console's security headers, one definition for both places that serve it: the CDK
 * app's CloudFront response-headers policy and the local gateway. Scripts and styles from the
 * console's own origin only (the build emits no inline script or style); the page may call its
 * own origin, the API's and the identity provider's (oidc-client-ts reads the discovery document
 * and redeems the code from the page; a provider's token endpoint may be on an origin of its
 * own, as Cognito's hosted domain is); no framing, no referrer, nothing else loaded.
 */
export function consoleContentSecurityPolicy(...connectOrigins: readonly string[]): string {
  const connect = ["'self'", ...new Set(connectOrigins)].join(' ');
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src ${connect}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
}

/** Where the console lives under its origin (Vite's `base`), and its sign-in callback. */
export const CONSOLE_BASE_PATH = '/console/';
export const CONSOLE_CALLBACK_PATH = '/console/callback';
export const CONSOLE_SCOPE = 'openid email profile';
