import * as z from 'zod/mini';
import { AppError, conflict, notFound } from '../domain/errors';
import { newUserId } from '../ids';
import { effectiveGuestRatio, headroom } from '../domain/seats';
import type { AdminRole, Plan } from '../domain/vocabulary';
import type { Directory } from './directory';
import { and } from './expressions';
import { auditWrite } from './entities/audit-event';
import { firstEmailClaimWrite } from './entities/email-claim';
import { markPaidWrite } from './entities/former-paid';
import { orgAdminWrites, orgEmailKey } from './entities/org-admin';
import { newPersonWrite, type PersonItem } from './entities/person';
import { DEFAULT_EXTERNAL_USER_POLICY, domainsAsRead, newSiteWrite, SiteItem, siteIs, siteKey, siteUpdate } from './entities/site';
import { readItem } from './reads';
import { commitWrites, decideAndCommit, RETRY, TransactionRefused } from './transact';
import { updateWrite, type Write } from './writes';

const OrgEmail = z.object({ userId: z.string() });

export async function getSite(db: Directory, siteId: string): Promise<SiteItem | null> {
  return readItem(db, siteKey(siteId), SiteItem);
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
  /** Lower-cased, each once (the use case normalises them); none when absent. */
  readonly verifiedDomains?: readonly string[] | undefined;
  readonly wikiUrl?: string | undefined;
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
      const known = admin.role === 'org-admin' ? await readItem(db, orgEmailKey(input.orgId, admin.email), OrgEmail) : null;
      const userId = known?.userId ?? newUserId();
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
    verifiedDomains: [...(input.verifiedDomains ?? [])],
    ...(input.wikiUrl !== undefined ? { wikiUrl: input.wikiUrl } : {}),
    createdAt: now,
  };
  const writes: Write[] = [newSiteWrite(site)];
  for (const admin of admins) {
    const person: PersonItem = {
      siteId: input.siteId,
      userId: admin.userId,
      email: admin.email,
      displayName: admin.displayName,
      kind: 'paid',
      status: 'active',
      roles: { wiki: 'app-admin' },
      groups: [],
      invitedAt: now,
      activatedAt: now,
      twoStepEnrolled: false,
      adminRole: admin.role,
    };
    writes.push(newPersonWrite(person), firstEmailClaimWrite(input.siteId, admin.email, admin.userId), markPaidWrite(input.siteId, admin.email, now));
    if (admin.role === 'org-admin') writes.push(...orgAdminWrites({ orgId: input.orgId, userId: admin.userId, email: admin.email, displayName: admin.displayName }));
  }
  writes.push(auditWrite({ siteId: input.siteId, actor, action: 'site.created', target: input.siteId, at: now, details: { plan: input.plan, userLimit: input.userLimit, admins: admins.map((a) => a.userId), verifiedDomains: site.verifiedDomains, wikiUrl: site.wikiUrl ?? null } }));
  try {
    await commitWrites(db, writes);
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
  /** Replaces the list; `[]` clears it. Lower-cased, each once (the use case normalises them). */
  readonly verifiedDomains?: readonly string[] | undefined;
  /** A new wiki address; `null` removes it (welcome emails then carry no button). */
  readonly wikiUrl?: string | null | undefined;
}

const MAX_PATCH_ATTEMPTS = 10;

/**
 * Changing a limit recomputes the headroom counters from the counts as read, guarded by a
 * condition that the counts are still those: a concurrent invite makes us re-read, never lose it.
 * Lowering a limit below current use is allowed; the negative headroom blocks new seats until it fits.
 */
export async function updateSite(db: Directory, siteId: string, patch: SitePatch, actor: string, now: string): Promise<SiteItem> {
  return decideAndCommit(
    async () => {
      const current = await requireSite(db, siteId);
      const next = {
        plan: patch.plan ?? current.plan,
        userLimit: patch.userLimit ?? current.userLimit,
        guestRatio: patch.guestRatio ?? current.guestRatio,
        inviteExpiryDays: patch.inviteExpiryDays ?? current.inviteExpiryDays,
        verifiedDomains: patch.verifiedDomains ? [...patch.verifiedDomains] : current.verifiedDomains,
      };
      const wikiUrl = patch.wikiUrl === undefined ? current.wikiUrl : (patch.wikiUrl ?? undefined);
      const room = headroom(current, next);
      const seatRatio = effectiveGuestRatio(next);
      try {
        await commitWrites(db, [
          updateWrite(
            siteKey(siteId),
            siteUpdate()
              .set('plan', next.plan)
              .set('userLimit', next.userLimit)
              .set('guestRatio', next.guestRatio)
              .set('inviteExpiryDays', next.inviteExpiryDays)
              .set('ratioRoom', room.ratioRoom)
              .set('userRoom', room.userRoom)
              .set('seatRatio', seatRatio)
              .set('verifiedDomains', next.verifiedDomains)
              .set('updatedAt', now)
              .with(wikiUrl === undefined ? siteUpdate().remove('wikiUrl') : siteUpdate().set('wikiUrl', wikiUrl)),
            // The domains as read too: a list set meanwhile is not overwritten by one decided without it.
            and(siteIs.eq('paid', current.paid), siteIs.eq('guests', current.guests), domainsAsRead(current.verifiedDomains)),
          ),
          auditWrite({
            siteId,
            actor,
            action: 'site.updated',
            target: siteId,
            at: now,
            details: {
              before: {
                plan: current.plan,
                userLimit: current.userLimit,
                guestRatio: current.guestRatio,
                inviteExpiryDays: current.inviteExpiryDays,
                verifiedDomains: current.verifiedDomains,
                wikiUrl: current.wikiUrl ?? null,
              },
              after: { ...next, wikiUrl: wikiUrl ?? null },
            },
          }),
        ]);
        const updated: SiteItem = { ...current, ...next, ...room, seatRatio, updatedAt: now };
        if (wikiUrl === undefined) delete updated.wikiUrl;
        else updated.wikiUrl = wikiUrl;
        return updated;
      } catch (error) {
        if (!(error instanceof TransactionRefused)) throw error;
        return RETRY;
      }
    },
    'site',
    MAX_PATCH_ATTEMPTS,
  );
}
