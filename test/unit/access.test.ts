import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_CLIENTS,
  ACCESS_REASONS,
  decideAccess,
  reverificationDue,
  type AccessClient,
  type AccessInput,
  type AccessPerson,
  type AccessPolicy,
  type AccessReason,
  type AccessSpace,
} from '../../shared/domain/access';
import type { PersonStatus } from '../../shared/domain/people';
import { AccessClientName, AccessDecision } from '../../shared/http/schemas';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const daysAgo = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * DAY - extraMs).toISOString();

const ENG: AccessSpace = { key: 'ENG', anonymousAccess: false };
const OPS: AccessSpace = { key: 'OPS', anonymousAccess: false };
const PUB: AccessSpace = { key: 'PUB', anonymousAccess: true };

const OPEN_POLICY: AccessPolicy = { twoStepRequired: false, reverifyEveryDays: 30, apiTokensAllowed: true };
const STRICT_POLICY: AccessPolicy = { twoStepRequired: true, reverifyEveryDays: 30, apiTokensAllowed: false };

/** An active guest assigned to ENG, enrolled, verified yesterday: allowed into ENG from the web. */
const guest = (over: Partial<AccessPerson> = {}): AccessPerson => ({
  kind: 'guest',
  status: 'active',
  spaceKey: 'ENG',
  twoStepEnrolled: true,
  activatedAt: daysAgo(60),
  lastVerifiedAt: daysAgo(1),
  ...over,
});

/** An active paid user who never enrolled nor re-verified: none of that applies to paid users. */
const paid = (over: Partial<AccessPerson> = {}): AccessPerson => ({
  kind: 'paid',
  status: 'active',
  twoStepEnrolled: false,
  activatedAt: daysAgo(400),
  ...over,
});

interface Case {
  readonly name: string;
  readonly person: AccessPerson | null;
  readonly space?: AccessSpace | null;
  readonly policy?: AccessPolicy;
  readonly client?: AccessClient;
  readonly expected: AccessReason;
}

