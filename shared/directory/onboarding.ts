import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, conflict, notFound } from '../domain/errors';
import { hashToken, LINK_TOKEN_PATTERN, newLinkToken } from '../domain/tokens';
import { auditPut } from './audit';
import { epochSeconds, getItem, type Directory } from './directory';
import { InvitationItem, LinkItem, PersonItem, SiteItem, SpaceItem } from './items';
import { keys, personIndexKeys } from './keys';
import { spaceGuestCountUpdate } from './invitations';
import { transactWrite, TransactionRefused } from './transact';

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

// ---------------------------------------------------------------------------------------------
// Invitation email: one link token per send, and a lease so a retried step never sends twice.
// ---------------------------------------------------------------------------------------------

// Longer than one SendInvitation attempt may run (30 s), shorter than the workflow's retry window.
export const SEND_LEASE_SECONDS = 45;

export type SendClaim =
  | { readonly kind: 'claimed'; readonly token: string; readonly invitation: InvitationItem }
  | { readonly kind: 'already-sent' | 'not-pending' | 'busy' };

/**
 * Claims the right to send the invitation email and issues its link. The new token's digest
 * replaces any earlier one, so only the newest link works. The claim fails once an email was
 * recorded as sent, or while another attempt holds the lease.
 */
export async function claimInvitationSend(db: Directory, siteId: string, invitationId: string, now: Date): Promise<SendClaim> {
  const invitation = await getItem(db, keys.invitation(siteId, invitationId), InvitationItem);
  if (!invitation || invitation.status !== 'pending') return { kind: 'not-pending' };
  if (invitation.emailSentAt) return { kind: 'already-sent' };
  const token = newLinkToken();
  const digest = hashToken(token);
  const nowIso = now.toISOString();
  const leaseUntil = new Date(now.getTime() + SEND_LEASE_SECONDS * 1000).toISOString();
  const link: LinkItem = { purpose: 'invitation', siteId, invitationId, userId: invitation.userId, ttl: epochSeconds(invitation.expiresAt) + 90 * 86_400 };
  try {
    await transactWrite(db.client, [
      {
        Update: {
          TableName: db.tableName,
          Key: keys.invitation(siteId, invitationId),
          UpdateExpression: 'SET tokenDigest = :digest, sendingUntil = :lease',
          ConditionExpression:
            '#status = :pending AND attribute_not_exists(emailSentAt) AND (attribute_not_exists(sendingUntil) OR sendingUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':digest': digest, ':lease': leaseUntil, ':pending': 'pending', ':now': nowIso },
        },
      },
      { Put: { TableName: db.tableName, Item: { ...keys.linkToken(digest), type: 'link', ...link } } },
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) {
      const fresh = await getItem(db, keys.invitation(siteId, invitationId), InvitationItem);
      if (!fresh || fresh.status !== 'pending') return { kind: 'not-pending' };
      return { kind: fresh.emailSentAt ? 'already-sent' : 'busy' };
    }
    throw error;
  }
  return { kind: 'claimed', token, invitation: { ...invitation, tokenDigest: digest } };
}

export async function recordInvitationSent(db: Directory, siteId: string, invitationId: string, messageId: string, now: string): Promise<void> {
  await db.client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.invitation(siteId, invitationId),
      UpdateExpression: 'SET emailSentAt = :now, emailMessageId = :id REMOVE sendingUntil',
      ExpressionAttributeValues: { ':now': now, ':id': messageId },
    }),
  );
}

/** SES refused or failed for sure: give the lease back so the workflow's retry can send. */
export async function releaseInvitationSend(db: Directory, siteId: string, invitationId: string): Promise<void> {
  await db.client.send(
    new UpdateCommand({ TableName: db.tableName, Key: keys.invitation(siteId, invitationId), UpdateExpression: 'REMOVE sendingUntil' }),
  );
}

