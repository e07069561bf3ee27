import { guestLimit } from '../domain/seats';
import { deliveryOf } from '../domain/invitations';
import type { GroupItem } from '../directory/entities/group';
import type { InvitationItem } from '../directory/entities/invitation';
import type { PersonItem } from '../directory/entities/person';
import type { SiteItem } from '../directory/entities/site';
import type { SpaceItem } from '../directory/entities/space';
import type { Invitation, Person } from './schemas';

/** Directory items mapped to API shapes; internal fields (tokens, index keys) never leave. */
export function toPerson(item: PersonItem): Person {
  return {
    userId: item.userId,
    email: item.email,
    ...(item.displayName ? { displayName: item.displayName } : {}),
    kind: item.kind,
    status: item.status,
    roles: item.roles,
    groups: item.groups,
    ...(item.spaceKey ? { spaceKey: item.spaceKey } : {}),
    ...(item.invitedBy ? { invitedBy: item.invitedBy } : {}),
    invitedAt: item.invitedAt,
    ...(item.activatedAt ? { activatedAt: item.activatedAt } : {}),
    ...(item.lastVerifiedAt ? { lastVerifiedAt: item.lastVerifiedAt } : {}),
    twoStepEnrolled: item.twoStepEnrolled,
    ...(item.status === 'removed' && item.removedAt ? { removedAt: item.removedAt } : {}),
  };
}

export function toSeats(site: SiteItem) {
  return {
    paid: site.paid,
    guests: site.guests,
    guestLimit: guestLimit(site, site),
    userLimit: site.userLimit,
    guestRatio: site.guestRatio,
    plan: site.plan,
  };
}

export function toSpace(item: SpaceItem) {
  return { key: item.key, name: item.name, anonymousAccess: item.anonymousAccess, guestCount: item.guestCount };
}

export function toSite(item: SiteItem) {
  return {
    siteId: item.siteId,
    name: item.name,
    orgId: item.orgId,
    plan: item.plan,
    userLimit: item.userLimit,
    guestRatio: item.guestRatio,
    inviteExpiryDays: item.inviteExpiryDays,
    verifiedDomains: [...item.verifiedDomains],
    ...(item.wikiUrl !== undefined ? { wikiUrl: item.wikiUrl } : {}),
    createdAt: item.createdAt,
  };
}

const policyOf = (policy: SiteItem['externalUserPolicy']) => ({
  twoStepRequired: policy.twoStepRequired,
  reverifyEveryDays: policy.reverifyEveryDays,
  apiTokensAllowed: policy.apiTokensAllowed,
});

/** The site's external-user policy, the trial running (if any) and the verified domains that decide who is external. */
export function toPolicyView(site: SiteItem) {
  const trial = site.policyTrial;
  return {
    ...policyOf(site.externalUserPolicy),
    ...(trial ? { trial: { policy: policyOf(trial.policy), userIds: [...trial.userIds], startedAt: trial.startedAt } } : {}),
    verifiedDomains: [...site.verifiedDomains],
  };
}

export function toGroup(item: GroupItem) {
  return {
    groupId: item.groupId,
    name: item.name,
    role: item.role,
    memberCount: item.memberCount,
    ...(item.pendingPromotion ? { pendingPromotion: true } : {}),
  };
}

/** An invitation as an admin manages it: link digests, task tokens and leases never leave. */
export function toInvitation(item: InvitationItem): Invitation {
  return {
    invitationId: item.invitationId,
    userId: item.userId,
    email: item.email,
    kind: item.kind,
    status: item.status,
    delivery: deliveryOf(item),
    invitedBy: item.invitedBy,
    invitedAt: item.createdAt,
    expiresAt: item.expiresAt,
    ...(item.spaceKey ? { spaceKey: item.spaceKey } : {}),
    resends: item.resends ?? 0,
    ...(item.emailSentAt ? { lastSentAt: item.emailSentAt } : {}),
    ...(item.delivery === 'bounced'
      ? { bounce: { type: item.bounceType ?? 'Undetermined', ...(item.bounceSubType ? { subType: item.bounceSubType } : {}), at: item.deliveryAt ?? item.expiresAt } }
      : {}),
  };
}
