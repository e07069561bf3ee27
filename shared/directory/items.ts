import { z } from 'zod';

/** Items as stored. Reads are parsed, so a malformed item fails loudly instead of spreading. */
const AppRoleValue = z.enum(['none', 'guest', 'user', 'app-admin']);

export const ExternalUserPolicy = z.object({
  twoStepRequired: z.boolean(),
  reverifyEveryDays: z.number().int().min(1).max(30),
  apiTokensAllowed: z.boolean(),
});
export type ExternalUserPolicy = z.infer<typeof ExternalUserPolicy>;
export const DEFAULT_EXTERNAL_USER_POLICY: ExternalUserPolicy = { twoStepRequired: false, reverifyEveryDays: 30, apiTokensAllowed: true };

export const SiteItem = z.object({
  siteId: z.string(),
  name: z.string(),
  orgId: z.string(),
  plan: z.enum(['free', 'standard', 'premium']),
  userLimit: z.number().int(),
  guestRatio: z.number().int(),
  inviteExpiryDays: z.number().int(),
  paid: z.number().int(),
  guests: z.number().int(),
  ratioRoom: z.number().int(),
  userRoom: z.number().int(),
  /** The effective guest ratio the headroom counters were computed with (0 on the Free plan). */
  seatRatio: z.number().int(),
  externalUserPolicy: ExternalUserPolicy.default(DEFAULT_EXTERNAL_USER_POLICY),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
});
export type SiteItem = z.infer<typeof SiteItem>;

export const PersonItem = z.object({
  siteId: z.string(),
  userId: z.string(),
  email: z.string(),
  displayName: z.string().optional(),
  kind: z.enum(['guest', 'paid']),
  status: z.enum(['invited', 'active', 'suspended', 'deactivated']),
  roles: z.record(z.string(), AppRoleValue),
  groups: z.array(z.string()),
  spaceKey: z.string().optional(),
  invitedBy: z.string().optional(),
  invitedAt: z.string(),
  activatedAt: z.string().optional(),
  acceptedAt: z.string().optional(),
  lastVerifiedAt: z.string().optional(),
  twoStepEnrolled: z.boolean().default(false),
  adminRole: z.enum(['site-admin', 'org-admin']).optional(),
  invitationId: z.string().optional(),
  /** Step Functions token of a waiting AwaitSpaceAssignment task; never leaves the server. */
  spaceTaskToken: z.string().optional(),
});
export type PersonItem = z.infer<typeof PersonItem>;

export const InvitationItem = z.object({
  siteId: z.string(),
  invitationId: z.string(),
  userId: z.string(),
  email: z.string(),
  kind: z.enum(['guest', 'paid']),
  status: z.enum(['pending', 'accepted', 'expired', 'revoked']),
  invitedBy: z.string(),
  inviterName: z.string(),
  spaceKey: z.string().optional(),
  message: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** SHA-256 of the link token in the email that was sent; a re-issue replaces it. */
  tokenDigest: z.string().optional(),
  emailSentAt: z.string().optional(),
  emailMessageId: z.string().optional(),
  /** Lease held while an email is being handed to SES, so retries never send twice. */
  sendingUntil: z.string().optional(),
  acceptedAt: z.string().optional(),
  acceptTaskToken: z.string().optional(),
  welcomeSentAt: z.string().optional(),
});
export type InvitationItem = z.infer<typeof InvitationItem>;

export const LinkItem = z.object({
  purpose: z.enum(['invitation', 'reverification']),
  siteId: z.string(),
  invitationId: z.string().optional(),
  userId: z.string(),
  ttl: z.number().int(),
});
export type LinkItem = z.infer<typeof LinkItem>;

export const SpaceItem = z.object({
  siteId: z.string(),
  key: z.string(),
  name: z.string(),
  anonymousAccess: z.boolean(),
  guestCount: z.number().int(),
  createdAt: z.string(),
  /** Set while the space is being deleted: it takes no new guests and is no longer listed. */
  deleting: z.string().optional(),
});
export type SpaceItem = z.infer<typeof SpaceItem>;

export const GroupItem = z.object({
  siteId: z.string(),
  groupId: z.string(),
  name: z.string(),
  role: AppRoleValue,
  memberCount: z.number().int(),
  createdAt: z.string(),
  /** Set while a promotion of the group's members is under way (or was interrupted and will resume). */
  pendingPromotion: z.boolean().optional(),
});
export type GroupItem = z.infer<typeof GroupItem>;