// ---------------------------------------------------------------------------------------------
// Links: unknown, used, expired and revoked tokens are told apart without revealing anything else.
// ---------------------------------------------------------------------------------------------

export interface OpenInvitation {
  readonly invitation: InvitationItem;
  readonly site: SiteItem;
  readonly space: SpaceItem | null;
  readonly inviter: PersonItem | null;
  readonly digest: string;
}

const unknownLink = () => new AppError('not_found', 'This invitation link is not valid.');

export async function openInvitationLink(db: Directory, token: string, now: Date): Promise<OpenInvitation> {
  if (!LINK_TOKEN_PATTERN.test(token)) throw unknownLink();
  const digest = hashToken(token);
  const link = await getItem(db, keys.linkToken(digest), LinkItem);
  if (!link || link.purpose !== 'invitation' || !link.invitationId) throw unknownLink();
  const [invitation, site] = await Promise.all([
    getItem(db, keys.invitation(link.siteId, link.invitationId), InvitationItem),
    getItem(db, keys.site(link.siteId), SiteItem),
  ]);
  if (!invitation || !site) throw unknownLink();
  if (invitation.status === 'accepted') throw new AppError('invitation_used', 'This invitation has already been accepted.');
  if (invitation.status === 'revoked' || invitation.tokenDigest !== digest) {
    throw new AppError('invitation_revoked', 'This invitation link is no longer valid; ask for a new invitation.');
  }
  if (invitation.status === 'expired' || Date.parse(invitation.expiresAt) <= now.getTime()) {
    throw new AppError('invitation_expired', 'This invitation has expired; ask for a new invitation.');
  }
  const [space, inviter] = await Promise.all([
    invitation.spaceKey ? getItem(db, keys.space(link.siteId, invitation.spaceKey), SpaceItem) : Promise.resolve(null),
    getItem(db, keys.person(link.siteId, invitation.invitedBy), PersonItem),
  ]);
  return { invitation, site, space, inviter, digest };
}

/**
 * Accepts the invitation: the invitation is used and the person records the acceptance, in one
 * transaction conditioned on the link still being the current, pending, unexpired one. Returns the
 * waiting task's token, if the workflow already stored it.
 */
