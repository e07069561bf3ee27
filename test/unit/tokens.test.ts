import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, LINK_TOKEN_PATTERN, newLinkToken, sameDigest } from '../../shared/domain/tokens';

describe('newLinkToken', () => {
  it('issues 1000 distinct 43-character base64url tokens that decode to 32 bytes', () => {
    // Act
    const tokens = Array.from({ length: 1000 }, () => newLinkToken());
    // Assess
    expect(new Set(tokens).size).toBe(1000);
    for (const token of tokens) {
      expect(token).toHaveLength(43);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(LINK_TOKEN_PATTERN.test(token)).toBe(true);
    }
  });

  it('uses the whole base64url alphabet (not, say, hex) across many tokens', () => {
    const chars = new Set(Array.from({ length: 1000 }, () => newLinkToken()).join(''));
    // 43 000 random base64url characters cover all 64 symbols with overwhelming probability.
    expect(chars.size).toBe(64);
    expect([...chars].some((c) => c === '-' || c === '_')).toBe(true);
  });
});

describe('hashToken', () => {
  it('is the hex SHA-256 of the token (known vector)', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is 64 lower-case hex characters, deterministic, different from the token', () => {
    // Prepare
    const token = newLinkToken();
    // Act
    const digest = hashToken(token);
    // Assess
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(hashToken(token)).toBe(digest);
    expect(digest).not.toBe(token);
    expect(digest).not.toContain(token);
    expect(hashToken(newLinkToken())).not.toBe(digest);
  });
});

describe('sameDigest', () => {
  it('compares hex digests', () => {
    const digest = hashToken('abc');
    expect(sameDigest(digest, hashToken('abc'))).toBe(true);
    expect(sameDigest(digest, hashToken('abd'))).toBe(false);
    expect(sameDigest(digest, digest.slice(0, 62))).toBe(false);
  });
});

describe('LINK_TOKEN_PATTERN', () => {
  const valid = 'A'.repeat(20) + '-_' + 'z9'.repeat(10) + 'q';

  it('accepts a 43-character base64url string', () => {
    expect(valid).toHaveLength(43);
    expect(LINK_TOKEN_PATTERN.test(valid)).toBe(true);
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['44 characters', 'a'.repeat(44)],
    ['padding', `${'a'.repeat(42)}=`],
    ['standard base64 +', `${'a'.repeat(42)}+`],
    ['standard base64 /', `${'a'.repeat(42)}/`],
    ['a dot', `${'a'.repeat(42)}.`],
    ['a space', `${'a'.repeat(21)} ${'a'.repeat(21)}`],
    ['a trailing newline', `${'a'.repeat(43)}\n`],
    ['a percent-encoding', `${'a'.repeat(40)}%2F`],
    ['a 64-char hex digest', hashToken('abc')],
    ['empty', ''],
    ['non-ASCII letters', `${'a'.repeat(42)}é`],
  ])('rejects %s', (_why, candidate) => {
    expect(LINK_TOKEN_PATTERN.test(candidate)).toBe(false);
  });
});
