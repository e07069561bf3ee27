import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, conflict, notFound } from '../domain/errors';
import { SEAT_HOLDING_STATUSES, type PersonStatus } from '../domain/people';
import { promoteSeat, releaseSeat, seatRefusal, takeSeat } from '../domain/seats';
import { emailDigest } from '../domain/tokens';
import { auditPut } from './audit';
import { decodeCursor, encodeCursor } from './cursor';
import { epochSeconds, getItem, type Directory } from './directory';
import { spaceGuestCountUpdate, seatUpdate } from './invitations';
import { InvitationItem, PersonItem, SiteItem } from './items';
import { keys, personIndexKeys } from './keys';
import { commitIfUnchanged, decideAndCommit, RETRY, transactWrite, TransactionRefused, type TransactItem } from './transact';

/**
 * The guest lifecycle after the invitation (rules 8, 10, 11, 14). Every operation reads the person
 * and the site, then writes one transaction conditioned on what it read (status, kind, space, the
 * site's ratio), with its audit event inside. A concurrent change makes the condition fail and the
 * operation re-reads and decides again, so no rule is ever checked on stale data.
 */
export const ERASURE_GRACE_DAYS = 14;
/** gsi4 partition of people waiting for their personal data to be erased (sparse, due date order). */
export const ERASURE_PARTITION = 'ERASURE';

interface Loaded {
  readonly person: PersonItem;
  readonly site: SiteItem;
}

async function load(db: Directory, siteId: string, userId: string): Promise<Loaded> {
  const [person, site] = await Promise.all([
    getItem(db, keys.person(siteId, userId), PersonItem),
    getItem(db, keys.site(siteId), SiteItem),
  ]);
  if (!site || !person) throw notFound('The user');
  return { person, site };
}

const withRetries = <T>(attempt: () => Promise<T | typeof RETRY>) => decideAndCommit(attempt, 'person');
const commit = (db: Directory, items: TransactItem[]) => commitIfUnchanged(db.client, items);

const holdsSeat = (status: PersonStatus) => SEAT_HOLDING_STATUSES.includes(status);

/** Guards the person item on the state the decision was made from. */
function personGuard(person: PersonItem): Pick<NonNullable<TransactItem['Update']>, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  return {
    ConditionExpression: '#status = :seenStatus AND kind = :seenKind',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':seenStatus': person.status, ':seenKind': person.kind },
  };
}

// ---------------------------------------------------------------------------------------------

export async function unassignSpace(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  return withRetries(async () => {
    const { person } = await load(db, siteId, userId);
    if (person.kind !== 'guest') throw conflict('Paid users have no assigned space.');
    if (!person.spaceKey) return person;
    const next: PersonItem = { ...person };
    delete next.spaceKey;
    const committed = await commit(db, [
      {
        Update: {
          TableName: db.tableName,
          Key: keys.person(siteId, userId),
          UpdateExpression: 'SET gsi3pk = :gsi3pk REMOVE spaceKey',
          ConditionExpression: 'kind = :guest AND spaceKey = :previous',
          ExpressionAttributeValues: { ':gsi3pk': personIndexKeys(next).gsi3pk, ':guest': 'guest', ':previous': person.spaceKey },
        },
      },
      spaceGuestCountUpdate(db, siteId, person.spaceKey, -1),
      auditPut(db, { siteId, actor, action: 'guest.space_unassigned', target: userId, at: now, details: { before: person.spaceKey, after: null } }),
    ]);
    return committed ? next : RETRY;
  });
}

// ---------------------------------------------------------------------------------------------

/** Task tokens of an onboarding that a removal ended; the caller fails them with `Revoked`. */
export interface EndedOnboarding {
  readonly taskTokens: string[];
}

/**
 * Items that take a person off the site: the person and their address claim, memberships and
 * space count, the seat (if they held one) and a pending invitation (revoked, so its link says so).
 */