const cases: Case[] = [
  // not_a_member
  { name: 'someone who is not a person of the site', person: null, expected: 'not_a_member' },
  { name: 'a non-member on mobile, tokens blocked, anonymous space → not_a_member first', person: null, space: PUB, policy: STRICT_POLICY, client: 'mobile', expected: 'not_a_member' },

  // not_active (before every client and policy rule)
  { name: 'an invited guest who has not been activated', person: guest({ status: 'invited' }), expected: 'not_active' },
  { name: 'a suspended guest on mobile → not_active before mobile_not_supported', person: guest({ status: 'suspended' }), client: 'mobile', expected: 'not_active' },
  { name: 'a deactivated guest asking for an anonymous space', person: guest({ status: 'deactivated' }), space: PUB, expected: 'not_active' },
  { name: 'a deactivated paid user → not_active before paid_user', person: paid({ status: 'deactivated' }), expected: 'not_active' },
  { name: 'a suspended paid user on mobile', person: paid({ status: 'suspended' }), client: 'mobile', expected: 'not_active' },

  // mobile_not_supported (guests only)
  { name: 'a guest on mobile', person: guest(), client: 'mobile', expected: 'mobile_not_supported' },
  { name: 'a guest on mobile with API tokens blocked → mobile_not_supported before api_tokens_blocked', person: guest(), policy: STRICT_POLICY, client: 'mobile', expected: 'mobile_not_supported' },
  { name: 'an unenrolled guest on mobile under two-step → mobile_not_supported first', person: guest({ twoStepEnrolled: false }), policy: STRICT_POLICY, client: 'mobile', expected: 'mobile_not_supported' },
  { name: 'a guest on mobile asking for an anonymous space', person: guest(), space: PUB, client: 'mobile', expected: 'mobile_not_supported' },
  { name: 'a paid user on mobile may use it', person: paid(), space: OPS, client: 'mobile', expected: 'paid_user' },

  // api_tokens_blocked (guests only)
  { name: 'a guest on an API token with tokens blocked', person: guest(), policy: { ...OPEN_POLICY, apiTokensAllowed: false }, client: 'api-token', expected: 'api_tokens_blocked' },
  { name: 'an unenrolled guest on an API token under a strict policy → api_tokens_blocked before two_step_required', person: guest({ twoStepEnrolled: false }), policy: STRICT_POLICY, client: 'api-token', expected: 'api_tokens_blocked' },
  { name: 'a guest on an API token with tokens allowed', person: guest(), client: 'api-token', expected: 'assigned_space' },
  { name: 'a guest on the web is not affected by the token policy', person: guest(), policy: { ...OPEN_POLICY, apiTokensAllowed: false }, expected: 'assigned_space' },
  { name: 'a paid user on an API token with tokens blocked → paid_user', person: paid(), policy: STRICT_POLICY, client: 'api-token', expected: 'paid_user' },

  // two_step_required (guests only)
  { name: 'an unenrolled guest when two-step is required', person: guest({ twoStepEnrolled: false }), policy: { ...OPEN_POLICY, twoStepRequired: true }, expected: 'two_step_required' },
  { name: 'an unenrolled guest overdue for re-verification → two_step_required before reverification_required', person: guest({ twoStepEnrolled: false, lastVerifiedAt: daysAgo(90) }), policy: { ...OPEN_POLICY, twoStepRequired: true }, expected: 'two_step_required' },
  { name: 'an unenrolled guest when two-step is not required', person: guest({ twoStepEnrolled: false }), expected: 'assigned_space' },
  { name: 'an unenrolled paid user when two-step is required', person: paid(), policy: STRICT_POLICY, expected: 'paid_user' },

  // reverification_required (guests only), with the boundary at exactly N days
  { name: 'a guest last verified 31 days ago with a 30-day interval', person: guest({ lastVerifiedAt: daysAgo(31) }), expected: 'reverification_required' },
  { name: 'a guest last verified exactly 30 days ago is still fine', person: guest({ lastVerifiedAt: daysAgo(30) }), expected: 'assigned_space' },
  { name: 'a guest last verified 30 days and 1 ms ago is due', person: guest({ lastVerifiedAt: daysAgo(30, 1) }), expected: 'reverification_required' },
  { name: 'exactly 1 day with a 1-day interval is fine', person: guest({ lastVerifiedAt: daysAgo(1) }), policy: { ...OPEN_POLICY, reverifyEveryDays: 1 }, expected: 'assigned_space' },
  { name: 'a guest never re-verified counts from activation (31 days ago)', person: guest({ lastVerifiedAt: undefined, activatedAt: daysAgo(31) }), expected: 'reverification_required' },
  { name: 'a guest never re-verified, activated exactly 30 days ago', person: guest({ lastVerifiedAt: undefined, activatedAt: daysAgo(30) }), expected: 'assigned_space' },
  { name: 'a recent verification wins over an old activation', person: guest({ lastVerifiedAt: daysAgo(2), activatedAt: daysAgo(400) }), expected: 'assigned_space' },
  { name: 'a guest with no verification time at all fails closed', person: guest({ lastVerifiedAt: undefined, activatedAt: undefined }), expected: 'reverification_required' },
  { name: 'a guest with an unreadable verification time fails closed', person: guest({ lastVerifiedAt: 'yesterday' }), expected: 'reverification_required' },
  { name: 'an overdue guest asking for an anonymous space → reverification_required before anonymous_space', person: guest({ lastVerifiedAt: daysAgo(45) }), space: PUB, expected: 'reverification_required' },
  { name: 'an overdue paid user → paid_user', person: paid({ lastVerifiedAt: daysAgo(300) }), policy: { ...OPEN_POLICY, reverifyEveryDays: 1 }, expected: 'paid_user' },

  // paid_user (before any space rule)
  { name: 'a paid user asking for a private space', person: paid(), space: OPS, expected: 'paid_user' },
  { name: 'a paid user asking for a space that does not exist', person: paid(), space: null, expected: 'paid_user' },

  // assigned_space
  { name: 'a guest assigned to ENG asking for ENG', person: guest(), space: ENG, expected: 'assigned_space' },
  { name: 'a guest assigned to an anonymous space asking for it → assigned_space before anonymous_space', person: guest({ spaceKey: 'PUB' }), space: PUB, expected: 'assigned_space' },

  // anonymous_space
  { name: 'a guest assigned to ENG asking for an anonymous space', person: guest(), space: PUB, expected: 'anonymous_space' },
  { name: 'a guest with no space asking for an anonymous space', person: guest({ spaceKey: undefined }), space: PUB, expected: 'anonymous_space' },

  // no_space_access
  { name: 'a guest with no space asking for a private space', person: guest({ spaceKey: undefined }), space: OPS, expected: 'no_space_access' },
  { name: 'a guest assigned to ENG asking for another private space', person: guest(), space: OPS, expected: 'no_space_access' },
  { name: 'a guest asking for a space that does not exist', person: guest(), space: null, expected: 'no_space_access' },
  { name: 'a guest with no space asking for a space that does not exist', person: guest({ spaceKey: undefined }), space: null, expected: 'no_space_access' },
];

