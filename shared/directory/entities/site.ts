import * as z from 'zod/mini';
import type { SeatDelta } from '../../domain/seats';
import { DEFAULT_EXTERNAL_USER_POLICY, samePolicy } from '../../domain/external';
import type { SitePolicyState } from '../../domain/external-policy';
import { PLANS } from '../../domain/vocabulary';
import { and, conditionsOn, itemAbsent, itemExists, or, update, type Condition } from '../expressions';
import { sitePartition, type Key } from '../key';
import { putWrite, updateWrite, type Write } from '../writes';

export const SITE_TYPE = 'site';

export const siteKey = (siteId: string): Key => ({ pk: sitePartition(siteId), sk: 'SITE' });

export const ExternalUserPolicy = z.object({
  twoStepRequired: z.boolean(),
  reverifyEveryDays: z.int().check(z.minimum(1), z.maximum(30)),
  apiTokensAllowed: z.boolean(),
});
export type ExternalUserPolicy = z.infer<typeof ExternalUserPolicy>;
export { DEFAULT_EXTERNAL_USER_POLICY };

/** A policy applied to a few named people first (`trialUserIds` of a review). */
export const PolicyTrialItem = z.object({
  policy: ExternalUserPolicy,
  userIds: z.array(z.string()),
  startedAt: z.string(),
});

/** Items as stored. Reads are parsed, so a malformed item fails loudly instead of spreading. */
export const SiteItem = z.object({
  siteId: z.string(),
  name: z.string(),
  orgId: z.string(),
  plan: z.enum(PLANS),
  userLimit: z.int(),
  guestRatio: z.int(),
  inviteExpiryDays: z.int(),
  paid: z.int(),
  guests: z.int(),
  ratioRoom: z.int(),
  userRoom: z.int(),
  /** The effective guest ratio the headroom counters were computed with (0 on the Free plan). */
  seatRatio: z.int(),
  externalUserPolicy: z._default(ExternalUserPolicy, DEFAULT_EXTERNAL_USER_POLICY),
  policyTrial: z.optional(PolicyTrialItem),
  /** Lower-cased email domains whose paid users are internal; empty: only guests are external. */
  verifiedDomains: z._default(z.array(z.string()), []),
  /** The wiki itself: where welcome emails and guest pages send people. */
  wikiUrl: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.optional(z.string()),
});
export type SiteItem = z.infer<typeof SiteItem>;

export const siteUpdate = () => update<SiteItem>();
export const siteIs = conditionsOn<SiteItem>();

const policyIs = (path: 'externalUserPolicy' | 'policyTrial.policy', policy: ExternalUserPolicy): Condition =>
  and(
    siteIs.eq(`${path}.twoStepRequired`, policy.twoStepRequired),
    siteIs.eq(`${path}.reverifyEveryDays`, policy.reverifyEveryDays),
    siteIs.eq(`${path}.apiTokensAllowed`, policy.apiTokensAllowed),
  );

/**
 * Guards a write on the site's policy state as read: its policy, its trial (policy, people in
 * order, start) and its verified domains in order, the same values `samePolicyState` compares.
 * A site stored before an attribute existed reads as its default, and matches that default.
 */
export function policyStateAsRead(state: SitePolicyState): Condition {
  const policy = policyIs('externalUserPolicy', state.externalUserPolicy);
  const trial = state.policyTrial;
  return and(
    samePolicy(state.externalUserPolicy, DEFAULT_EXTERNAL_USER_POLICY) ? or(siteIs.attributeNotExists('externalUserPolicy'), policy) : policy,
    trial
      ? and(siteIs.eq('policyTrial.startedAt', trial.startedAt), siteIs.eq('policyTrial.userIds', [...trial.userIds]), policyIs('policyTrial.policy', trial.policy))
      : siteIs.attributeNotExists('policyTrial'),
    domainsAsRead(state.verifiedDomains),
  );
}

/** Guards a write on the verified domains as read (in order); a site stored without them reads as none. */
export const domainsAsRead = (domains: readonly string[]): Condition =>
  domains.length === 0 ? or(siteIs.attributeNotExists('verifiedDomains'), siteIs.eq('verifiedDomains', [])) : siteIs.eq('verifiedDomains', [...domains]);

/** The site's policy for everyone; a trial running ends with it. */
export const sitePolicyUpdate = (policy: ExternalUserPolicy, now: string) =>
  siteUpdate().set('externalUserPolicy', { ...policy }).remove('policyTrial').set('updatedAt', now);

/** A trial of `policy` on a few people; the site's own policy stays, an earlier trial is replaced. */
export const policyTrialUpdate = (trial: z.infer<typeof PolicyTrialItem>, now: string) =>
  siteUpdate().set('policyTrial', { policy: { ...trial.policy }, userIds: [...trial.userIds], startedAt: trial.startedAt }).set('updatedAt', now);

/** gsi1 partition listing every site, so the scheduled jobs can visit sites without a Scan. */
export const SITES_PARTITION = 'SITES';
interface SiteIndex {
  gsi1pk: string;
  gsi1sk: string;
}
export const allSites = conditionsOn<SiteIndex>().eq('gsi1pk', SITES_PARTITION);

export const newSiteWrite = (site: SiteItem): Write =>
  putWrite(siteKey(site.siteId), { type: SITE_TYPE, ...site, gsi1pk: SITES_PARTITION, gsi1sk: site.siteId }, itemAbsent);

/**
 * The site-item update that moves the seat counters by `delta`, guarded for the seat taken. The
 * ratio the delta was computed with must still be the site's, or ratioRoom would drift. The old
 * image comes back with a refusal, so the caller can tell which limit refused.
 */
export function seatWrite(siteId: string, delta: SeatDelta, ratio: number, guard: 'none' | 'user' | 'guest'): Write {
  return updateWrite(
    siteKey(siteId),
    siteUpdate().add('paid', delta.paid).add('guests', delta.guests).add('ratioRoom', delta.ratioRoom).add('userRoom', delta.userRoom),
    and(
      itemExists,
      siteIs.eq('seatRatio', ratio),
      guard !== 'none' ? siteIs.ge('userRoom', 1) : undefined,
      guard === 'guest' ? siteIs.ge('ratioRoom', 1) : undefined,
    ),
    { returnOldOnRefusal: true },
  );
}
