import * as z from 'zod/mini';
import { ADMIN_ROLES, APP_ROLES, PERSON_KINDS, PERSON_STATUSES, type Kind, type MemberStatus, type PersonStatus } from '../../domain/vocabulary';
import { and, conditionsOn, update, type Condition, type Update } from '../expressions';
import { SealedSecretItem } from './sealed-secret';
import { sitePartition, type Key } from '../key';
import { deleteWrite, putWrite, updateWrite, type Write } from '../writes';

export const PERSON_TYPE = 'person';

export const personKey = (siteId: string, userId: string): Key => ({ pk: sitePartition(siteId), sk: `USER#${userId}` });

export const AppRoleValue = z.enum(APP_ROLES);

export const PersonItem = z.object({
  siteId: z.string(),
  userId: z.string(),
  email: z.string(),
  displayName: z.optional(z.string()),
  kind: z.enum(PERSON_KINDS),
  status: z.enum(PERSON_STATUSES),
  roles: z.record(z.string(), AppRoleValue),
  groups: z.array(z.string()),
  spaceKey: z.optional(z.string()),
  invitedBy: z.optional(z.string()),
  invitedAt: z.string(),
  activatedAt: z.optional(z.string()),
  acceptedAt: z.optional(z.string()),
  lastVerifiedAt: z.optional(z.string()),
  twoStepEnrolled: z._default(z.boolean(), false),
  /** The TOTP secret, envelope-encrypted; never returned after enrolment. */
  twoStepSecret: z.optional(SealedSecretItem),
  /** A secret handed out by an enrolment not completed yet (shown again until a code proves it). */
  twoStepPendingSecret: z.optional(SealedSecretItem),
  /** The last TOTP time step accepted: a code for it or an earlier one is never accepted again. */
  twoStepLastStep: z.optional(z.int()),
  /** Wrong codes in a row since the last good one or lock. */
  twoStepFailures: z.optional(z.int()),
  twoStepLockedUntil: z.optional(z.string()),
  /** A re-verification link was sent at this time and not used yet. */
  verificationRequestedAt: z.optional(z.string()),
  /** Digest of the current re-verification link; a newer link replaces it. */
  verifyLinkDigest: z.optional(z.string()),
  /** When the job claimed sending that link: a run that died mid-send is retried after a while. */
  verifyLinkIssuedAt: z.optional(z.string()),
  /** When the re-verification job last found this paid user inside the verified domains. */
  verificationCheckedAt: z.optional(z.string()),
  suspendedAt: z.optional(z.string()),
  adminRole: z.optional(z.enum(ADMIN_ROLES)),
  invitationId: z.optional(z.string()),
  /** Step Functions token of a waiting AwaitSpaceAssignment task; never leaves the server. */
  spaceTaskToken: z.optional(z.string()),
  /**
   * When app access was last removed. Kept when the person is invited again, so an invitation of
   * theirs that ends unaccepted takes them back to `removed` instead of erasing them.
   */
  removedAt: z.optional(z.string()),
});
export type PersonItem = z.infer<typeof PersonItem>;

/** The list index attributes a person item carries next to its own. */
export interface PersonIndexAttributes {
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk?: string;
  gsi2sk?: string;
  gsi3pk?: string;
  gsi3sk?: string;
  gsi4pk?: string;
  gsi4sk?: string;
  gsi5pk?: string;
  gsi5sk?: string;
}
type StoredPerson = PersonItem & PersonIndexAttributes;

export const personUpdate = () => update<StoredPerson>();
export const personIs = conditionsOn<StoredPerson>();

/** gsi1: the people of a site who are still members, by kind (the guest list's "all guests"). */
export const guestsByKindPartition = (siteId: string, kind: Kind) => `${sitePartition(siteId)}#KIND#${kind}`;
/** gsi1: the removed people of a site, by kind, apart from the members so no member list meets them. */
export const removedByKindPartition = (siteId: string, kind: Kind) => `${sitePartition(siteId)}#REMOVED#${kind}`;
/** gsi2: members by kind and status; the guest list reads the guest partitions. */
export const byKindAndStatusPartition = (siteId: string, kind: Kind, status: MemberStatus) =>
  kind === 'guest' ? guestsByStatusPartition(siteId, status) : `${sitePartition(siteId)}#PAID_STATUS#${status}`;
