import { graceEndsAt, REVERIFY_GRACE_DAYS, reverifyCutoff } from '../domain/external';
import { unknownVerificationLink, verificationLinkRefusal } from '../domain/reverification';
import { hashToken, LINK_TOKEN_PATTERN } from '../domain/tokens';
import type { Kind } from '../domain/vocabulary';
import type { Directory } from './directory';
import { auditWrite } from './entities/audit-event';
import { linkIs, LinkItem, linkKey, linkUpdate, newLinkWrite } from './entities/link';
import {
  PersonItem,
  personAsRead,
  personIndexKeys,
  personIs,
  personKey,
  personUpdate,
  stageStartedBy,
  withVerificationIndex,
  type VerificationStage,
} from './entities/person';
import { allSites, SiteItem, siteKey } from './entities/site';
import { and, or } from './expressions';
import { batchGetItems, foundItem, queryPages, readItem } from './reads';
import { commitWritesIfUnchanged } from './transact';
import { epochSeconds } from './time';
import { updateWrite } from './writes';

/**
 * The re-verification job's reads and writes. The job reads the sparse re-verification index
 * (gsi4) only up to each stage's cut-off, so it reads the people who owe something, not the
 * directory; every write is conditioned on the index position it was read at, so two runs at
 * once, or a person verifying meanwhile, never get a second email or a wrong suspension.
 */

/** A person as the index read found them, with the index position the writes are guarded on. */
export interface IndexedPerson {
  readonly person: PersonItem;
  readonly position: { readonly gsi4pk: string; readonly gsi4sk: string };
}

export async function* allSiteItems(db: Directory): AsyncGenerator<SiteItem> {
  for await (const page of queryPages(db, { index: 'gsi1', keyCondition: allSites })) {
    for (const item of page.items) yield SiteItem.parse(item);
  }
}

/** The stages of one site the job reads, each up to its cut-off. Paid users only where domains are verified. */
export function dueStages(site: SiteItem, now: Date): { kind: Kind; stage: VerificationStage; upTo: string }[] {
  const policy = site.externalUserPolicy;
  const kinds: Kind[] = site.verifiedDomains.length > 0 ? ['guest', 'paid'] : ['guest'];
  const cutoff = reverifyCutoff(policy, now);
  const graceStart = new Date(now.getTime() - REVERIFY_GRACE_DAYS * 86_400_000).toISOString();
  return kinds.flatMap((kind) => [
    // Everyone not enrolled owes an enrolment while two-step is required.
    { kind, stage: 'PLAIN' as const, upTo: policy.twoStepRequired ? now.toISOString() : cutoff },
    { kind, stage: 'TOTP' as const, upTo: cutoff },
    { kind, stage: 'SENT' as const, upTo: graceStart },
    ...(kind === 'paid' ? [{ kind, stage: 'INTERNAL' as const, upTo: cutoff }] : []),
  ]);
}

const indexed = (item: Record<string, unknown>): IndexedPerson => ({
  person: PersonItem.parse(item),
  position: { gsi4pk: String(item.gsi4pk), gsi4sk: String(item.gsi4sk) },
});

/** One stage of one site, page by page (each page at most `pageSize` people). */
export async function* duePages(db: Directory, siteId: string, stage: { kind: Kind; stage: VerificationStage; upTo: string }, pageSize: number): AsyncGenerator<IndexedPerson[]> {
  for await (const page of queryPages(db, { index: 'gsi4', keyCondition: stageStartedBy(siteId, stage.kind, stage.stage, stage.upTo), pageSize })) {
    if (page.items.length > 0) yield page.items.map(indexed);
  }
}

/** The people a trial policy names, read directly: a stricter trial makes them due before the site's cut-offs do. */
export async function trialPeople(db: Directory, site: SiteItem): Promise<IndexedPerson[]> {
  const userIds = site.policyTrial?.userIds ?? [];
  if (userIds.length === 0) return [];
  const found = await batchGetItems(db, userIds.map((userId) => personKey(site.siteId, userId)));
  return userIds
    .map((userId) => foundItem(found, personKey(site.siteId, userId)))
    .filter((item): item is Record<string, unknown> => item !== undefined && typeof item.gsi4pk === 'string')
    .map(indexed);
}

