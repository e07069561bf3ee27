import * as z from 'zod/mini';
import { ADMIN_ROLES, APP_ROLES, PERSON_KINDS, PERSON_STATUSES, type Kind } from '../../domain/vocabulary';
import { and, conditionsOn, update, type Condition, type Update } from '../expressions';
import { SealedSecretItem } from './sealed-secret';
import { sitePartition, type Key } from '../key';
import { deleteWrite, putWrite, type Write } from '../writes';

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
});
export type PersonItem = z.infer<typeof PersonItem>;

/** The guest-list index attributes a person item carries next to its own. */
export interface PersonIndexAttributes {
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk?: string;
  gsi2sk?: string;
  gsi3pk?: string;
  gsi3sk?: string;
  gsi4pk?: string;
  gsi4sk?: string;
}
type StoredPerson = PersonItem & PersonIndexAttributes;

export const personUpdate = () => update<StoredPerson>();
export const personIs = conditionsOn<StoredPerson>();

export const guestsByKindPartition = (siteId: string, kind: Kind) => `${sitePartition(siteId)}#KIND#${kind}`;
export const guestsByStatusPartition = (siteId: string, status: string) => `${sitePartition(siteId)}#GUEST_STATUS#${status}`;
/** `spaceKey` undefined: the guests without a space. */
export const guestsBySpacePartition = (siteId: string, spaceKey: string | undefined) => `${sitePartition(siteId)}#GUEST_SPACE#${spaceKey ?? '-'}`;

/** Guest-list index keys (gsi1–gsi3) for a person; paid users only appear in the kind index. */
export function personIndexKeys(person: {
  siteId: string;
  userId: string;
  kind: Kind;
  status: string;
  spaceKey?: string | undefined;
  invitedAt: string;
}): Record<string, string> {
  const order = `${person.invitedAt}#${person.userId}`;
  const base = { gsi1pk: guestsByKindPartition(person.siteId, person.kind), gsi1sk: order };
  if (person.kind !== 'guest') return base;
  return {
    ...base,
    gsi2pk: guestsByStatusPartition(person.siteId, person.status),
    gsi2sk: order,
    gsi3pk: guestsBySpacePartition(person.siteId, person.spaceKey),
    gsi3sk: order,
  };
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
 * Suspended, deactivated and invited people carry no keys.
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

export const newPersonWrite = (person: PersonItem): Write =>
  putWrite(personKey(person.siteId, person.userId), { type: PERSON_TYPE, ...person, ...personIndexKeys(person), ...verificationIndexKeys(person) });

export const personDeleteWrite = (person: PersonItem): Write => deleteWrite(personKey(person.siteId, person.userId), personAsRead(person));
