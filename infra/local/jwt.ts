import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';

/** The local stand-in for the identity provider whose tokens the API Gateway JWT authorizer trusts. */
export const LOCAL_ISSUER = 'https://guestpass.local/';
export const LOCAL_AUDIENCE = 'guestpass';

interface StoredKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export interface LocalSigner {
  sign(claims: { sub: string; scope?: string; expiresIn?: string }): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

/**
 * Why a bearer token was refused, in words that say what to fix. API Gateway's own JWT authorizer
 * answers a bare 401 in AWS; locally the gateway can tell the cases apart, so it does.
 */
export function tokenRefusal(authorization: string | undefined, error?: unknown): string {
  if (!authorization) return 'An "Authorization: Bearer <token>" header is required.';
  if (!/^Bearer\s+\S+$/i.test(authorization)) return 'The Authorization header must be "Bearer <token>".';
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? new Date(error.payload.exp * 1000).toISOString() : 'an unknown time';
    return `The bearer token expired at ${exp}; get a new one.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The bearer token’s signature does not match the issuer’s key.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return `The bearer token was not issued by ${LOCAL_ISSUER}.`;
    if (error.claim === 'aud') return `The bearer token is not meant for this API (audience "${LOCAL_AUDIENCE}").`;
    if (error.claim === 'nbf') return 'The bearer token is not valid yet.';
    return `The bearer token’s "${error.claim}" claim is not valid.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The bearer token is signed with an algorithm this API does not accept.';
  return 'The bearer token is malformed: it is not a signed JWT.';
}

/** Loads the local signing key, creating it on first use, so `npm run token` signs what the gateway accepts. */
export async function localSigner(keyFile: string): Promise<LocalSigner> {
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
    sign: ({ sub, scope, expiresIn = '12h' }) =>
      new SignJWT(scope ? { scope } : {})
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject(sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
    verify: async (token) => (await jwtVerify(token, publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['ES256'] })).payload,
  };
}