export async function acceptInvitation(
  db: Directory,
  open: OpenInvitation,
  displayName: string | undefined,
  now: Date,
): Promise<{ person: PersonItem; acceptTaskToken: string | undefined }> {
  const { invitation } = open;
  const nowIso = now.toISOString();
  try {
    await transactWrite(db.client, [
      {
        Update: {
          TableName: db.tableName,
          Key: keys.invitation(invitation.siteId, invitation.invitationId),
          UpdateExpression: 'SET #status = :accepted, acceptedAt = :now',
          ConditionExpression: '#status = :pending AND tokenDigest = :digest AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':accepted': 'accepted', ':pending': 'pending', ':digest': open.digest, ':now': nowIso },
        },
      },
      {
        Update: {
          TableName: db.tableName,
          Key: keys.person(invitation.siteId, invitation.userId),
          UpdateExpression: displayName ? 'SET acceptedAt = :now, displayName = :name' : 'SET acceptedAt = :now',
          ConditionExpression: '#status = :invited',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': nowIso, ':invited': 'invited', ...(displayName ? { ':name': displayName } : {}) },
        },
      },
      auditPut(db, {
        siteId: invitation.siteId,
        actor: invitation.userId,
        action: 'invitation.accepted',
        target: invitation.userId,
        at: nowIso,
        details: { invitationId: invitation.invitationId },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefused) {
      // Someone else used, revoked or expired it between our read and write: answer as for that state.
      await openInvitationLinkByDigest(db, open, now);
      throw conflict('The invitation changed while accepting it; reload the page.');
    }
    throw error;
  }
  const [fresh, person] = await Promise.all([
    getItem(db, keys.invitation(invitation.siteId, invitation.invitationId), InvitationItem),
    getItem(db, keys.person(invitation.siteId, invitation.userId), PersonItem),
  ]);
  if (!person) throw notFound('The person');
  return { person, acceptTaskToken: fresh?.acceptTaskToken };
}

async function openInvitationLinkByDigest(db: Directory, open: OpenInvitation, now: Date): Promise<void> {
  const invitation = await getItem(db, keys.invitation(open.invitation.siteId, open.invitation.invitationId), InvitationItem);
  if (!invitation) throw unknownLink();
  if (invitation.status === 'accepted') throw new AppError('invitation_used', 'This invitation has already been accepted.');
  if (invitation.status === 'revoked' || invitation.tokenDigest !== open.digest) {
    throw new AppError('invitation_revoked', 'This invitation link is no longer valid; ask for a new invitation.');
  }
  if (invitation.status === 'expired' || Date.parse(invitation.expiresAt) <= now.getTime()) {
    throw new AppError('invitation_expired', 'This invitation has expired; ask for a new invitation.');
  }
}

// ---------------------------------------------------------------------------------------------
// Callback tokens: stored on the items; whoever comes second (token or action) completes the task.
// ---------------------------------------------------------------------------------------------

export type TokenStore = 'stored' | 'already-done' | 'gone';

/** Stores AwaitAcceptance's token, unless the guest already accepted (then the caller completes). */
export async function storeAcceptTaskToken(db: Directory, siteId: string, invitationId: string, taskToken: string): Promise<TokenStore> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.invitation(siteId, invitationId),
        UpdateExpression: 'SET acceptTaskToken = :token',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':pending': 'pending' },
      }),
    );
    return 'stored';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const invitation = await getItem(db, keys.invitation(siteId, invitationId), InvitationItem);
    return invitation?.status === 'accepted' ? 'already-done' : 'gone';
  }
}

/** Stores AwaitSpaceAssignment's token, unless a space is already assigned. */
export async function storeSpaceTaskToken(db: Directory, siteId: string, userId: string, taskToken: string): Promise<TokenStore> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.person(siteId, userId),
        UpdateExpression: 'SET spaceTaskToken = :token',
        // A guest promoted meanwhile needs no space any more: the wait is over for them too.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(spaceKey) AND #status = :invited AND kind = :guest',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':invited': 'invited', ':guest': 'guest' },
      }),
    );
    return 'stored';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const person = await getItem(db, keys.person(siteId, userId), PersonItem);
    return person && (person.spaceKey || person.kind === 'paid') ? 'already-done' : 'gone';
  }
}

// ---------------------------------------------------------------------------------------------
// Space assignment (rule 8): a guest has at most one space; assigning replaces the earlier one.
// ---------------------------------------------------------------------------------------------

const MAX_ASSIGN_ATTEMPTS = 5;

