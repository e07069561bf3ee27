import { describe, expect, it } from 'vitest';
import { canonicalEmail } from '../../shared/domain/email-address';
import {
  adminListProblem,
  appsWithInvalidGuestRole,
  classifyInvitee,
  isDeliverableEmail,
  isPaidRole,
  precheckRows,
  type GroupRole,
  type Roles,
} from '../../shared/domain/people';

describe('classifyInvitee (rules 1 and 7)', () => {
  const cases: Array<{ name: string; roles: Roles; groups: GroupRole[]; expected: 'guest' | 'paid' | null }> = [
    { name: 'wiki guest → guest', roles: { wiki: 'guest' }, groups: [], expected: 'guest' },
    { name: 'wiki user → paid', roles: { wiki: 'user' }, groups: [], expected: 'paid' },
    { name: 'wiki app-admin → paid', roles: { wiki: 'app-admin' }, groups: [], expected: 'paid' },
    { name: 'tracker user + wiki guest → paid', roles: { wiki: 'guest', tracker: 'user' }, groups: [], expected: 'paid' },
    { name: 'tracker app-admin + wiki none → paid', roles: { wiki: 'none', tracker: 'app-admin' }, groups: [], expected: 'paid' },
    { name: 'no roles + all-guest groups → guest', roles: {}, groups: ['guest', 'guest'], expected: 'guest' },
    { name: 'wiki none + one guest group → guest', roles: { wiki: 'none' }, groups: ['guest'], expected: 'guest' },
    { name: 'guest groups + one user group → paid', roles: {}, groups: ['guest', 'user', 'guest'], expected: 'paid' },
    { name: 'app-admin group → paid', roles: { wiki: 'guest' }, groups: ['app-admin'], expected: 'paid' },
    { name: 'wiki guest + guest group → guest', roles: { wiki: 'guest' }, groups: ['guest'], expected: 'guest' },
    { name: 'nothing → null', roles: {}, groups: [], expected: null },
    { name: 'wiki none, no groups → null', roles: { wiki: 'none' }, groups: [], expected: null },
    { name: 'only none groups → null', roles: { wiki: 'none' }, groups: ['none', 'none'], expected: null },
    { name: 'guest on a non-wiki app alone gives no wiki access → null', roles: { tracker: 'guest' }, groups: [], expected: null },
  ];

  it.each(cases)('$name', ({ roles, groups, expected }) => {
    // Act
    const kind = classifyInvitee(roles, groups);
    // Assess
    expect(kind).toBe(expected);
  });

  it('isPaidRole is true only for user and app-admin', () => {
    expect(['none', 'guest', 'user', 'app-admin'].map((role) => isPaidRole(role as GroupRole))).toEqual([false, false, true, true]);
  });
});

describe('appsWithInvalidGuestRole (rule 6)', () => {
  it('reports every non-wiki app that was given the guest role, in order', () => {
    // Prepare
    const roles: Roles = { wiki: 'guest', tracker: 'guest', chat: 'user', board: 'guest', docs: 'none' };
    // Act
    const invalid = appsWithInvalidGuestRole(roles);
    // Assess
    expect(invalid).toEqual(['tracker', 'board']);
  });

  it('reports nothing when guest is only used on the wiki', () => {
    expect(appsWithInvalidGuestRole({ wiki: 'guest', tracker: 'none', chat: 'app-admin' })).toEqual([]);
    expect(appsWithInvalidGuestRole({})).toEqual([]);
  });
});

describe('canonicalEmail', () => {
  it('trims and lower-cases', () => {
    expect(canonicalEmail('  Pat.Smith@Partner.EXAMPLE \t')).toBe('pat.smith@partner.example');
  });

  it('folds full-width and other compatibility forms into the plain address', () => {
    expect(canonicalEmail('Ｐat．SＭIｔH＠Partner．example')).toBe('pat.smith@partner.example');
    expect(canonicalEmail('\u3000ﬁona@\u212Aelvin.example')).toBe('fiona@kelvin.example');
  });

  it('refuses what is still not ASCII: look-alike letters of other scripts', () => {
    // Cyrillic а (U+0430) and Greek ο (U+03BF) look like Latin a and o
    expect(canonicalEmail('p\u0430t@partner.example')).toBeNull();
    expect(canonicalEmail('pat@partner.exampl\u03BF')).toBeNull();
    // İ lower-cases to i + a combining dot, which no ASCII address contains
    expect(canonicalEmail('\u0130da@partner.example')).toBeNull();
  });

  it('keeps punycode labels, which are ASCII', () => {
    expect(canonicalEmail('Pat@XN--Bcher-kva.example')).toBe('pat@xn--bcher-kva.example');
  });
});

