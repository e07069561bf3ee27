import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/domain/errors';
import {
  DEFAULT_EXTERNAL_USER_POLICY,
  isExternal,
  policyEffects,
  policyFingerprint,
  policyFor,
  type ExternalUserPolicy,
  type VerificationState,
} from '../../shared/domain/external';
import {
  continuationRefusal,
  isDomainName,
  normalizeDomains,
  policyAfter,
  REVIEW_MINUTES,
  reviewEffects,
  reviewRefusal,
  reviewToken,
  reviewTokenParts,
  samePolicyState,
  trialPopulation,
  verifiedDomainsProblem,
  type ApplyAttempt,
  type ReviewRecord,
  type SitePolicyState,
} from '../../shared/domain/external-policy';
import { newLinkToken } from '../../shared/domain/tokens';
import { newReviewId } from '../../shared/ids';

const DAY = 86_400_000;
const NOW = new Date('2026-06-15T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

const policy = (overrides: Partial<ExternalUserPolicy> = {}): ExternalUserPolicy => ({ ...DEFAULT_EXTERNAL_USER_POLICY, ...overrides });
const person = (overrides: Partial<VerificationState> = {}): VerificationState => ({
  kind: 'guest',
  email: 'g@partner.example',
  status: 'active',
  twoStepEnrolled: false,
  activatedAt: ago(2 * DAY),
  ...overrides,
});

const arbPolicy = fc.record({ twoStepRequired: fc.boolean(), reverifyEveryDays: fc.integer({ min: 1, max: 30 }), apiTokensAllowed: fc.boolean() });
const arbStatus = fc.constantFrom('invited' as const, 'active' as const, 'suspended' as const, 'deactivated' as const);

describe('isExternal', () => {
  it('is true for every guest, whatever the domains', () => {
    fc.assert(
      fc.property(fc.array(fc.domain()), fc.emailAddress(), (domains, email) => {
        expect(isExternal({ kind: 'guest', email }, domains)).toBe(true);
      }),
    );
  });

  it('is false for every paid user of a site without verified domains', () => {
    fc.assert(fc.property(fc.emailAddress(), (email) => {
      expect(isExternal({ kind: 'paid', email }, [])).toBe(false);
    }));
  });

  it('makes a paid user external exactly when the address’s domain is not listed (exact match, any case in the address)', () => {
    expect(isExternal({ kind: 'paid', email: 'ann@corp.example' }, ['corp.example'])).toBe(false);
    expect(isExternal({ kind: 'paid', email: 'Ann@CORP.example' }, ['corp.example'])).toBe(false);
    expect(isExternal({ kind: 'paid', email: 'ann@eu.corp.example' }, ['corp.example'])).toBe(true);
    expect(isExternal({ kind: 'paid', email: 'ann@corp.example.evil' }, ['corp.example'])).toBe(true);
    expect(isExternal({ kind: 'paid', email: 'ann@partner.example' }, ['corp.example', 'other.example'])).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.domain(), { minLength: 1, maxLength: 5 }), fc.domain(), (domains, domain) => {
        const listed = domains.map((d) => d.toLowerCase());
        expect(isExternal({ kind: 'paid', email: `someone@${domain}` }, listed)).toBe(!listed.includes(domain.toLowerCase()));
      }),
    );
  });
});

describe('policyFor', () => {
  const site = { externalUserPolicy: policy(), policyTrial: { policy: policy({ twoStepRequired: true }), userIds: ['usr_a', 'usr_b'] } };

  it('gives the trial’s people the trial’s policy and everyone else the site’s', () => {
    expect(policyFor(site, 'usr_a')).toEqual(policy({ twoStepRequired: true }));
    expect(policyFor(site, 'usr_b')).toEqual(policy({ twoStepRequired: true }));
    expect(policyFor(site, 'usr_c')).toEqual(policy());
    expect(policyFor({ externalUserPolicy: policy({ reverifyEveryDays: 3 }) }, 'usr_a')).toEqual(policy({ reverifyEveryDays: 3 }));
  });
});