export async function assignSpace(
  db: Directory,
  siteId: string,
  userId: string,
  spaceKey: string,
  actor: string,
  now: string,
): Promise<PersonItem> {
  for (let attempt = 1; attempt <= MAX_ASSIGN_ATTEMPTS; attempt++) {
    const [person, space] = await Promise.all([
      getItem(db, keys.person(siteId, userId), PersonItem),
      getItem(db, keys.space(siteId, spaceKey), SpaceItem),
    ]);
    if (!person) throw notFound('The person');
    if (!space || space.deleting) throw notFound(`The space ${spaceKey}`);
    if (person.kind !== 'guest') throw conflict('Only guests are assigned a space; paid users can open every space.');
    if (person.status === 'deactivated') throw conflict('The guest is deactivated; reactivate them before assigning a space.');
    if (person.spaceKey === spaceKey) return person;
    const next: PersonItem = { ...person, spaceKey };
    try {
      await transactWrite(db.client, [
        {
          Update: {
            TableName: db.tableName,
            Key: keys.person(siteId, userId),
            UpdateExpression: 'SET spaceKey = :space, gsi3pk = :gsi3pk',
            // Conditioned on the space we read, so two concurrent assignments never skew space counts.
            ConditionExpression: person.spaceKey
              ? 'kind = :guest AND spaceKey = :previous AND #status <> :deactivated'
              : 'kind = :guest AND attribute_not_exists(spaceKey) AND #status <> :deactivated',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':space': spaceKey,
              ':gsi3pk': personIndexKeys(next).gsi3pk,
              ':guest': 'guest',
              ':deactivated': 'deactivated',
              ...(person.spaceKey ? { ':previous': person.spaceKey } : {}),
            },
          },
        },
        spaceGuestCountUpdate(db, siteId, spaceKey, +1),
        ...(person.spaceKey ? [spaceGuestCountUpdate(db, siteId, person.spaceKey, -1)] : []),
        auditPut(db, {
          siteId,
          actor,
          action: 'guest.space_assigned',
          target: userId,
          at: now,
          details: { before: person.spaceKey ?? null, after: spaceKey },
        }),
      ]);
      return next;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
    }
  }
  throw new AppError('service_unavailable', 'The guest is changing too fast to update; try again.');
}

// ---------------------------------------------------------------------------------------------
// Activation: the end of onboarding; the welcome email is sent once, under a lease like the invite.
// ---------------------------------------------------------------------------------------------

export async function activatePerson(db: Directory, siteId: string, userId: string, invitationId: string, now: string): Promise<PersonItem | null> {
  const person = await getItem(db, keys.person(siteId, userId), PersonItem);
  if (!person) return null;
  if (person.status !== 'invited') return person;
  const next: PersonItem = { ...person, status: 'active', activatedAt: now };
  delete next.spaceTaskToken;
  try {
    await transactWrite(db.client, [
      {
        Update: {
          TableName: db.tableName,
          Key: keys.person(siteId, userId),
          // Only guests carry the status index key; it moves with the status.
          UpdateExpression: `SET #status = :active, activatedAt = :now${person.kind === 'guest' ? ', gsi2pk = :gsi2pk' : ''} REMOVE spaceTaskToken`,
          ConditionExpression: '#status = :invited',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':invited': 'invited',
            ':now': now,
            ...(person.kind === 'guest' ? { ':gsi2pk': personIndexKeys(next).gsi2pk } : {}),
          },
        },
      },
      {
        ConditionCheck: {
          TableName: db.tableName,
          Key: keys.invitation(siteId, invitationId),
          ConditionExpression: '#status = :accepted',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':accepted': 'accepted' },
        },
      },
      auditPut(db, { siteId, actor: 'workflow', action: 'person.activated', target: userId, at: now, details: { invitationId, kind: person.kind, spaceKey: person.spaceKey ?? null } }),
    ]);
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    return getItem(db, keys.person(siteId, userId), PersonItem);
  }
  return next;
}

export async function claimWelcomeSend(db: Directory, siteId: string, invitationId: string, now: Date): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.invitation(siteId, invitationId),
        UpdateExpression: 'SET welcomeSendingUntil = :lease',
        ConditionExpression: 'attribute_not_exists(welcomeSentAt) AND (attribute_not_exists(welcomeSendingUntil) OR welcomeSendingUntil < :now)',
        ExpressionAttributeValues: { ':lease': new Date(now.getTime() + SEND_LEASE_SECONDS * 1000).toISOString(), ':now': now.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function recordWelcomeSent(db: Directory, siteId: string, invitationId: string, sent: boolean, now: string): Promise<void> {
  await db.client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: keys.invitation(siteId, invitationId),
      UpdateExpression: sent ? 'SET welcomeSentAt = :now REMOVE welcomeSendingUntil' : 'REMOVE welcomeSendingUntil',
      ...(sent ? { ExpressionAttributeValues: { ':now': now } } : {}),
    }),
  );
}