describe('isDeliverableEmail', () => {
  // 64 + 1 + 189 = 254 characters, every domain label ≤ 63.
  const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
  const tooLong = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;

  it('has boundary fixtures of the intended lengths', () => {
    expect(longest).toHaveLength(254);
    expect(tooLong).toHaveLength(255);
  });

  it.each([
    'a@partner.example',
    'first.last+tag@sub.agency.example',
    "o'brien@example.ie",
    'x_y-z@mail-server.example.co',
    'UPPER@EXAMPLE.COM',
    longest,
  ])('accepts %j', (email) => {
    expect(isDeliverableEmail(email)).toBe(true);
  });

  it.each([
    ['a space in the local part', 'pat smith@example.com'],
    ['a leading space', ' pat@example.com'],
    ['a space in the domain', 'pat@exa mple.com'],
    ['no TLD', 'pat@example'],
    ['a one-letter TLD', 'pat@example.c'],
    ['a numeric TLD', 'pat@example.123'],
    ['double dots in the local part', 'pat..smith@example.com'],
    ['double dots in the domain', 'pat@example..com'],
    ['a leading dot', '.pat@example.com'],
    ['a trailing dot in the local part', 'pat.@example.com'],
    ['a trailing dot in the domain', 'pat@example.com.'],
    ['255 characters', tooLong],
    ['a 65-character local part', `${'a'.repeat(65)}@example.com`],
    ['CR/LF header injection', 'pat@example.com\r\nBcc: eve@evil.example'],
    ['a trailing newline', 'pat@example.com\n'],
    ['a NUL', 'pat@exa\u0000mple.com'],
    ['two @', 'pat@home@example.com'],
    ['no local part', '@example.com'],
    ['no @', 'pat.example.com'],
    ['a domain label starting with a hyphen', 'pat@-example.com'],
    ['a quoted local part', '"pat smith"@example.com'],
    ['a display name', 'Pat <pat@example.com>'],
    ['the empty string', ''],
  ])('rejects %s', (_reason, email) => {
    expect(isDeliverableEmail(email)).toBe(false);
  });
});

describe('precheckRows', () => {
  it('normalises, then rejects invalid_email before duplicate_in_request, case-insensitively, in request order', () => {
    // Prepare
    const emails = [
      'A@Partner.Example',
      'not an email',
      'a@partner.example',
      '  B@Agency.Example ',
      'not an email',
      'b@AGENCY.example',
      'c@agency.example',
      'A@PARTNER.EXAMPLE',
    ];
    // Act
    const rows = precheckRows(emails);
    // Assess
    expect(rows).toEqual([
      { kind: 'candidate', email: 'a@partner.example' },
      { kind: 'rejected', email: 'not an email', reason: 'invalid_email' },
      { kind: 'rejected', email: 'a@partner.example', reason: 'duplicate_in_request' },
      { kind: 'candidate', email: 'b@agency.example' },
      // The same invalid string twice is invalid both times: invalid_email is checked first.
      { kind: 'rejected', email: 'not an email', reason: 'invalid_email' },
      { kind: 'rejected', email: 'b@agency.example', reason: 'duplicate_in_request' },
      { kind: 'candidate', email: 'c@agency.example' },
      { kind: 'rejected', email: 'a@partner.example', reason: 'duplicate_in_request' },
    ]);
  });

  it('returns one row per input and nothing for an empty call', () => {
    expect(precheckRows([])).toEqual([]);
    expect(precheckRows(['x@y.example', 'x@y.example', 'x@y.example']).map((row) => row.kind)).toEqual([
      'candidate',
      'rejected',
      'rejected',
    ]);
  });

  it('one address in full-width or upper case is a duplicate of itself, and a look-alike is invalid', () => {
    const rows = precheckRows(['pat@partner.example', 'ＰＡＴ＠partner.example', 'p\u0430t@partner.example']);
    expect(rows).toEqual([
      { kind: 'candidate', email: 'pat@partner.example' },
      { kind: 'rejected', email: 'pat@partner.example', reason: 'duplicate_in_request' },
      { kind: 'rejected', email: 'p\u0430t@partner.example', reason: 'invalid_email' },
    ]);
  });

  it('an invalid row does not mark its address as seen', () => {
    // Given: an address with CR/LF is invalid even though its normalised prefix is valid
    const rows = precheckRows(['pat@example.com\r\nBcc: x@y.example', 'pat@example.com']);
    // Then: the clean address later in the call is still a candidate
    expect(rows[0]).toMatchObject({ kind: 'rejected', reason: 'invalid_email' });
    expect(rows[1]).toEqual({ kind: 'candidate', email: 'pat@example.com' });
  });
});

describe('adminListProblem', () => {
  it('accepts distinct deliverable addresses', () => {
    expect(adminListProblem(['ada@acme.example', 'bo@acme.example'])).toBeNull();
  });

  it('names every undeliverable address by its index', () => {
    expect(adminListProblem(['ada@acme.example', 'nope', 'x@'])).toEqual({
      message: 'Some admin addresses are not valid.',
      issues: [
        { path: 'body.admins.1.email', message: 'Not a deliverable address' },
        { path: 'body.admins.2.email', message: 'Not a deliverable address' },
      ],
    });
  });

  it('names an address canonicalEmail refused (null) as undeliverable', () => {
    expect(adminListProblem(['ada@acme.example', null])?.issues).toEqual([{ path: 'body.admins.1.email', message: 'Not a deliverable address' }]);
  });

  it('refuses an address listed twice', () => {
    expect(adminListProblem(['ada@acme.example', 'ada@acme.example'])).toEqual({
      message: 'An admin is listed twice.',
      issues: [{ path: 'body.admins', message: 'Duplicate address' }],
    });
  });
});
