import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_CLIENTS,
  ACCESS_REASONS,
  decideAccess,
  type AccessClient,
  type AccessInput,
  type AccessPerson,
  type AccessReason,
  type AccessSpace,
} from '../../shared/domain/access';
import { reverificationDue, type ExternalUserPolicy as AccessPolicy } from '../../shared/domain/external';
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

/** Paid users at this domain are internal; any other address makes a paid user external. */
const VERIFIED_DOMAINS = ['corp.example'];

/** An active guest assigned to ENG, enrolled, verified yesterday: allowed into ENG from the web. */
const guest = (over: Partial<AccessPerson> = {}): AccessPerson => ({
  kind: 'guest',
  email: 'visitor@partner.example',
  status: 'active',
  spaceKey: 'ENG',
  twoStepEnrolled: true,
  activatedAt: daysAgo(60),
  lastVerifiedAt: daysAgo(1),
  ...over,
});

/** The same guest, asked to re-verify (a link was mailed): only now can the policy deny them. */
const asked = (over: Partial<AccessPerson> = {}): AccessPerson => guest({ verificationRequestedAt: daysAgo(0, 1), ...over });

/** An active internal paid user who never enrolled nor re-verified: none of that applies to them. */
const paid = (over: Partial<AccessPerson> = {}): AccessPerson => ({
  kind: 'paid',
  email: 'member@corp.example',
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

/** A paid user outside the verified domains: external, so the policy applies as to a guest. */
const externalPaid = (over: Partial<AccessPerson> = {}): AccessPerson => paid({ email: 'contractor@agency.example', twoStepEnrolled: true, lastVerifiedAt: daysAgo(1), ...over });

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
  { name: 'an asked, unenrolled guest on an API token under a strict policy → api_tokens_blocked before two_step_required', person: asked({ twoStepEnrolled: false }), policy: STRICT_POLICY, client: 'api-token', expected: 'api_tokens_blocked' },
  { name: 'a guest on an API token with tokens allowed', person: guest(), client: 'api-token', expected: 'assigned_space' },
  { name: 'a guest on the web is not affected by the token policy', person: guest(), policy: { ...OPEN_POLICY, apiTokensAllowed: false }, expected: 'assigned_space' },
  { name: 'an internal paid user on an API token with tokens blocked → paid_user', person: paid(), policy: STRICT_POLICY, client: 'api-token', expected: 'paid_user' },

  // two_step_required: external users, once asked (a link was mailed)
  { name: 'an asked, unenrolled guest when two-step is required', person: asked({ twoStepEnrolled: false }), policy: { ...OPEN_POLICY, twoStepRequired: true }, expected: 'two_step_required' },
  { name: 'an asked, unenrolled guest overdue → two_step_required before reverification_required', person: asked({ twoStepEnrolled: false, lastVerifiedAt: daysAgo(90) }), policy: { ...OPEN_POLICY, twoStepRequired: true }, expected: 'two_step_required' },
  { name: 'an unenrolled guest not asked yet keeps access until the link comes', person: guest({ twoStepEnrolled: false }), policy: { ...OPEN_POLICY, twoStepRequired: true }, expected: 'assigned_space' },
  { name: 'an unenrolled guest when two-step is not required', person: asked({ twoStepEnrolled: false }), expected: 'assigned_space' },
  { name: 'an asked, unenrolled external paid user under two-step', person: externalPaid({ twoStepEnrolled: false, verificationRequestedAt: daysAgo(1) }), policy: STRICT_POLICY, expected: 'two_step_required' },
  { name: 'an unenrolled internal paid user under two-step', person: paid({ verificationRequestedAt: daysAgo(1) }), policy: STRICT_POLICY, expected: 'paid_user' },

  // reverification_required: external users, once asked, with the boundary at exactly N days
  { name: 'an asked guest last verified 31 days ago with a 30-day interval', person: asked({ lastVerifiedAt: daysAgo(31) }), expected: 'reverification_required' },
  { name: 'the 30-day lock-out: an overdue guest never sent a link is not denied', person: guest({ lastVerifiedAt: undefined, activatedAt: daysAgo(31) }), expected: 'assigned_space' },
  { name: 'an asked guest last verified exactly 30 days ago is still fine', person: asked({ lastVerifiedAt: daysAgo(30) }), expected: 'assigned_space' },
  { name: 'an asked guest last verified 30 days and 1 ms ago is due', person: asked({ lastVerifiedAt: daysAgo(30, 1) }), expected: 'reverification_required' },
  { name: 'exactly 1 day with a 1-day interval is fine', person: asked({ lastVerifiedAt: daysAgo(1) }), policy: { ...OPEN_POLICY, reverifyEveryDays: 1 }, expected: 'assigned_space' },
  { name: 'an asked guest never re-verified counts from activation (31 days ago)', person: asked({ lastVerifiedAt: undefined, activatedAt: daysAgo(31) }), expected: 'reverification_required' },
  { name: 'an asked guest never re-verified, activated exactly 30 days ago', person: asked({ lastVerifiedAt: undefined, activatedAt: daysAgo(30) }), expected: 'assigned_space' },
  { name: 'a recent verification wins over an old activation', person: asked({ lastVerifiedAt: daysAgo(2), activatedAt: daysAgo(400) }), expected: 'assigned_space' },
  { name: 'an asked guest with no verification time at all fails closed', person: asked({ lastVerifiedAt: undefined, activatedAt: undefined }), expected: 'reverification_required' },
  { name: 'an asked guest with an unreadable verification time fails closed', person: asked({ lastVerifiedAt: 'yesterday' }), expected: 'reverification_required' },
  { name: 'an asked, overdue guest asking for an anonymous space → reverification_required before anonymous_space', person: asked({ lastVerifiedAt: daysAgo(45) }), space: PUB, expected: 'reverification_required' },
  { name: 'a guest asked under a policy since relaxed is not denied', person: asked({ lastVerifiedAt: daysAgo(20) }), policy: { ...OPEN_POLICY, reverifyEveryDays: 30 }, expected: 'assigned_space' },
  { name: 'an asked, overdue external paid user', person: externalPaid({ lastVerifiedAt: daysAgo(40), verificationRequestedAt: daysAgo(1) }), expected: 'reverification_required' },
  { name: 'an overdue internal paid user → paid_user', person: paid({ lastVerifiedAt: daysAgo(300), verificationRequestedAt: daysAgo(1) }), policy: { ...OPEN_POLICY, reverifyEveryDays: 1 }, expected: 'paid_user' },

  // external paid users: the policy applies, the mobile rule does not
  { name: 'an external paid user on an API token with tokens blocked', person: externalPaid(), policy: STRICT_POLICY, client: 'api-token', expected: 'api_tokens_blocked' },
  { name: 'an external paid user on mobile may use it', person: externalPaid(), client: 'mobile', expected: 'paid_user' },
  { name: 'an external paid user in good standing', person: externalPaid(), space: OPS, policy: STRICT_POLICY, expected: 'paid_user' },
  { name: 'a suspended external paid user → not_active first', person: externalPaid({ status: 'suspended' }), client: 'api-token', policy: STRICT_POLICY, expected: 'not_active' },

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
    const input: AccessInput = { person, space: space === undefined ? ENG : space, policy: policy ?? OPEN_POLICY, verifiedDomains: VERIFIED_DOMAINS, client: client ?? 'web', now: NOW };
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
  email: fc.constantFrom('visitor@partner.example', 'member@corp.example'),
  verificationRequestedAt: fc.option(isoWithinArb, { nil: undefined }),
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
        const decision = decideAccess({ person, space, policy, verifiedDomains: VERIFIED_DOMAINS, client, now: NOW });
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
        const decision = decideAccess({ person, space, policy, verifiedDomains: VERIFIED_DOMAINS, client, now: NOW });
        expect(decision.allowed).toBe(ALLOWING.includes(decision.reason));
        if (person === null) expect(decision.reason).toBe('not_a_member');
        // An internal paid user only has to be active; an external one is also under the policy.
        if (person?.kind === 'paid' && person.email.endsWith('@corp.example')) expect(decision.allowed).toBe(person.status === 'active');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the lock-out rule', () => {
  it('never denies two-step or re-verification to someone who was not sent a link', () => {
    const personArb = fc.oneof(guestArb, guestArb.map((person) => ({ ...person, kind: 'paid' as const })));
    fc.assert(
      fc.property(personArb, spaceArb, policyArb, clientArb, (person, space, policy, client) => {
        const unasked = { ...person, verificationRequestedAt: undefined };
        const decision = decideAccess({ person: unasked, space, policy, verifiedDomains: VERIFIED_DOMAINS, client, now: NOW });
        expect(['two_step_required', 'reverification_required']).not.toContain(decision.reason);
      }),
      { numRuns: 2000 },
    );
  });
});