describe('policyEffects', () => {
  it('never affects a deactivated person', () => {
    fc.assert(
      fc.property(arbPolicy, arbPolicy, fc.boolean(), fc.integer({ min: 0, max: 60 * DAY }), (current, proposed, enrolled, age) => {
        expect(policyEffects(person({ status: 'deactivated', twoStepEnrolled: enrolled, activatedAt: ago(age) }), current, proposed, NOW)).toEqual([]);
      }),
    );
  });

  it('asks for an enrolment only when two-step becomes required and the person has not enrolled', () => {
    fc.assert(
      fc.property(arbPolicy, arbPolicy, fc.boolean(), fc.constantFrom('invited' as const, 'active' as const, 'suspended' as const), (current, proposed, enrolled, status) => {
        const effects = policyEffects(person({ status, twoStepEnrolled: enrolled }), current, proposed, NOW);
        expect(effects.includes('must_enrol_two_step')).toBe(proposed.twoStepRequired && !current.twoStepRequired && !enrolled);
      }),
    );
  });

  it('takes API tokens away only when they were allowed and no longer are', () => {
    fc.assert(
      fc.property(arbPolicy, arbPolicy, fc.constantFrom('invited' as const, 'active' as const, 'suspended' as const), (current, proposed, status) => {
        const effects = policyEffects(person({ status }), current, proposed, NOW);
        expect(effects.includes('loses_api_tokens')).toBe(current.apiTokensAllowed && !proposed.apiTokensAllowed);
      }),
    );
  });

  it('makes someone re-verify now exactly when the shorter interval has passed and the current one has not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.constantFrom('active' as const, 'suspended' as const),
        fc.boolean(),
        (currentDays, proposedDays, ageMs, status, viaReverification) => {
          const verified = viaReverification ? { activatedAt: ago(90 * DAY), lastVerifiedAt: ago(ageMs) } : { activatedAt: ago(ageMs) };
          const effects = policyEffects(person({ status, ...verified }), policy({ reverifyEveryDays: currentDays }), policy({ reverifyEveryDays: proposedDays }), NOW);
          const dueNow = ageMs > currentDays * DAY;
          const dueAfter = ageMs > proposedDays * DAY;
          expect(effects.includes('must_reverify_now')).toBe(!dueNow && dueAfter);
        },
      ),
    );
  });

  it('counts a verification exactly N days ago as still good under an interval of N days', () => {
    const verified = person({ activatedAt: ago(7 * DAY) });
    expect(policyEffects(verified, policy({ reverifyEveryDays: 30 }), policy({ reverifyEveryDays: 7 }), NOW)).toEqual([]);
    expect(policyEffects(person({ activatedAt: ago(7 * DAY + 1) }), policy({ reverifyEveryDays: 30 }), policy({ reverifyEveryDays: 7 }), NOW)).toEqual(['must_reverify_now']);
  });

  it('never asks an invited person, or one who never verified, to re-verify', () => {
    fc.assert(
      fc.property(arbPolicy, arbPolicy, fc.integer({ min: 0, max: 60 * DAY }), (current, proposed, age) => {
        expect(policyEffects(person({ status: 'invited', activatedAt: ago(age) }), current, proposed, NOW)).not.toContain('must_reverify_now');
        expect(policyEffects(person({ activatedAt: undefined, lastVerifiedAt: undefined }), current, proposed, NOW)).not.toContain('must_reverify_now');
      }),
    );
  });

  it('lists the effects in one order and nothing for the same policy', () => {
    const strict = policy({ twoStepRequired: true, reverifyEveryDays: 1, apiTokensAllowed: false });
    expect(policyEffects(person({ activatedAt: ago(3 * DAY) }), policy(), strict, NOW)).toEqual(['must_enrol_two_step', 'must_reverify_now', 'loses_api_tokens']);
    fc.assert(fc.property(arbPolicy, arbStatus, fc.boolean(), (same, status, enrolled) => {
      expect(policyEffects(person({ status, twoStepEnrolled: enrolled }), same, same, NOW)).toEqual([]);
    }));
  });
});