const ALLOWING: readonly AccessReason[] = ['paid_user', 'assigned_space', 'anonymous_space'];

describe('decideAccess (rules 8, 12, 13)', () => {
  it.each(cases)('$name → $expected', ({ person, space, policy, client, expected }) => {
    // Prepare
    const input: AccessInput = { person, space: space === undefined ? ENG : space, policy: policy ?? OPEN_POLICY, client: client ?? 'web', now: NOW };
    // Act
    const decision = decideAccess(input);
    // Assess
    expect(decision).toEqual({ allowed: ALLOWING.includes(expected), reason: expected });
  });

  it('covers every reason in the table', () => {
    const covered = new Set(cases.map((entry) => entry.expected));
    expect([...covered].sort()).toEqual([...ACCESS_REASONS].sort());
  });

  it('matches the reasons and clients of the HTTP schemas', () => {
    expect(AccessDecision.shape.reason.options).toEqual([...ACCESS_REASONS]);
    expect(AccessClientName.options).toEqual([...ACCESS_CLIENTS]);
  });
});

describe('reverificationDue', () => {
  it('is due only strictly after the interval', () => {
    expect(reverificationDue({ lastVerifiedAt: daysAgo(7) }, 7, NOW)).toBe(false);
    expect(reverificationDue({ lastVerifiedAt: daysAgo(7, 1) }, 7, NOW)).toBe(true);
  });

  it('never counts a verification in the future as overdue', () => {
    expect(reverificationDue({ lastVerifiedAt: new Date(NOW.getTime() + DAY).toISOString() }, 1, NOW)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const spaceKeyArb = fc.constantFrom('ENG', 'OPS', 'PUB', 'HR');
const statusArb = fc.constantFrom<PersonStatus>('invited', 'active', 'suspended', 'deactivated');
const clientArb = fc.constantFrom<AccessClient>(...ACCESS_CLIENTS);
const isoWithinArb = fc.integer({ min: 0, max: 60 * DAY }).map((ago) => new Date(NOW.getTime() - ago).toISOString());
const policyArb = fc.record({ twoStepRequired: fc.boolean(), reverifyEveryDays: fc.integer({ min: 1, max: 30 }), apiTokensAllowed: fc.boolean() });
const spaceArb = fc.option(fc.record({ key: spaceKeyArb, anonymousAccess: fc.boolean() }), { nil: null });
const guestArb = fc.record({
  kind: fc.constant<'guest'>('guest'),
  status: statusArb,
  spaceKey: fc.option(spaceKeyArb, { nil: undefined }),
  twoStepEnrolled: fc.boolean(),
  lastVerifiedAt: fc.option(isoWithinArb, { nil: undefined }),
  activatedAt: fc.option(isoWithinArb, { nil: undefined }),
});

describe('decideAccess properties', () => {
  it('lets a guest in only to their own space or an anonymous one, only when active, never on mobile', () => {
    fc.assert(
      fc.property(guestArb, spaceArb, policyArb, clientArb, (person, space, policy, client) => {
        const decision = decideAccess({ person, space, policy, client, now: NOW });
        if (decision.allowed) {
          expect(space).not.toBeNull();
          expect(space!.key === person.spaceKey || space!.anonymousAccess).toBe(true);
          expect(person.status).toBe('active');
          expect(client).not.toBe('mobile');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('allows exactly when the reason is an allowing one, and only for people of the site', () => {
    const personArb = fc.option(fc.oneof(guestArb, guestArb.map((person) => ({ ...person, kind: 'paid' as const }))), { nil: null });
    fc.assert(
      fc.property(personArb, spaceArb, policyArb, clientArb, (person, space, policy, client) => {
        const decision = decideAccess({ person, space, policy, client, now: NOW });
        expect(decision.allowed).toBe(ALLOWING.includes(decision.reason));
        if (person === null) expect(decision.reason).toBe('not_a_member');
        if (person?.kind === 'paid') expect(decision.allowed).toBe(person.status === 'active');
      }),
      { numRuns: 2000 },
    );
  });
});
