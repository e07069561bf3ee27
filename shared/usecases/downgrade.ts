import type { SFNClient } from '@aws-sdk/client-sfn';
import { AppError } from '../domain/errors';
import { FREE_PLAN_USER_LIMIT } from '../domain/seats';
import type { Directory } from '../directory/directory';
import type { SiteItem } from '../directory/entities/site';
import { removeAppAccess } from '../directory/people/departure';
import { listGuests } from '../directory/people/guest-list';
import { updateSite } from '../directory/sites';
import { revokeOnboarding } from '../workflow/client';

export interface DowngradeOutcome {
  readonly affected: { userId: string; email: string; effect: 'app_access_removed' }[];
  readonly paid: number;
  readonly userLimit: number;
  readonly confirmed: boolean;
}

async function allGuests(db: Directory, siteId: string) {
  const guests = [];
  let cursor: string | undefined;
  do {
    const page = await listGuests(db, siteId, { limit: 100, cursor });
    guests.push(...page.guests);
    cursor = page.nextCursor;
  } while (cursor);
  return guests;
}

/**
 * Rule 15: the Free plan has at most 10 users and no guests. The preview lists every guest who
 * would lose app access; confirming first switches the plan (so no new guest can be invited
 * meanwhile) and then removes each guest, every removal its own audited transaction. Interrupted,
 * the site is already Free and confirming again removes the guests that are left.
 */
export async function downgradeToFree(db: Directory, sfn: SFNClient, site: SiteItem, confirm: boolean, actor: string, now: string): Promise<DowngradeOutcome> {
  if (site.paid > FREE_PLAN_USER_LIMIT) {
    throw new AppError('user_limit_reached', `The Free plan allows ${FREE_PLAN_USER_LIMIT} users and this site has ${site.paid} paid users; remove some first.`, {
      paid: site.paid,
      limit: FREE_PLAN_USER_LIMIT,
    });
  }
  const guests = await allGuests(db, site.siteId);
  const affected = guests.map((guest) => ({ userId: guest.userId, email: guest.email, effect: 'app_access_removed' as const }));
  const userLimit = Math.min(site.userLimit, FREE_PLAN_USER_LIMIT);
  if (!confirm) return { affected, paid: site.paid, userLimit, confirmed: false };
  if (site.plan !== 'free' || site.userLimit !== userLimit) await updateSite(db, site.siteId, { plan: 'free', userLimit }, actor, now);
  for (const guest of guests) {
    const ended = await removeAppAccess(db, site.siteId, guest.userId, actor, now).catch((error: unknown) => {
      // Someone removed this guest meanwhile: the goal is reached either way.
      if (error instanceof AppError && error.code === 'not_found') return { taskTokens: [] };
      throw error;
    });
    await revokeOnboarding(sfn, ended.taskTokens, 'The site moved to the Free plan', { siteId: site.siteId, userId: guest.userId });
  }
  return { affected, paid: site.paid, userLimit, confirmed: true };
}
