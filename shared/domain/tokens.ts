import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, URL-safe: the credential in an invitation or re-verification link. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest is ever stored; the raw token exists in the email and nowhere else. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shape check before any lookup, so junk never reaches the table. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Stable, non-reversible marker of an address (former paid users are remembered by this). */
export function emailDigest(email: string): string {
  return createHash('sha256').update(`guestpass:email:${email}`, 'utf8').digest('hex');
}

/** Digest of a request body, for Idempotency-Key comparisons. */
export function bodyDigest(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body ?? null), 'utf8').digest('hex');
}