export const guestsByStatusPartition = (siteId: string, status: string) => `${sitePartition(siteId)}#GUEST_STATUS#${status}`;
/** `spaceKey` undefined: the guests without a space. */
export const guestsBySpacePartition = (siteId: string, spaceKey: string | undefined) => `${sitePartition(siteId)}#GUEST_SPACE#${spaceKey ?? '-'}`;
/** gsi5: everyone on the site with a display name, by the name lower-cased (the users list's search). */
export const byNamePartition = (siteId: string) => `${sitePartition(siteId)}#NAME`;

/** A display name as the name index orders and searches it. */
export const searchText = (text: string) => text.toLowerCase();
/** The name index sort key: the lower-cased name, then the id (two people may share a name). */
export const nameOrder = (person: { userId: string; displayName: string }) => `${searchText(person.displayName)}#${person.userId}`;

/**
 * List index keys for a person. A member is in gsi1 (by kind) and gsi2 (by kind and status); a
 * guest member also in gsi3 (by space, or none). A removed person is only in gsi1's removed
 * partition of their kind, so neither the guest list nor the space and status partitions can list
 * them. Everyone with a display name is in gsi5 (by name); gsi5pk is there even without a name,
 * so acceptance only has to add the sort key.
 */
export function personIndexKeys(person: {
  siteId: string;
  userId: string;
  kind: Kind;
  status: PersonStatus;
  spaceKey?: string | undefined;
  invitedAt: string;
  displayName?: string | undefined;
}): Record<string, string> {
  const order = `${person.invitedAt}#${person.userId}`;
  const names = {
    gsi5pk: byNamePartition(person.siteId),
    ...(person.displayName ? { gsi5sk: nameOrder({ userId: person.userId, displayName: person.displayName }) } : {}),
  };
  if (person.status === 'removed') return { gsi1pk: removedByKindPartition(person.siteId, person.kind), gsi1sk: order, ...names };
  const base = {
    gsi1pk: guestsByKindPartition(person.siteId, person.kind),
    gsi1sk: order,
    gsi2pk: byKindAndStatusPartition(person.siteId, person.kind, person.status),
    gsi2sk: order,
    ...names,
  };
  if (person.kind !== 'guest') return base;
  return { ...base, gsi3pk: guestsBySpacePartition(person.siteId, person.spaceKey), gsi3sk: order };
}

/**
 * The re-verification index (sparse gsi4): every active person, in a partition per site, kind and
 * stage, ordered by when the stage started. Guests are always external; paid users' partitions are
 * read only on sites with verified domains, so the job reads only people who may owe something.
 * - `PLAIN` / `TOTP`: not asked yet, by last proof of identity (not enrolled / enrolled in two-step);
 *   on a site requiring two-step, the whole `PLAIN` partition owes an enrolment.
 * - `SENT`: a link was sent, by when; the grace runs from there.
 * - `INTERNAL`: a paid user the job found inside the verified domains, by when; looked at again
 *   once per interval, in case the domains changed.
 * Suspended, deactivated, removed and invited people carry no keys.
 */
export type VerificationStage = 'PLAIN' | 'TOTP' | 'SENT' | 'INTERNAL';
export const verificationPartition = (siteId: string, kind: Kind, stage: VerificationStage) => `${sitePartition(siteId)}#VERIFY#${kind}#${stage}`;

type VerificationIndexed = Pick<
  PersonItem,
  'siteId' | 'userId' | 'kind' | 'status' | 'twoStepEnrolled' | 'activatedAt' | 'lastVerifiedAt' | 'verificationRequestedAt' | 'verificationCheckedAt'
>;

export function verificationIndexKeys(person: VerificationIndexed): { gsi4pk: string; gsi4sk: string } | null {
  if (person.status !== 'active') return null;
  const at = (stage: VerificationStage, since: string) => ({ gsi4pk: verificationPartition(person.siteId, person.kind, stage), gsi4sk: `${since}#${person.userId}` });
  if (person.verificationRequestedAt !== undefined) return at('SENT', person.verificationRequestedAt);
  if (person.kind === 'paid' && person.verificationCheckedAt !== undefined) return at('INTERNAL', person.verificationCheckedAt);
  return at(person.twoStepEnrolled ? 'TOTP' : 'PLAIN', person.lastVerifiedAt ?? person.activatedAt ?? '');
}

