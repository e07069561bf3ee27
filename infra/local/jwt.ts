import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';

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
