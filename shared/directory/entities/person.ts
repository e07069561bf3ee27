import * as z from 'zod/mini';
import { ADMIN_ROLES, APP_ROLES, PERSON_KINDS, PERSON_STATUSES, type Kind } from '../../domain/vocabulary';
import { and, conditionsOn, update, type Condition } from '../expressions';
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

/** Guards the person item on the state a decision was made from. */
export const personAsRead = (person: Pick<PersonItem, 'status' | 'kind'>): Condition => and(personIs.eq('status', person.status), personIs.eq('kind', person.kind));

export const newPersonWrite = (person: PersonItem): Write =>
  putWrite(personKey(person.siteId, person.userId), { type: PERSON_TYPE, ...person, ...personIndexKeys(person) });

export const personDeleteWrite = (person: PersonItem): Write => deleteWrite(personKey(person.siteId, person.userId), personAsRead(person));