/** Sets (or removes) the re-verification index keys to match the person as they will be. */
export function withVerificationIndex(change: Update<StoredPerson>, next: VerificationIndexed): Update<StoredPerson> {
  const keys = verificationIndexKeys(next);
  return keys ? change.set('gsi4pk', keys.gsi4pk).set('gsi4sk', keys.gsi4sk) : change.remove('gsi4pk', 'gsi4sk');
}

/** Index sort keys at or before `at` (`~` sorts after every id). */
export const stageStartedBy = (siteId: string, kind: Kind, stage: VerificationStage, at: string): Condition =>
  and(personIs.eq('gsi4pk', verificationPartition(siteId, kind, stage)), personIs.le('gsi4sk', `${at}#~`));

/** Guards the person item on the state a decision was made from. */
export const personAsRead = (person: Pick<PersonItem, 'status' | 'kind'>): Condition => and(personIs.eq('status', person.status), personIs.eq('kind', person.kind));

const optionalAsRead = (path: 'spaceKey' | 'spaceTaskToken', value: string | undefined): Condition =>
  value === undefined ? personIs.attributeNotExists(path) : personIs.eq(path, value);

/**
 * Guards a departure on everything it undoes as read: status and kind (the seat), the space (its
 * guest count), the groups (their memberships) and a parked space-assignment token (it is revoked),
 * so a concurrent assignment, join or parked task makes the departure decide again.
 */
export const departingAsRead = (person: Pick<PersonItem, 'status' | 'kind' | 'spaceKey' | 'groups' | 'spaceTaskToken'>): Condition =>
  and(personAsRead(person), optionalAsRead('spaceKey', person.spaceKey), personIs.eq('groups', [...person.groups]), optionalAsRead('spaceTaskToken', person.spaceTaskToken));

const storedPerson = (person: PersonItem) => ({ type: PERSON_TYPE, ...person, ...personIndexKeys(person), ...verificationIndexKeys(person) });

export const newPersonWrite = (person: PersonItem): Write => putWrite(personKey(person.siteId, person.userId), storedPerson(person));

export const personDeleteWrite = (person: PersonItem): Write => deleteWrite(personKey(person.siteId, person.userId), departingAsRead(person));

/** What removing app access leaves of a person: no space, groups, pending task or two-step secrets. */
export function removedView(person: PersonItem, now: string): PersonItem {
  const removed: PersonItem = { ...person, status: 'removed', groups: [], removedAt: now, twoStepEnrolled: false };
  for (const field of REMOVED_FIELDS) delete removed[field];
  return removed;
}

/**
 * Access-related fields a removed person loses: the space and a parked task, a pending
 * re-verification (its link stops working), a suspension, and two-step secrets and counters (a
 * person invited again enrols afresh). Their id, address, name, roles and dates stay.
 */
const REMOVED_FIELDS = [
  'spaceKey',
  'spaceTaskToken',
  'verificationRequestedAt',
  'verifyLinkDigest',
  'verifyLinkIssuedAt',
  'verificationCheckedAt',
  'suspendedAt',
  'twoStepSecret',
  'twoStepPendingSecret',
  'twoStepLastStep',
  'twoStepFailures',
  'twoStepLockedUntil',
] as const satisfies readonly (keyof PersonItem)[];

/**
 * Rule 11: the person stays as `removed`, guarded on everything the departure undoes as read. They
 * leave gsi1's member partition for its removed one and lose their gsi2–gsi4 keys; the name index
 * keeps them, so the users list still finds them.
 */
export function removalWrite(person: PersonItem, now: string): Write {
  const removed = removedView(person, now);
  const keys = personIndexKeys(removed);
  const change = withVerificationIndex(
    personUpdate()
      .set('status', 'removed')
      .set('removedAt', now)
      .set('groups', [])
      .set('twoStepEnrolled', false)
      .set('gsi1pk', keys.gsi1pk)
      .remove(...REMOVED_FIELDS, 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'),
    removed,
  );
  return updateWrite(personKey(person.siteId, person.userId), change, departingAsRead(person));
}

/**
 * A removed person invited again: the item is written afresh as `invited` (same id, address and
 * name, everything of the earlier onboarding gone), guarded on still being removed as read.
 */
export const returningPersonWrite = (person: PersonItem, asRead: Pick<PersonItem, 'removedAt'>): Write =>
  putWrite(
    personKey(person.siteId, person.userId),
    storedPerson(person),
    and(personIs.eq('status', 'removed'), asRead.removedAt === undefined ? personIs.attributeNotExists('removedAt') : personIs.eq('removedAt', asRead.removedAt)),
  );
