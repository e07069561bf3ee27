import fc from 'fast-check';
import { URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { checkTotp, codeForStep, newTotpSecret, otpauthUrl, timeStep, TOTP_PERIOD_SECONDS } from '../../shared/security/totp';

/** RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". */
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_SHA1_VECTORS: readonly [seconds: number, code: string][] = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];

const at = (seconds: number) => new Date(seconds * 1000);
const base32Arb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => {
  // RFC 4648 base32 without padding, written out here so the test does not trust the code under test.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  return bits.match(/.{5}/g)!.map((chunk) => alphabet[parseInt(chunk, 2)]).join('');
});
/** Times from 1970 to 2100, in milliseconds. */
const timeArb = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms));

describe('TOTP codes (RFC 6238, SHA-1, 30-second steps)', () => {
  it('the RFC secret is the base32 used below', () => {
    expect(RFC_SECRET.length).toBe(20);
    expect(Buffer.from(RFC_SECRET).toString('ascii')).toBe('12345678901234567890');
  });

  it.each(RFC_SHA1_VECTORS)('gives the RFC 6238 SHA-1 test vector at T = %i s (8 digits)', (seconds, code) => {
    expect(timeStep(at(seconds))).toBe(Math.floor(seconds / TOTP_PERIOD_SECONDS));
    expect(codeForStep(RFC_SECRET_BASE32, timeStep(at(seconds)), 8)).toBe(code);
  });

  it.each(RFC_SHA1_VECTORS)('accepts the six-digit form of the vector at T = %i s and answers its step', (seconds, code) => {
    // Truncation keeps the value mod 10^digits, so the six-digit code is the vector's last six digits.
    expect(checkTotp(RFC_SECRET_BASE32, code.slice(-6), at(seconds), undefined)).toBe(Math.floor(seconds / 30));
  });
});

describe('checkTotp', () => {
  const now = at(1_234_567_890);
  const step = timeStep(now);
  const code = (offset: number) => codeForStep(RFC_SECRET_BASE32, step + offset);

  it('accepts the previous, current and next step, and nothing further out', () => {
    expect(checkTotp(RFC_SECRET_BASE32, code(-1), now, undefined)).toBe(step - 1);
    expect(checkTotp(RFC_SECRET_BASE32, code(0), now, undefined)).toBe(step);
    expect(checkTotp(RFC_SECRET_BASE32, code(1), now, undefined)).toBe(step + 1);
    expect(checkTotp(RFC_SECRET_BASE32, code(-2), now, undefined)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, code(2), now, undefined)).toBeNull();
  });

  it('refuses a code whose step is at or before the last one accepted: a code works once', () => {
    expect(checkTotp(RFC_SECRET_BASE32, code(0), now, step)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, code(-1), now, step - 1)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, code(-1), now, step)).toBeNull();
    // An older code after a newer one was accepted is refused too.
    expect(checkTotp(RFC_SECRET_BASE32, code(0), now, step + 1)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, code(1), now, step)).toBe(step + 1);
    expect(checkTotp(RFC_SECRET_BASE32, code(0), now, step - 1)).toBe(step);
  });

  it('refuses any other six digits, other lengths, and the code right but for the secret', () => {
    const window = [code(-1), code(0), code(1)];
    const wrong = Array.from({ length: 4 }, (_, i) => String(i).repeat(6)).find((candidate) => !window.includes(candidate))!;
    expect(checkTotp(RFC_SECRET_BASE32, wrong, now, undefined)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, code(0).slice(0, 5), now, undefined)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, `${code(0)}0`, now, undefined)).toBeNull();
    expect(checkTotp(RFC_SECRET_BASE32, '', now, undefined)).toBeNull();
    const other = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    expect([-1, 0, 1].map((offset) => codeForStep(other, step + offset))).not.toContain(code(0));
    expect(checkTotp(other, code(0), now, undefined)).toBeNull();
  });

  it('for any secret and time, accepts the current code with its step, and never a step at or before the last accepted', () => {
    fc.assert(
      fc.property(base32Arb, timeArb, fc.integer({ min: -3, max: 3 }), fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }), (secret, time, offset, lastOffset) => {
        const current = timeStep(time);
        const last = lastOffset === undefined ? undefined : current + lastOffset;
        const matched = checkTotp(secret, codeForStep(secret, current + offset), time, last);
        if (matched !== null) {
          expect(Math.abs(matched - current)).toBeLessThanOrEqual(1);
          if (last !== undefined) expect(matched).toBeGreaterThan(last);
          expect(codeForStep(secret, matched)).toBe(codeForStep(secret, current + offset));
        }
        const fresh = last === undefined || current + offset > last;
        if (Math.abs(offset) <= 1 && fresh) expect(matched).toBe(current + offset);
      }),
      { numRuns: 300 },
    );
  });
});

describe('secrets and the otpauth URI', () => {
  it('makes 160-bit base32 secrets, a new one each time', () => {
    const secrets = Array.from({ length: 50 }, () => newTotpSecret());
    for (const secret of secrets) expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('labels the URI with issuer guestpass, the site and the address, with the parameters apps need', () => {
    const secret = newTotpSecret();
    const url = otpauthUrl(secret, 'Acme Wiki', 'ann@partner.example');
    const parsed = new URL(url);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.host).toBe('totp');
    expect(decodeURIComponent(parsed.pathname)).toBe('/guestpass:Acme Wiki (ann@partner.example)');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({ issuer: 'guestpass', secret, algorithm: 'SHA1', digits: '6', period: '30' });
    // An authenticator app reading it computes the same codes as we check.
    const app = URI.parse(url);
    const now = new Date('2026-06-01T12:00:00Z');
    expect(checkTotp(secret, app.generate({ timestamp: now.getTime() }), now, undefined)).toBe(timeStep(now));
  });
});
