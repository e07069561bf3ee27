import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) as every authenticator app does it by default: HMAC-SHA-1, 30-second steps,
 * six digits. The clock is always passed in; nothing here reads the time itself.
 */
export const TOTP_ISSUER = 'guestpass';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const TOTP_ALGORITHM = 'SHA1';
/** 160 bits, the key length RFC 4226 recommends for HMAC-SHA-1. */
const SECRET_BYTES = 20;
/** Steps either side of the current one a code may come from: clocks drift and people type slowly. */
const DRIFT_STEPS = 1;

/** A new random secret, base32 as authenticator apps take it (32 characters). */
export const newTotpSecret = (): string => new Secret({ size: SECRET_BYTES }).base32;

/** The time step `now` falls in (RFC 6238 `T`). */
export const timeStep = (now: Date): number => Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** The code of one time step. */
export const codeForStep = (secretBase32: string, step: number, digits = TOTP_DIGITS): string =>
  HOTP.generate({ secret: Secret.fromBase32(secretBase32), algorithm: TOTP_ALGORITHM, digits, counter: step });

/**
 * The `otpauth://` URI an authenticator app scans: issuer guestpass, labelled with the site and
 * the address so someone invited to several sites can tell the entries apart. It carries the secret.
 */
export function otpauthUrl(secretBase32: string, siteName: string, email: string): string {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: `${siteName} (${email})`,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  }).toString();
}

const sameCode = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The time step `code` belongs to, if it is the code of the current step or one either side and
 * that step is later than `lastAcceptedStep`; otherwise null. A step at or before the last one
 * accepted never counts again, so a code cannot be used twice (nor an older one after a newer).
 * Every candidate is compared, in constant time, so timing tells nothing about which step matched.
 */
export function checkTotp(secretBase32: string, code: string, now: Date, lastAcceptedStep: number | undefined): number | null {
  const current = timeStep(now);
  let matched: number | null = null;
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    const fresh = lastAcceptedStep === undefined || step > lastAcceptedStep;
    if (sameCode(codeForStep(secretBase32, step), code) && fresh) matched = step;
  }
  return matched;
}