const atPosition = ({ position }: IndexedPerson) => and(personIs.eq('gsi4pk', position.gsi4pk), personIs.eq('gsi4sk', position.gsi4sk));

/** A run that claimed a send and died holds it this long; then another run may send again. */
export const SEND_CLAIM_MINUTES = 15;

/**
 * Claims sending a link: stores the new link and its digest on the person, guarded on the index
 * position as read and no live claim, so only one run sends. False: someone else got there first.
 */
export async function claimVerificationLink(db: Directory, entry: IndexedPerson, digest: string, expiresAt: string, now: Date): Promise<boolean> {
  const { person } = entry;
  const nowIso = now.toISOString();
  const staleClaim = new Date(now.getTime() - SEND_CLAIM_MINUTES * 60_000).toISOString();
  return commitWritesIfUnchanged(db, [
    newLinkWrite(digest, { purpose: 'reverification', siteId: person.siteId, userId: person.userId, expiresAt, ttl: epochSeconds(expiresAt) }),
    updateWrite(
      personKey(person.siteId, person.userId),
      personUpdate().set('verifyLinkDigest', digest).set('verifyLinkIssuedAt', nowIso),
      and(personIs.eq('status', 'active'), atPosition(entry), or(personIs.attributeNotExists('verifyLinkIssuedAt'), personIs.lt('verifyLinkIssuedAt', staleClaim))),
    ),
  ]);
}

/** SES certainly did not take the email: the claim goes, so the next run sends again. */
export async function releaseVerificationLink(db: Directory, person: PersonItem, digest: string): Promise<void> {
  await commitWritesIfUnchanged(db, [
    updateWrite(personKey(person.siteId, person.userId), personUpdate().remove('verifyLinkDigest', 'verifyLinkIssuedAt'), personIs.eq('verifyLinkDigest', digest)),
  ]);
}

/** The email is out: from now on the person is asked (and may be denied) until they verify. */
export async function recordVerificationSent(db: Directory, person: PersonItem, digest: string, now: Date, actor: string): Promise<boolean> {
  const nowIso = now.toISOString();
  const next: PersonItem = { ...person, verificationRequestedAt: nowIso };
  return commitWritesIfUnchanged(db, [
    updateWrite(
      personKey(person.siteId, person.userId),
      withVerificationIndex(personUpdate().set('verificationRequestedAt', nowIso).remove('verifyLinkIssuedAt'), next),
      and(personIs.eq('verifyLinkDigest', digest), personIs.eq('status', 'active')),
    ),
    auditWrite({
      siteId: person.siteId,
      actor,
      action: 'person.reverification_requested',
      target: person.userId,
      at: nowIso,
      details: { graceEndsAt: graceEndsAt(nowIso).toISOString(), lastVerifiedAt: person.lastVerifiedAt ?? person.activatedAt ?? null },
    }),
  ]);
}

/** Rule 13: still unverified after the grace. The seat stays taken; the link still restores them. */
export async function suspendUnverified(db: Directory, entry: IndexedPerson, now: Date, actor: string): Promise<boolean> {
  const { person } = entry;
  const nowIso = now.toISOString();
  const next: PersonItem = { ...person, status: 'suspended', suspendedAt: nowIso };
  let change = personUpdate().set('status', 'suspended').set('suspendedAt', nowIso);
  const { gsi2pk } = personIndexKeys(next);
  if (gsi2pk) change = change.set('gsi2pk', gsi2pk);
  return commitWritesIfUnchanged(db, [
    updateWrite(personKey(person.siteId, person.userId), withVerificationIndex(change, next), and(personIs.eq('status', 'active'), atPosition(entry))),
    auditWrite({
      siteId: person.siteId,
      actor,
      action: 'person.suspended',
      target: person.userId,
      at: nowIso,
      details: { reason: 'reverification_overdue', verificationRequestedAt: person.verificationRequestedAt ?? null, before: { status: 'active' }, after: { status: 'suspended' } },
    }),
  ]);
}