async function departureItems(
  db: Directory,
  loaded: Loaded,
  invitationEnd: 'revoked' | 'expired' = 'revoked',
): Promise<{ items: TransactItem[]; ended: EndedOnboarding }> {
  const { person, site } = loaded;
  const items: TransactItem[] = [
    { Delete: { TableName: db.tableName, Key: keys.person(site.siteId, person.userId), ...personGuard(person) } },
    { Delete: { TableName: db.tableName, Key: keys.emailClaim(site.siteId, person.email) } },
  ];
  if (holdsSeat(person.status)) items.push(seatUpdate(db, site.siteId, releaseSeat(person.kind, site.seatRatio), site.seatRatio, 'none'));
  if (person.spaceKey) items.push(spaceGuestCountUpdate(db, site.siteId, person.spaceKey, -1));
  for (const groupId of person.groups) {
    items.push(
      { Delete: { TableName: db.tableName, Key: keys.membership(site.siteId, groupId, person.userId) } },
      {
        Update: {
          TableName: db.tableName,
          Key: keys.group(site.siteId, groupId),
          UpdateExpression: 'ADD memberCount :minus',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':minus': -1 },
        },
      },
    );
  }
  const taskTokens: string[] = person.spaceTaskToken ? [person.spaceTaskToken] : [];
  if (person.status === 'invited' && person.invitationId) {
    const invitation = await getItem(db, keys.invitation(site.siteId, person.invitationId), InvitationItem);
    // An expiry only ends an invitation nobody accepted; an admin's removal ends either.
    const endable = invitationEnd === 'expired' ? ['pending'] : ['pending', 'accepted'];
    if (invitation && endable.includes(invitation.status)) {
      if (invitation.acceptTaskToken) taskTokens.push(invitation.acceptTaskToken);
      items.push({
        Update: {
          TableName: db.tableName,
          Key: keys.invitation(site.siteId, invitation.invitationId),
          UpdateExpression: 'SET #status = :ended, endedAt = :now REMOVE acceptTaskToken',
          ConditionExpression: '#status = :seen',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':ended': invitationEnd, ':seen': invitation.status, ':now': new Date().toISOString() },
        },
      });
    }
  }
  return { items, ended: { taskTokens } };
}

/**
 * Ends a pending invitation without activation — it expired, or its onboarding could not start —
 * and frees everything the invite took: the person leaves the site (so the address can be invited
 * again), the seat and counts are released. The invitation item stays, marked, so its link keeps
 * answering with the right 410. False when there was nothing left to end (accepted, or already
 * ended by an admin).
 */
export async function endPendingInvitation(
  db: Directory,
  invitation: InvitationItem,
  outcome: 'expired' | 'withdrawn',
  actor: string,
  now: string,
): Promise<boolean> {
  return withRetries(async () => {
    const [person, site, current] = await Promise.all([
      getItem(db, keys.person(invitation.siteId, invitation.userId), PersonItem),
      getItem(db, keys.site(invitation.siteId), SiteItem),
      getItem(db, keys.invitation(invitation.siteId, invitation.invitationId), InvitationItem),
    ]);
    if (!person || !site || current?.status !== 'pending' || person.status !== 'invited' || person.invitationId !== invitation.invitationId) return false;
    const { items } = await departureItems(db, { person, site }, outcome === 'expired' ? 'expired' : 'revoked');
    items.push(
      auditPut(db, { siteId: site.siteId, actor, action: `invitation.${outcome}`, target: person.userId, at: now, details: { invitationId: invitation.invitationId, kind: person.kind } }),
    );
    return (await commit(db, items)) ? true : RETRY;
  });
}