describe('review effects of a proposal', () => {
  const trialPolicy = policy({ apiTokensAllowed: false });
  const site: SitePolicyState = {
    externalUserPolicy: policy(),
    policyTrial: { policy: trialPolicy, userIds: ['usr_old1', 'usr_old2'], startedAt: ago(DAY) },
    verifiedDomains: ['corp.example'],
  };
  const strict = { policy: policy({ twoStepRequired: true, apiTokensAllowed: false }), trialUserIds: [] };

  it('applies a site-wide proposal to everyone and a trial only to its people', () => {
    expect(policyAfter(site, strict, 'usr_old1')).toEqual(strict.policy);
    expect(policyAfter(site, strict, 'usr_x')).toEqual(strict.policy);
    const trial = { policy: strict.policy, trialUserIds: ['usr_new', 'usr_old1'] };
    expect(policyAfter(site, trial, 'usr_new')).toEqual(strict.policy);
    expect(policyAfter(site, trial, 'usr_old2')).toEqual(site.externalUserPolicy);
    expect(policyAfter(site, trial, 'usr_x')).toEqual(site.externalUserPolicy);
  });

  it('considers a trial’s people and those leaving the current trial, and everyone for a site-wide change', () => {
    expect(trialPopulation(site, strict)).toBeNull();
    expect(trialPopulation(site, { policy: strict.policy, trialUserIds: ['usr_new', 'usr_old1'] })).toEqual(['usr_new', 'usr_old1', 'usr_old2']);
    expect(trialPopulation({ ...site, policyTrial: undefined }, { policy: strict.policy, trialUserIds: ['usr_new'] })).toEqual(['usr_new']);
  });

  it('measures each person against the policy that applies to them now, and skips internal people', () => {
    const guest = { ...person({ twoStepEnrolled: false }), userId: 'usr_g' };
    const inTrial = { ...person({ twoStepEnrolled: false }), userId: 'usr_old1' };
    // Already without API tokens in the trial: only the enrolment is new
    expect(reviewEffects(guest, site, strict, NOW)).toEqual(['must_enrol_two_step', 'loses_api_tokens']);
    expect(reviewEffects(inTrial, site, strict, NOW)).toEqual(['must_enrol_two_step']);
    expect(reviewEffects({ ...person({ kind: 'paid', email: 'ann@corp.example' }), userId: 'usr_p' }, site, strict, NOW)).toEqual([]);
    expect(reviewEffects({ ...person({ kind: 'paid', email: 'ann@agency.example' }), userId: 'usr_q' }, site, strict, NOW)).toEqual(['must_enrol_two_step', 'loses_api_tokens']);
    // Leaving the trial for the site's policy gives the tokens back: nothing to review
    expect(reviewEffects(inTrial, site, { policy: trialPolicy, trialUserIds: ['usr_new'] }, NOW)).toEqual([]);
  });
});

