/**
 * Every key of the single table is built here, so an entity's layout is decided in one place.
 * Site-scoped items share the partition `SITE#<siteId>`, which keeps a tenant's data together
 * and lets a handler prove an item belongs to the site by its key alone.
 */
export interface Key {
  readonly pk: string;
  readonly sk: string;
}

const site = (siteId: string) => `SITE#${siteId}`;

export const keys = {
  site: (siteId: string): Key => ({ pk: site(siteId), sk: 'SITE' }),
  person: (siteId: string, userId: string): Key => ({ pk: site(siteId), sk: `USER#${userId}` }),
  /** One per address and site: the uniqueness guard for "already a member". */
  emailClaim: (siteId: string, email: string): Key => ({ pk: site(siteId), sk: `EMAIL#${email}` }),
  /** Remembers that an address was ever a paid user of the site; never deleted (rule 3). */
  formerPaid: (siteId: string, emailDigest: string): Key => ({ pk: site(siteId), sk: `PAID#${emailDigest}` }),
  /** A deleted person's data during the grace period before erasure. */
  erasure: (siteId: string, userId: string): Key => ({ pk: site(siteId), sk: `ERASURE#${userId}` }),
  invitation: (siteId: string, invitationId: string): Key => ({ pk: site(siteId), sk: `INVITATION#${invitationId}` }),
  space: (siteId: string, spaceKey: string): Key => ({ pk: site(siteId), sk: `SPACE#${spaceKey}` }),
  group: (siteId: string, groupId: string): Key => ({ pk: site(siteId), sk: `GROUP#${groupId}` }),
  /** One per (group, person): lets a group's members be queried without reading every person. */
  membership: (siteId: string, groupId: string, userId: string): Key => ({ pk: site(siteId), sk: `MEMBER#${groupId}#${userId}` }),
  membershipPrefix: (groupId: string) => `MEMBER#${groupId}#`,
  idempotency: (siteId: string, callerId: string, key: string): Key => ({ pk: site(siteId), sk: `IDEMPOTENCY#${callerId}#${key}` }),
  auditEvent: (siteId: string, eventId: string): Key => ({ pk: `${site(siteId)}#AUDIT`, sk: `EVENT#${eventId}` }),
  auditPartition: (siteId: string) => `${site(siteId)}#AUDIT`,
  /** Link tokens are looked up by their digest alone: the guest routes know no site. */
  linkToken: (tokenDigest: string): Key => ({ pk: `LINK#${tokenDigest}`, sk: 'LINK' }),
  orgAdmin: (orgId: string, userId: string): Key => ({ pk: `ORG#${orgId}`, sk: `ADMIN#${userId}` }),
  orgEmail: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `EMAIL#${email}` }),
  sitePrefix: {
    space: 'SPACE#',
    group: 'GROUP#',
  },
  partitionOf: site,
};

/** Guest-list index keys (gsi1–gsi3) for a person; paid users only appear in the kind index. */
export function personIndexKeys(person: {
  siteId: string;
  userId: string;
  kind: 'guest' | 'paid';
  status: string;
  spaceKey?: string | undefined;
  invitedAt: string;
}): Record<string, string> {
  const order = `${person.invitedAt}#${person.userId}`;
  const base = { gsi1pk: `${site(person.siteId)}#KIND#${person.kind}`, gsi1sk: order };
  if (person.kind !== 'guest') return base;
  return {
    ...base,
    gsi2pk: `${site(person.siteId)}#GUEST_STATUS#${person.status}`,
    gsi2sk: order,
    gsi3pk: `${site(person.siteId)}#GUEST_SPACE#${person.spaceKey ?? '-'}`,
    gsi3sk: order,
  };
}
