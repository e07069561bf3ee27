import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';

/**
 * The audience of the API's tokens. Their issuer is the local identity provider at
 * `${apiUrl}/oidc` (./oidc.ts), which signs with the same key as `npm run token`.
 */
export const LOCAL_AUDIENCE = 'guestpass';
/** The issuer of a stack whose API listens on `apiUrl`. */
export const localIssuer = (apiUrl: string) => `${apiUrl.replace(/\/+$/, '')}/oidc`;

interface StoredKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export interface LocalSigner {
  readonly issuer: string;
  /** The signing key, for the identity provider that issues the console's tokens with it. */
  readonly privateJwk: JWK;
  sign(claims: { sub: string; scope?: string; expiresIn?: string }): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

/**
 * Why a bearer token was refused, in words that say what to fix. API Gateway's own JWT authorizer
 * answers a bare 401 in AWS; locally the gateway can tell the cases apart, so it does.
 */
export function tokenRefusal(issuer: string, authorization: string | undefined, error?: unknown): string {
  if (!authorization) return 'An "Authorization: Bearer <token>" header is required.';
  if (!/^Bearer\s+\S+$/i.test(authorization)) return 'The Authorization header must be "Bearer <token>".';
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? new Date(error.payload.exp * 1000).toISOString() : 'an unknown time';
    return `The bearer token expired at ${exp}; get a new one.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The bearer token’s signature does not match the issuer’s key.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return `The bearer token was not issued by ${issuer}.`;
    if (error.claim === 'aud') return `The bearer token is not meant for this API (audience "${LOCAL_AUDIENCE}").`;
    if (error.claim === 'nbf') return 'The bearer token is not valid yet.';
    return `The bearer token’s "${error.claim}" claim is not valid.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The bearer token is signed with an algorithm this API does not accept.';
  return 'The bearer token is malformed: it is not a signed JWT.';
}

/** Loads the local signing key, creating it on first use, so `npm run token` signs what the gateway accepts. */
export async function localSigner(keyFile: string, issuer: string): Promise<LocalSigner> {
  let stored: StoredKey;
  if (existsSync(keyFile)) {
    stored = JSON.parse(readFileSync(keyFile, 'utf8')) as StoredKey;
  } else {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    stored = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify(stored), { mode: 0o600 });
  }
  const privateKey = await importJWK(stored.privateJwk, 'ES256');
  const publicKey = await importJWK(stored.publicJwk, 'ES256');
  return {
    issuer,
    privateJwk: stored.privateJwk,
    sign: ({ sub, scope, expiresIn = '12h' }) =>
      new SignJWT(scope ? { scope } : {})
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
    verify: async (token) => (await jwtVerify(token, publicKey, { issuer, audience: LOCAL_AUDIENCE, algorithms: ['ES256'] })).payload,
  };
}