describe('reviewRefusal', () => {
  const state: SitePolicyState = { externalUserPolicy: policy(), verifiedDomains: [] };
  const fingerprint = policyFingerprint(policy({ twoStepRequired: true }), []);
  const review: ReviewRecord = {
    siteId: 'site-a',
    reviewerId: 'usr_admin',
    fingerprint,
    expiresAt: new Date(NOW.getTime() + REVIEW_MINUTES * 60_000).toISOString(),
    reviewedAgainst: state,
  };
  const attempt: ApplyAttempt = { siteId: 'site-a', callerId: 'usr_admin', fingerprint, site: state, now: NOW };
  const reasonOf = (error: AppError | null) => {
    if (error) expect(error.code).toBe('review_required');
    return error?.details?.reason ?? null;
  };

  it('lets a fresh, unused review of the same proposal, admin and site policy through', () => {
    expect(reviewRefusal(review, attempt)).toBeNull();
  });

  it('says which check failed, with a 409 review_required', () => {
    expect(reasonOf(reviewRefusal(null, attempt))).toBe('missing');
    expect(reasonOf(reviewRefusal({ ...review, siteId: 'site-b' }, attempt))).toBe('missing');
    expect(reasonOf(reviewRefusal({ ...review, usedAt: NOW.toISOString() }, attempt))).toBe('used');
    expect(reasonOf(reviewRefusal(review, { ...attempt, now: new Date(NOW.getTime() + REVIEW_MINUTES * 60_000 + 1) }))).toBe('expired');
    expect(reasonOf(reviewRefusal(review, { ...attempt, callerId: 'usr_other' }))).toBe('other_admin');
    expect(reasonOf(reviewRefusal(review, { ...attempt, fingerprint: policyFingerprint(policy(), []) }))).toBe('other_proposal');
    expect(reasonOf(reviewRefusal(review, { ...attempt, fingerprint: policyFingerprint(policy({ twoStepRequired: true }), ['usr_a']) }))).toBe('other_proposal');
    expect(reasonOf(reviewRefusal(review, { ...attempt, site: { ...state, externalUserPolicy: policy({ reverifyEveryDays: 29 }) } }))).toBe('policy_changed');
    expect(reasonOf(reviewRefusal(review, { ...attempt, site: { ...state, verifiedDomains: ['corp.example'] } }))).toBe('policy_changed');
    expect(reviewRefusal(null, attempt)?.status).toBe(409);
    expect(reviewRefusal(null, attempt)?.message).toMatch(/review/i);
  });

  it('is fresh for exactly its minutes, its last instant included, by the clock it is given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * REVIEW_MINUTES * 60_000 }), (elapsedMs) => {
        const refusal = reviewRefusal({ ...review, expiresAt: new Date(NOW.getTime() + REVIEW_MINUTES * 60_000).toISOString() }, { ...attempt, now: new Date(NOW.getTime() + elapsedMs) });
        expect(reasonOf(refusal)).toBe(elapsedMs > REVIEW_MINUTES * 60_000 ? 'expired' : null);
      }),
    );
  });

  it('reports a used review as used even when it is also stale or of another admin', () => {
    const late = { ...attempt, now: new Date(NOW.getTime() + DAY), callerId: 'usr_other' };
    expect(reasonOf(reviewRefusal({ ...review, usedAt: NOW.toISOString() }, late))).toBe('used');
  });

  it('binds the proposal by fingerprint: trial people in any order are one proposal', () => {
    const trial = policyFingerprint(policy(), ['usr_b', 'usr_a']);
    expect(reviewRefusal({ ...review, fingerprint: trial }, { ...attempt, fingerprint: policyFingerprint(policy(), ['usr_a', 'usr_b']) })).toBeNull();
  });
});

describe('continuationRefusal', () => {
  const state: SitePolicyState = { externalUserPolicy: policy(), verifiedDomains: [] };
  const previous: ReviewRecord = { siteId: 's', reviewerId: 'usr_a', fingerprint: 'f', expiresAt: ago(DAY), usedAt: ago(DAY), reviewedAgainst: state };
  const attempt = { siteId: 's', callerId: 'usr_a', fingerprint: 'f', site: state };

  it('continues a listing even when the earlier page’s review expired or was used', () => {
    expect(continuationRefusal(previous, attempt)).toBeNull();
  });

  it('refuses cursors of other reviews as bad input, and a changed site as review_required', () => {
    for (const wrong of [null, { ...previous, siteId: 't' }, { ...previous, reviewerId: 'usr_b' }, { ...previous, fingerprint: 'g' }]) {
      expect(continuationRefusal(wrong, attempt)?.code).toBe('validation_failed');
    }
    expect(continuationRefusal(previous, { ...attempt, site: { ...state, externalUserPolicy: policy({ apiTokensAllowed: false }) } })?.code).toBe('review_required');
  });
});