/** The request no longer applies (policy relaxed, domain verified): withdrawn, so it can deny nobody. */
export async function withdrawVerificationRequest(db: Directory, entry: IndexedPerson, now: Date, actor: string): Promise<boolean> {
  const { person } = entry;
  const next: PersonItem = { ...person };
  delete next.verificationRequestedAt;
  return commitWritesIfUnchanged(db, [
    updateWrite(
      personKey(person.siteId, person.userId),
      withVerificationIndex(personUpdate().remove('verificationRequestedAt', 'verifyLinkDigest', 'verifyLinkIssuedAt'), next),
      atPosition(entry),
    ),
    auditWrite({ siteId: person.siteId, actor, action: 'person.reverification_withdrawn', target: person.userId, at: now.toISOString(), details: { reason: 'no_longer_required' } }),
  ]);
}

/** An internal paid user: moved on in the index so the job reads them again only an interval later. */
export async function markCheckedInternal(db: Directory, entry: IndexedPerson, now: Date): Promise<boolean> {
  const nowIso = now.toISOString();
  const next: PersonItem = { ...entry.person, verificationCheckedAt: nowIso };
  return commitWritesIfUnchanged(db, [
    updateWrite(personKey(next.siteId, next.userId), withVerificationIndex(personUpdate().set('verificationCheckedAt', nowIso), next), atPosition(entry)),
  ]);
}

/** A paid user once found internal is external now (the domains changed): back in the ordinary stages. */
export async function clearInternalMark(db: Directory, entry: IndexedPerson): Promise<boolean> {
  const next: PersonItem = { ...entry.person };
  delete next.verificationCheckedAt;
  return commitWritesIfUnchanged(db, [
    updateWrite(personKey(next.siteId, next.userId), withVerificationIndex(personUpdate().remove('verificationCheckedAt'), next), atPosition(entry)),
  ]);
}

export interface OpenVerification {
  readonly link: LinkItem;
  readonly person: PersonItem;
  readonly site: SiteItem;
  readonly digest: string;
}

export async function openVerificationLink(db: Directory, token: string, now: Date): Promise<OpenVerification> {
  if (!LINK_TOKEN_PATTERN.test(token)) throw unknownVerificationLink();
  const digest = hashToken(token);
  const link = await readItem(db, linkKey(digest), LinkItem);
  if (!link || link.purpose !== 'reverification') throw unknownVerificationLink();
  const [person, site] = await Promise.all([readItem(db, personKey(link.siteId, link.userId), PersonItem), readItem(db, siteKey(link.siteId), SiteItem)]);
  const refusal = verificationLinkRefusal(link, site ? person : null, digest, now);
  if (refusal) throw refusal;
  return { link, person: person!, site: site!, digest };
}

/**
 * The person proved it (and passed two-step where owed): verified now, any suspension lifted, the
 * link used — one transaction guarded on the link still being theirs and unused.
 */
export async function completeVerification(db: Directory, open: OpenVerification, now: Date): Promise<PersonItem | null> {
  const { person, digest } = open;
  const nowIso = now.toISOString();
  const next: PersonItem = { ...person, status: 'active', lastVerifiedAt: nowIso };
  delete next.verificationRequestedAt;
  delete next.verifyLinkDigest;
  delete next.verifyLinkIssuedAt;
  delete next.suspendedAt;
  delete next.verificationCheckedAt;
  let change = personUpdate()
    .set('status', 'active')
    .set('lastVerifiedAt', nowIso)
    .remove('verificationRequestedAt', 'verifyLinkDigest', 'verifyLinkIssuedAt', 'suspendedAt', 'verificationCheckedAt');
  const { gsi2pk } = personIndexKeys(next);
  if (gsi2pk) change = change.set('gsi2pk', gsi2pk);
  const done = await commitWritesIfUnchanged(db, [
    // The kind as read too: the status index key above is computed from it.
    updateWrite(personKey(person.siteId, person.userId), withVerificationIndex(change, next), and(personIs.eq('verifyLinkDigest', digest), personAsRead(person))),
    updateWrite(linkKey(digest), linkUpdate().set('usedAt', nowIso), and(linkIs.attributeNotExists('usedAt'), linkIs.eq('purpose', 'reverification'))),
    auditWrite({
      siteId: person.siteId,
      actor: person.userId,
      action: 'person.reverified',
      target: person.userId,
      at: nowIso,
      details: { before: { status: person.status, lastVerifiedAt: person.lastVerifiedAt ?? null }, after: { status: 'active', lastVerifiedAt: nowIso } },
    }),
  ]);
  return done ? next : null;
}
