import { guestLimit } from '../domain/seats';
import type { GroupItem } from '../directory/entities/group';
import type { PersonItem } from '../directory/entities/person';
import type { SiteItem } from '../directory/entities/site';
import type { SpaceItem } from '../directory/entities/space';
import type { Person } from './schemas';

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