/** Rule 11: the guest leaves the guest list, the seat is freed and a pending onboarding is revoked. */
export async function removeAppAccess(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<EndedOnboarding> {
  return withRetries(async () => {
    const loaded = await load(db, siteId, userId);
    if (loaded.person.kind !== 'guest') throw conflict('Only a guest’s app access is removed this way; deactivate or delete a paid user instead.');
    const { items, ended } = await departureItems(db, loaded);
    items.push(
      auditPut(db, {
        siteId,
        actor,
        action: 'guest.app_access_removed',
        target: userId,
        at: now,
        details: { before: { status: loaded.person.status, spaceKey: loaded.person.spaceKey ?? null }, after: null },
      }),
    );
    return (await commit(db, items)) ? ended : RETRY;
  });
}

/**
 * Rule 14 (delete): access ends at once; a tombstone keeps the personal data for the grace period,
 * after which the erasure job (and, as a backstop, the table's TTL) removes it. The former-paid
 * marker is a hash of the address and stays, so the person can never come back as a guest.
 */
export async function deletePerson(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<EndedOnboarding & { eraseAfter: string }> {
  if (actor === userId) throw conflict('You cannot delete yourself.');
  return withRetries(async () => {
    const loaded = await load(db, siteId, userId);
    const { person } = loaded;
    const { items, ended } = await departureItems(db, loaded);
    const eraseAfter = new Date(Date.parse(now) + ERASURE_GRACE_DAYS * 86_400_000).toISOString();
    items.push(
      {
        Put: {
          TableName: db.tableName,
          Item: {
            ...keys.erasure(siteId, userId),
            type: 'erasure',
            siteId,
            userId,
            email: person.email,
            displayName: person.displayName,
            kind: person.kind,
            deletedAt: now,
            eraseAfter,
            // The invitation holds the address and the inviter's message: it goes with the person.
            ...(person.invitationId ? { invitationId: person.invitationId } : {}),
            gsi4pk: ERASURE_PARTITION,
            gsi4sk: `${eraseAfter}#${siteId}#${userId}`,
            ttl: epochSeconds(eraseAfter),
          },
        },
      },
      auditPut(db, { siteId, actor, action: 'person.deleted', target: userId, at: now, details: { kind: person.kind, status: person.status, eraseAfter } }),
    );
    return (await commit(db, items)) ? { ...ended, eraseAfter } : RETRY;
  });
}

/**
 * The erasure job: removes the personal data of people deleted more than the grace period ago.
 * Reads only the sparse index of due tombstones, so its cost follows the deletions, not the directory.
 */
export async function eraseDueTombstones(db: Directory, now: Date): Promise<number> {
  let erased = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :partition AND gsi4sk <= :now',
        ExpressionAttributeValues: { ':partition': ERASURE_PARTITION, ':now': `${now.toISOString()}#~` },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      const siteId = String(item.siteId);
      const userId = String(item.userId);
      const invitationId = typeof item.invitationId === 'string' ? item.invitationId : undefined;
      const done = await commit(db, [
        { Delete: { TableName: db.tableName, Key: keys.erasure(siteId, userId), ConditionExpression: 'attribute_exists(pk)' } },
        ...(invitationId ? [{ Delete: { TableName: db.tableName, Key: keys.invitation(siteId, invitationId) } }] : []),
        auditPut(db, { siteId, actor: 'erasure-job', action: 'person.erased', target: userId, at: now.toISOString(), details: { deletedAt: item.deletedAt } }),
      ]);
      if (done) erased += 1;
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return erased;
}

// ---------------------------------------------------------------------------------------------

/**
 * The items that turn one guest into a paid user (rule 10): the guest seat becomes a paid seat
 * (paid + guests unchanged, the guest allowance grows by the ratio), the wiki role becomes User,
 * the space goes (paid users open every space) and the address is remembered as paid.
 * Group promotion uses the same items, so both paths promote identically.
 */
export function promotionItems(db: Directory, loaded: Loaded, actor: string, now: string, reason: string): TransactItem[] {
  const { person, site } = loaded;
  const promoted: PersonItem = { ...person, kind: 'paid', roles: { ...person.roles, wiki: 'user' } };
  delete promoted.spaceKey;
  const items: TransactItem[] = [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.person(site.siteId, person.userId),
        UpdateExpression: 'SET kind = :paid, #roles.wiki = :user, gsi1pk = :gsi1pk REMOVE spaceKey, spaceTaskToken, gsi2pk, gsi2sk, gsi3pk, gsi3sk',
        // Guarded on the space-assignment token as read too: the workflow may park one after our
        // read, and the promotion removes it, so an unguarded write could lose a waiting task.
        ConditionExpression: `#status = :seenStatus AND kind = :seenKind AND ${person.spaceTaskToken ? 'spaceTaskToken = :seenSpaceTask' : 'attribute_not_exists(spaceTaskToken)'}`,
        ExpressionAttributeNames: { '#status': 'status', '#roles': 'roles' },
        ExpressionAttributeValues: {
          ':paid': 'paid',
          ':user': 'user',
          ':gsi1pk': personIndexKeys(promoted).gsi1pk,
          ':seenStatus': person.status,
          ':seenKind': 'guest',
          ...(person.spaceTaskToken ? { ':seenSpaceTask': person.spaceTaskToken } : {}),
        },
      },
    },
    { Put: { TableName: db.tableName, Item: { ...keys.formerPaid(site.siteId, emailDigest(person.email)), type: 'paid-marker', since: now } } },
  ];
  if (holdsSeat(person.status)) items.push(seatUpdate(db, site.siteId, promoteSeat(site.seatRatio), site.seatRatio, 'none'));
  if (person.spaceKey) items.push(spaceGuestCountUpdate(db, site.siteId, person.spaceKey, -1));
  items.push(
    auditPut(db, {
      siteId: site.siteId,
      actor,
      action: 'guest.promoted',
      target: person.userId,
      at: now,
      details: { reason, before: { kind: 'guest', spaceKey: person.spaceKey ?? null }, after: { kind: 'paid', roles: promoted.roles } },
    }),
  );
  return items;
}

