import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, conflict, notFound } from '../domain/errors';
import { newUserId } from '../domain/ids';
import type { AdminRole } from '../domain/people';
import { effectiveGuestRatio, headroom, type Plan } from '../domain/seats';
import { emailDigest } from '../domain/tokens';
import { auditPut } from './audit';
import { getItem, type Directory } from './directory';
import { DEFAULT_EXTERNAL_USER_POLICY, SiteItem } from './items';
import { keys, personIndexKeys } from './keys';
import { transactWrite, TransactionRefused, type TransactItem } from './transact';

export async function getSite(db: Directory, siteId: string): Promise<SiteItem | null> {
  return getItem(db, keys.site(siteId), SiteItem);
}

export async function requireSite(db: Directory, siteId: string): Promise<SiteItem> {
  const site = await getSite(db, siteId);
  if (!site) throw notFound('The site');
  return site;
}

export interface NewSite {
  readonly siteId: string;
  readonly name: string;
  readonly orgId: string;
  readonly plan: Plan;
  readonly userLimit: number;
  readonly guestRatio: number;
  readonly inviteExpiryDays: number;
  readonly admins: readonly { email: string; displayName?: string | undefined; role: AdminRole }[];
}

export interface CreatedSite {
  readonly site: SiteItem;
  readonly admins: { userId: string; email: string; role: AdminRole }[];
}

/**
 * Creates the site with its first admins (paid users, active at once) in one transaction. An org
 * admin keeps the userId the org already knows for that address, so one person administers every
 * site of the org with one identity.
 */
export async function createSite(db: Directory, input: NewSite, actor: string, now: string): Promise<CreatedSite> {
  if (input.admins.length > input.userLimit) {
    throw new AppError('user_limit_reached', 'The site’s user limit is lower than the number of its admins.');
  }
  const admins = await Promise.all(
    input.admins.map(async (admin) => {
      const known =
        admin.role === 'org-admin'
          ? await db.client.send(
              new GetCommand({ TableName: db.tableName, Key: keys.orgEmail(input.orgId, admin.email), ConsistentRead: true }),
            )
          : undefined;
      const userId = typeof known?.Item?.userId === 'string' ? known.Item.userId : newUserId();
      return { ...admin, userId };
    }),
  );
  const counts = { paid: admins.length, guests: 0 };
  const site: SiteItem = {
    siteId: input.siteId,
    name: input.name,
    orgId: input.orgId,
    plan: input.plan,
    userLimit: input.userLimit,
    guestRatio: input.guestRatio,
    inviteExpiryDays: input.inviteExpiryDays,
    ...counts,
    ...headroom(counts, input),
    seatRatio: effectiveGuestRatio(input),
    externalUserPolicy: DEFAULT_EXTERNAL_USER_POLICY,
    createdAt: now,
  };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.site(input.siteId), type: 'site', ...site },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  for (const admin of admins) {
    const person = {
      siteId: input.siteId,
      userId: admin.userId,
      email: admin.email,
      displayName: admin.displayName,
      kind: 'paid' as const,
      status: 'active' as const,
      roles: { wiki: 'app-admin' as const },
      groups: [],
      invitedAt: now,
      activatedAt: now,
      twoStepEnrolled: false,
      adminRole: admin.role,
    };
    items.push(
      { Put: { TableName: db.tableName, Item: { ...keys.person(input.siteId, admin.userId), type: 'person', ...person, ...personIndexKeys(person) } } },
      { Put: { TableName: db.tableName, Item: { ...keys.emailClaim(input.siteId, admin.email), type: 'email-claim', userId: admin.userId } } },
      { Put: { TableName: db.tableName, Item: { ...keys.formerPaid(input.siteId, emailDigest(admin.email)), type: 'paid-marker', since: now } } },
    );
    if (admin.role === 'org-admin') {
      items.push(
        { Put: { TableName: db.tableName, Item: { ...keys.orgAdmin(input.orgId, admin.userId), type: 'org-admin', orgId: input.orgId, userId: admin.userId, email: admin.email, displayName: admin.displayName } } },
        { Put: { TableName: db.tableName, Item: { ...keys.orgEmail(input.orgId, admin.email), type: 'org-email', userId: admin.userId } } },
      );
    }
  }
  items.push(auditPut(db, { siteId: input.siteId, actor, action: 'site.created', target: input.siteId, at: now, details: { plan: input.plan, userLimit: input.userLimit, admins: admins.map((a) => a.userId) } }));
  try {
    await transactWrite(db.client, items);
  } catch (error) {
    if (error instanceof TransactionRefused && error.failedIndexes.includes(0)) {
      throw conflict('A site with this id already exists.');
    }
    throw error;
  }
  return { site, admins: admins.map(({ userId, email, role }) => ({ userId, email, role })) };
}

export interface SitePatch {
  readonly userLimit?: number | undefined;
  readonly plan?: Plan | undefined;
  readonly guestRatio?: number | undefined;
  readonly inviteExpiryDays?: number | undefined;
}

const MAX_PATCH_ATTEMPTS = 10;

/**
 * Changing a limit recomputes the headroom counters from the counts as read, guarded by a
 * condition that the counts are still those: a concurrent invite makes us re-read, never lose it.
 * Lowering a limit below current use is allowed; the negative headroom blocks new seats until it fits.
 */
export async function updateSite(db: Directory, siteId: string, patch: SitePatch, actor: string, now: string): Promise<SiteItem> {
  for (let attempt = 1; attempt <= MAX_PATCH_ATTEMPTS; attempt++) {
    const current = await requireSite(db, siteId);
    const next = {
      plan: patch.plan ?? current.plan,
      userLimit: patch.userLimit ?? current.userLimit,
      guestRatio: patch.guestRatio ?? current.guestRatio,
      inviteExpiryDays: patch.inviteExpiryDays ?? current.inviteExpiryDays,
    };
    const room = headroom(current, next);
    try {
      await transactWrite(db.client, [
        {
          Update: {
            TableName: db.tableName,
            Key: keys.site(siteId),
            UpdateExpression:
              'SET #plan = :plan, userLimit = :userLimit, guestRatio = :guestRatio, inviteExpiryDays = :expiry, ratioRoom = :ratioRoom, userRoom = :userRoom, seatRatio = :seatRatio, updatedAt = :now',
            ConditionExpression: 'paid = :paid AND guests = :guests',
            ExpressionAttributeNames: { '#plan': 'plan' },
            ExpressionAttributeValues: {
              ':plan': next.plan,
              ':userLimit': next.userLimit,
              ':guestRatio': next.guestRatio,
              ':expiry': next.inviteExpiryDays,
              ':ratioRoom': room.ratioRoom,
              ':userRoom': room.userRoom,
              ':seatRatio': effectiveGuestRatio(next),
              ':now': now,
              ':paid': current.paid,
              ':guests': current.guests,
            },
          },
        },
        auditPut(db, {
          siteId,
          actor,
          action: 'site.updated',
          target: siteId,
          at: now,
          details: {
            before: { plan: current.plan, userLimit: current.userLimit, guestRatio: current.guestRatio, inviteExpiryDays: current.inviteExpiryDays },
            after: next,
          },
        }),
      ]);
      return { ...current, ...next, ...room, seatRatio: effectiveGuestRatio(next), updatedAt: now };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
    }
  }
  throw new AppError('service_unavailable', 'The site is changing too fast to update; try again.');
}

