/**
 * The words the directory stores and the HTTP contract speaks, each once. Schemas build their
 * enums from these lists, so a new status is added here and nowhere else.
 */
export const PERSON_KINDS = ['guest', 'paid'] as const;
export type Kind = (typeof PERSON_KINDS)[number];

/**
 * The statuses of a person who is still a member of the site: the guest list shows them, and an
 * address in one of them cannot be invited again (`already_member`).
 */
export const MEMBER_STATUSES = ['invited', 'active', 'suspended', 'deactivated'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/**
 * `removed` (rule 11): app access removed; the person, their id and history stay, with no seat,
 * space, groups or access, listed only by the users list. Inviting the address again brings the
 * same person back as `invited`.
 */
export const PERSON_STATUSES = [...MEMBER_STATUSES, 'removed'] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

export const INVITATION_STATUSES = ['pending', 'accepted', 'expired', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** Role values of the HTTP contract. `guest` is only valid for the wiki app. */
export const APP_ROLES = ['none', 'guest', 'user', 'app-admin'] as const;
export type AppRole = (typeof APP_ROLES)[number];

export const ADMIN_ROLES = ['site-admin', 'org-admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export const PLANS = ['free', 'standard', 'premium'] as const;
export type Plan = (typeof PLANS)[number];

export const LINK_PURPOSES = ['invitation', 'reverification'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];