export function promotedView(person: PersonItem): PersonItem {
  const promoted: PersonItem = { ...person, kind: 'paid', roles: { ...person.roles, wiki: 'user' } };
  delete promoted.spaceKey;
  delete promoted.spaceTaskToken;
  return promoted;
}

export async function promoteGuest(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<{ person: PersonItem; spaceTaskToken?: string }> {
  return withRetries(async () => {
    const loaded = await load(db, siteId, userId);
    if (loaded.person.kind !== 'guest') throw conflict('This person is already a paid user.');
    if (!(await commit(db, promotionItems(db, loaded, actor, now, 'promoted')))) return RETRY;
    return {
      person: promotedView(loaded.person),
      ...(loaded.person.spaceTaskToken ? { spaceTaskToken: loaded.person.spaceTaskToken } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------

/** Rule 14 (deactivate): reversible, data kept, seat freed. */
export async function deactivatePerson(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  if (actor === userId) throw conflict('You cannot deactivate yourself.');
  return withRetries(async () => {
    const { person, site } = await load(db, siteId, userId);
    if (person.status === 'deactivated') return person;
    if (person.status === 'invited') throw conflict('This person has not finished onboarding; remove their access or delete them instead.');
    const next: PersonItem = { ...person, status: 'deactivated' };
    const committed = await commit(db, [
      statusUpdate(db, person, next),
      seatUpdate(db, siteId, releaseSeat(person.kind, site.seatRatio), site.seatRatio, 'none'),
      auditPut(db, { siteId, actor, action: 'person.deactivated', target: userId, at: now, details: { before: { status: person.status }, after: { status: 'deactivated' } } }),
    ]);
    return committed ? next : RETRY;
  });
}

/** Reactivation takes a seat again under the same rules as an invite, so it can be refused. */
export async function reactivatePerson(db: Directory, siteId: string, userId: string, actor: string, now: string): Promise<PersonItem> {
  return withRetries(async () => {
    const { person, site } = await load(db, siteId, userId);
    if (person.status !== 'deactivated') return person;
    const next: PersonItem = { ...person, status: 'active' };
    try {
      await transactWrite(db.client, [
        seatUpdate(db, siteId, takeSeat(person.kind, site.seatRatio), site.seatRatio, person.kind === 'guest' ? 'guest' : 'user'),
        statusUpdate(db, person, next),
        auditPut(db, { siteId, actor, action: 'person.reactivated', target: userId, at: now, details: { before: { status: 'deactivated' }, after: { status: 'active' } } }),
      ]);
      return next;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const image = error.oldItems.get(0);
      if (error.failedIndexes.includes(0) && image && image.seatRatio === site.seatRatio) {
        const refusal = seatRefusal(person.kind, { ratioRoom: Number(image.ratioRoom), userRoom: Number(image.userRoom) });
        if (refusal) throw new AppError(refusal, refusal === 'user_limit_reached' ? 'The site has no free seat under its user limit.' : 'The site has no free guest seat.');
      }
      return RETRY;
    }
  });
}

function statusUpdate(db: Directory, person: PersonItem, next: PersonItem): TransactItem {
  const indexKeys = personIndexKeys(next);
  return {
    Update: {
      TableName: db.tableName,
      Key: keys.person(person.siteId, person.userId),
      // Only guests carry the status index key; it moves with the status.
      UpdateExpression: `SET #status = :next${indexKeys.gsi2pk ? ', gsi2pk = :gsi2pk' : ''}`,
      ...personGuard(person),
      ExpressionAttributeValues: {
        ...personGuard(person).ExpressionAttributeValues,
        ':next': next.status,
        ...(indexKeys.gsi2pk ? { ':gsi2pk': indexKeys.gsi2pk } : {}),
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface GuestFilter {
  readonly status?: PersonStatus | undefined;
  readonly spaceKey?: string | undefined;
  readonly noSpace?: boolean | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/**
 * The guest list, newest first, from the index that matches the filter: by space (or none), by
 * status, or all guests. Only a space plus status filter reads more than it returns, and then only
 * within that space's guests.
 */
export async function listGuests(db: Directory, siteId: string, filter: GuestFilter): Promise<{ guests: PersonItem[]; nextCursor?: string }> {
  const partition = keys.partitionOf(siteId);
  const bySpace = filter.noSpace ? '-' : filter.spaceKey;
  const [indexName, keyAttribute, sortAttribute, keyValue] =
    bySpace !== undefined
      ? ['gsi3', 'gsi3pk', 'gsi3sk', `${partition}#GUEST_SPACE#${bySpace}`]
      : filter.status
        ? ['gsi2', 'gsi2pk', 'gsi2sk', `${partition}#GUEST_STATUS#${filter.status}`]
        : ['gsi1', 'gsi1pk', 'gsi1sk', `${partition}#KIND#guest`];
  const statusFilter = bySpace !== undefined && filter.status ? filter.status : undefined;
  // Reads one guest past the page, so a cursor is only handed out when another guest follows.
  const found: PersonItem[] = [];
  let cursor: Record<string, unknown> | undefined = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, { pk: partition, [keyAttribute]: keyValue });
  do {
    const page = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: indexName,
        KeyConditionExpression: `${keyAttribute} = :key`,
        ...(statusFilter ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ExpressionAttributeValues: { ':key': keyValue, ...(statusFilter ? { ':status': statusFilter } : {}) },
        ScanIndexForward: false,
        Limit: filter.limit + 1 - found.length,
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) found.push(PersonItem.parse(item));
    cursor = page.LastEvaluatedKey;
  } while (cursor && found.length <= filter.limit);
  const guests = found.slice(0, filter.limit);
  const last = guests[guests.length - 1];
  const nextCursor =
    found.length > filter.limit && last
      ? encodeCursor({ ...keys.person(siteId, last.userId), [keyAttribute]: keyValue, [sortAttribute]: personIndexKeys(last)[sortAttribute]! })
      : undefined;
  return { guests, ...(nextCursor ? { nextCursor } : {}) };
}
