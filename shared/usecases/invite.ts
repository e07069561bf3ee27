import type { SFNClient } from '@aws-sdk/client-sfn';
import { AppError, notFound } from '../domain/errors';
import { certainInviteRefusal } from '../domain/seats';
import { newInvitationId, newUserId } from '../ids';
import { appsWithInvalidGuestRole, classifyInvitee, precheckRows } from '../domain/people';
import type { Directory } from '../directory/directory';
import { SiteItem, siteKey } from '../directory/entities/site';
import { SpaceItem, spaceKey as spaceItemKey } from '../directory/entities/space';
import { requireGroups } from '../directory/group-catalog';
import { inviteFacts, inviteOne, requireInvitation } from '../directory/invitations';
import { endPendingInvitation } from '../directory/people/departure';
import { readItem } from '../directory/reads';
import type { AppRole } from '../domain/vocabulary';
import { log } from '../log';
import { startOnboarding } from '../workflow/client';

export interface InviteContext {
  readonly db: Directory;
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  /** Overrides the site's invitation lifetime (local runs and tests of expiry). */
  readonly expirySecondsOverride?: number | undefined;
  /** The invocation's time left; rows not reached in time are answered, not lost to a timeout. */
  readonly timeLeftMs?: (() => number) | undefined;
}

/**
 * A row is started only with this much time left: its transaction, with conflict retries under
 * contention, and its workflow start. Rows not reached are refused as `service_unavailable` —
 * the call answers which ones to send again, instead of a timeout that says nothing.
 */
export const ROW_TIME_RESERVE_MS = 4_000;

const MAX_SITE_CHANGE_RETRIES = 5;

/** What an admin asks for in one call (the invite body, as the HTTP layer parsed it). */
export interface InviteRequest {
  readonly emails: readonly string[];
  readonly roles: Readonly<Record<string, AppRole>>;
  readonly groups: readonly string[];
  readonly spaceKey?: string | undefined;
  readonly message?: string | undefined;
}

export type InviteRow =
  | { email: string; status: 'invited'; kind: 'guest' | 'paid'; userId: string; invitationId: string; expiresAt: string }
  | { email: string; status: 'rejected'; reason: RejectReason };

type RejectReason = 'invalid_email' | 'duplicate_in_request' | 'paid_user_conversion_forbidden' | 'already_member' | 'guest_limit_reached' | 'user_limit_reached' | 'service_unavailable';

export interface InviteOutcome {
  /** One row per address, in request order. */
  readonly results: InviteRow[];
  /** The site as it stands after the batch, for its seat counts. */
  readonly site: SiteItem;
}

/**
 * Rules 5–9: validates the call as a whole, then takes each row in request order in its own
 * transaction (so seats go to the earliest rows) and starts one onboarding execution per invitee.
 */
export async function inviteBatch(
  context: InviteContext,
  input: { site: SiteItem; body: InviteRequest; inviter: { userId: string; name: string } },
  now: Date,
): Promise<InviteOutcome> {
  const { db } = context;
  const { body } = input;
  const misused = appsWithInvalidGuestRole(body.roles);
  if (misused.length > 0) {
    throw new AppError('validation_failed', 'Guest is a role of the wiki only.', {
      issues: misused.map((app) => ({ path: `body.roles.${app}`, message: 'guest is only valid for the wiki app' })),
    });
  }
  const groups = await requireGroups(db, input.site.siteId, body.groups);
  const kind = classifyInvitee(body.roles, groups.map((group) => group.role));
  if (!kind) {
    throw new AppError('validation_failed', 'These roles and groups give no access to the wiki.', {
      issues: [{ path: 'body.roles.wiki', message: 'Give the wiki role guest, user or app-admin, or pick a group that has one' }],
    });
  }
  const spaceKey = kind === 'guest' ? body.spaceKey : undefined;
  let space: SpaceItem | null = null;
  if (spaceKey) {
    space = await readItem(db, spaceItemKey(input.site.siteId, spaceKey), SpaceItem);
    if (!space || space.deleting) throw notFound(`The space ${spaceKey}`);
  }

  let site = input.site;
  const results: InviteRow[] = [];
  // Once a row found no seat, the site is at its limit for this kind: later rows are decided from
  // a read first, so a crowd at the limit does not queue transactions on the site item in vain.
  let atTheLimit = false;
  for (const row of precheckRows(body.emails)) {
    if (row.kind === 'rejected') {
      results.push({ email: row.email, status: 'rejected', reason: row.reason });
      continue;
    }
    if (context.timeLeftMs && context.timeLeftMs() < ROW_TIME_RESERVE_MS) {
      results.push({ email: row.email, status: 'rejected', reason: 'service_unavailable' });
      continue;
    }
    if (atTheLimit) {
      const facts = await inviteFacts(db, site.siteId, row.email);
      if (facts.site) site = facts.site;
      const certain = certainInviteRefusal(kind, { ...facts, room: site });
      if (certain) {
        results.push({ email: row.email, status: 'rejected', reason: certain });
        continue;
      }
    }
    const nowIso = now.toISOString();
    const lifetimeSeconds = context.expirySecondsOverride ?? site.inviteExpiryDays * 86_400;
    const expiresAt = new Date(now.getTime() + lifetimeSeconds * 1000).toISOString();
    const userId = newUserId();
    const invitationId = newInvitationId();
    const invitee = { email: row.email, kind, roles: body.roles, groups, spaceKey, message: body.message, invitedBy: input.inviter.userId, inviterName: input.inviter.name, userId, invitationId, now: nowIso, expiresAt };
    let outcome = await inviteOne(db, { ...invitee, site });
    // The site's guest ratio changed between our read and the write: read it again and retry.
    for (let retry = 0; !outcome.invited && outcome.reason === 'site_changed' && retry < MAX_SITE_CHANGE_RETRIES; retry++) {
      site = (await readItem(db, siteKey(site.siteId), SiteItem)) ?? site;
      outcome = await inviteOne(db, { ...invitee, site });
    }
    if (!outcome.invited) {
      if (outcome.reason === 'guest_limit_reached' || outcome.reason === 'user_limit_reached') atTheLimit = true;
      results.push({ email: row.email, status: 'rejected', reason: outcome.reason === 'site_changed' ? 'service_unavailable' : outcome.reason });
      continue;
    }
    // A removed person invited again keeps their id (rule 11).
    const invitedId = outcome.userId ?? userId;
    try {
      await startOnboarding(context.sfn, context.stateMachineArn, {
        siteId: site.siteId,
        userId: invitedId,
        invitationId,
        kind,
        needsSpace: kind === 'guest' && !spaceKey,
        acceptWithinSeconds: lifetimeSeconds,
      });
      results.push({ email: row.email, status: 'invited', kind, userId: invitedId, invitationId, expiresAt });
    } catch (error) {
      // Without a workflow the invitee would hold a seat forever and get no email: undo the row.
      log.error('could not start onboarding; invite withdrawn', { siteId: site.siteId, invitationId, error: (error as Error).name });
      // A returning person goes back to removed (their removal time is on them); a new one is erased.
      const invitation = await requireInvitation(db, site.siteId, invitationId);
      await endPendingInvitation(db, invitation, 'withdrawn', input.inviter.userId, now.toISOString());
      results.push({ email: row.email, status: 'rejected', reason: 'service_unavailable' });
    }
  }
  return { results, site: (await readItem(db, siteKey(site.siteId), SiteItem)) ?? site };
}