describe('samePolicyState', () => {
  it('compares the policy, the trial (with its start) and the domains as stored', () => {
    fc.assert(
      fc.property(arbPolicy, arbPolicy, fc.array(fc.domain(), { maxLength: 3 }), (a, b, domains) => {
        expect(samePolicyState({ externalUserPolicy: a, verifiedDomains: domains }, { externalUserPolicy: b, verifiedDomains: [...domains] })).toBe(
          a.twoStepRequired === b.twoStepRequired && a.reverifyEveryDays === b.reverifyEveryDays && a.apiTokensAllowed === b.apiTokensAllowed,
        );
      }),
    );
    const trial = { policy: policy(), userIds: ['usr_a'], startedAt: ago(DAY) };
    const base = { externalUserPolicy: policy(), verifiedDomains: [] };
    expect(samePolicyState({ ...base, policyTrial: trial }, { ...base, policyTrial: { ...trial } })).toBe(true);
    expect(samePolicyState({ ...base, policyTrial: trial }, base)).toBe(false);
    expect(samePolicyState({ ...base, policyTrial: trial }, { ...base, policyTrial: { ...trial, startedAt: ago(0) } })).toBe(false);
    expect(samePolicyState({ ...base, policyTrial: trial }, { ...base, policyTrial: { ...trial, userIds: ['usr_b'] } })).toBe(false);
    expect(samePolicyState({ ...base, verifiedDomains: ['a.example', 'b.example'] }, { ...base, verifiedDomains: ['b.example', 'a.example'] })).toBe(false);
  });
});

describe('review tokens', () => {
  it('carry the review id and a 256-bit secret, and nothing else parses', () => {
    const reviewId = newReviewId();
    const secret = newLinkToken();
    expect(reviewTokenParts(reviewToken(reviewId, secret))).toEqual({ reviewId, secret });
    for (const junk of ['', 'x', secret, `${reviewId}.`, `${reviewId}.${secret}x`, `rev_abc.${secret}`, `${reviewId}:${secret}`, ` ${reviewId}.${secret}`]) {
      expect(reviewTokenParts(junk), junk).toBeNull();
    }
  });
});

describe('verified domains', () => {
  it('accepts DNS names and refuses what an address could not be at', () => {
    for (const good of ['corp.example', 'eu.corp.example', 'xn--bcher-kva.example', 'a-b.co', '1password.com']) expect(isDomainName(good), good).toBe(true);
    for (const bad of ['', 'example', 'corp..example', '-corp.example', 'corp-.example', 'corp.example.', '*.corp.example', 'corp.example/x', '10.0.0.1', 'co rp.example', 'Corp.Example', `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}example`]) {
      expect(isDomainName(bad), bad).toBe(false);
    }
  });

  it('names every bad item by its index, and stores the rest lower-cased, each once, in order', () => {
    const problem = verifiedDomainsProblem(['corp.example', 'not a domain', 'ok.example', 'bad..example']);
    expect(problem?.issues.map((issue) => issue.path)).toEqual(['body.verifiedDomains.1', 'body.verifiedDomains.3']);
    expect(problem?.message).toContain('"not a domain"');
    expect(verifiedDomainsProblem(['CORP.example', ' corp.example '])).toBeNull();
    expect(normalizeDomains(['CORP.example', 'b.example', ' corp.example '])).toEqual(['corp.example', 'b.example']);
    expect(verifiedDomainsProblem(Array.from({ length: 51 }, (_, index) => `d${index}.example`))?.issues[0]?.path).toBe('body.verifiedDomains');
    expect(verifiedDomainsProblem([...Array.from({ length: 50 }, (_, index) => `d${index}.example`), 'D0.example'])).toBeNull();
  });
});
