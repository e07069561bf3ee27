import { z } from 'zod';
import { ACCESS_CLIENTS, ACCESS_REASONS } from '../domain/access';

/** Request and response schemas of the HTTP contract; handlers parse with them and OpenAPI is built from them. */
export const SiteId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'Use letters, digits, - and _ (max 63)');
export const UserId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a user id');
export const SpaceKey = z.string().regex(/^[A-Z][A-Z0-9]{0,31}$/, 'Space keys are upper-case letters and digits, starting with a letter');
export const GroupId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a group id');
export const AppName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'App names are lower-case');
export const AppRole = z.enum(['none', 'guest', 'user', 'app-admin']);
export const PlanName = z.enum(['free', 'standard', 'premium']);
export const PersonStatus = z.enum(['invited', 'active', 'suspended', 'deactivated']);

export const SiteParams = z.object({ siteId: SiteId });
export const UserParams = SiteParams.extend({ userId: UserId });

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});

export const Seats = z.object({
  paid: z.number().int(),
  guests: z.number().int(),
  guestLimit: z.number().int(),
  userLimit: z.number().int(),
  guestRatio: z.number().int(),
  plan: PlanName,
});

export const IdempotencyKey = z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces');

export const InviteBody = z
  .object({
    emails: z.array(z.string().max(320)).min(1).max(10),
    roles: z.record(AppName, AppRole).default({ wiki: 'none' }),
    groups: z.array(GroupId).max(20).default([]),
    spaceKey: SpaceKey.optional(),
    message: z.string().max(1000).optional(),
  })
  .strict();
export type InviteBody = z.infer<typeof InviteBody>;

export const InviteRowResult = z.discriminatedUnion('status', [
  z.object({
    email: z.string(),
    status: z.literal('invited'),
    kind: z.enum(['guest', 'paid']),
    userId: z.string(),
    invitationId: z.string(),
    expiresAt: z.string(),
  }),
  z.object({
    email: z.string(),
    status: z.literal('rejected'),
    reason: z.enum([
      'invalid_email',
      'duplicate_in_request',
      'paid_user_conversion_forbidden',
      'already_member',
      'guest_limit_reached',
      'user_limit_reached',
      'service_unavailable',
    ]),
  }),
]);
export type InviteRowResult = z.infer<typeof InviteRowResult>;

export const InviteResponse = z.object({
  results: z.array(InviteRowResult),
  seats: Seats.pick({ paid: true, guests: true, guestLimit: true, userLimit: true }),
});
export type InviteResponse = z.infer<typeof InviteResponse>;

export const Person = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string().optional(),
  kind: z.enum(['guest', 'paid']),
  status: PersonStatus,
  roles: z.record(z.string(), AppRole),
  groups: z.array(z.string()),
  spaceKey: z.string().optional(),
  invitedBy: z.string().optional(),
  invitedAt: z.string().optional(),
  activatedAt: z.string().optional(),
  lastVerifiedAt: z.string().optional(),
  twoStepEnrolled: z.boolean(),
});
export type Person = z.infer<typeof Person>;

export const SpaceBody = z
  .object({ key: SpaceKey, name: z.string().trim().min(1).max(200), anonymousAccess: z.boolean().default(false) })
  .strict();
export const Space = z.object({ key: z.string(), name: z.string(), anonymousAccess: z.boolean(), guestCount: z.number().int() });
export const AssignSpaceBody = z.object({ spaceKey: SpaceKey }).strict();

export const CreateSiteBody = z
  .object({
    siteId: SiteId,
    name: z.string().trim().min(1).max(200),
    orgId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    plan: PlanName,
    userLimit: z.number().int().min(1).max(100_000),
    guestRatio: z.number().int().min(0).max(100).default(5),
    inviteExpiryDays: z.number().int().min(1).max(30).default(7),
    admins: z
      .array(
        z
          .object({
            email: z.string().max(320),
            displayName: z.string().trim().min(1).max(200).optional(),
            role: z.enum(['site-admin', 'org-admin']).default('site-admin'),
          })
          .strict(),
      )
      .min(1)
      .max(10),
  })
  .strict();

export const UpdateSiteBody = z
  .object({
    userLimit: z.number().int().min(1).max(100_000).optional(),
    plan: PlanName.optional(),
    guestRatio: z.number().int().min(0).max(100).optional(),
    inviteExpiryDays: z.number().int().min(1).max(30).optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change');

export const Site = z.object({
  siteId: z.string(),
  name: z.string(),
  orgId: z.string(),
  plan: PlanName,
  userLimit: z.number().int(),
  guestRatio: z.number().int(),
  inviteExpiryDays: z.number().int(),
  createdAt: z.string(),
});

export const LinkParams = z.object({ token: z.string().min(1).max(128) });
export const AcceptBody = z
  .object({
    // An HTML form sends an empty field when the guest leaves the name blank.
    displayName: z.preprocess((value) => (value === '' ? undefined : value), z.string().trim().min(1).max(200).optional()),
    totpCode: z.string().regex(/^\d{6}$/).optional(),
  })
  .strict();
export const InvitationView = z.object({
  siteName: z.string(),
  inviterName: z.string(),
  email: z.string(),
  spaceKey: z.string().optional(),
  expiresAt: z.string(),
  twoStepRequired: z.boolean(),
});

export const GroupBody = z.object({ name: z.string().trim().min(1).max(200), role: AppRole }).strict();
export const Group = z.object({
  groupId: z.string(),
  name: z.string(),
  role: AppRole,
  memberCount: z.number().int(),
  /** Present while promoting the group's members is unfinished; the next change to the group finishes it. */
  pendingPromotion: z.literal(true).optional(),
});

export const GuestListQuery = z
  .object({
    status: PersonStatus.optional(),
    spaceKey: SpaceKey.optional(),
    noSpace: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(2048).optional(),
  })
  .strict()
  .refine((query) => !(query.noSpace && query.spaceKey), { message: 'Use either spaceKey or noSpace=true', path: ['noSpace'] });
export const GuestList = z.object({ guests: z.array(Person), nextCursor: z.string().optional() });
export const DeletedUser = z.object({ userId: z.string(), eraseAfter: z.string() });

// Access decisions (service route). The lists mirror `shared/domain/access.ts`; a unit test keeps them equal.
export const AccessClientName = z.enum(ACCESS_CLIENTS);
export const AccessDecisionBody = z.object({ userId: UserId, spaceKey: SpaceKey, client: AccessClientName }).strict();
export type AccessDecisionBody = z.infer<typeof AccessDecisionBody>;
export const AccessDecision = z.object({
  allowed: z.boolean(),
  reason: z.enum(ACCESS_REASONS),
});

// Audit log. Query values arrive as strings; `limit` is digits only so "1e2" or " 5" are refused, not guessed at.
export const AuditEventsQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'Use a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1, 'Use a whole number from 1 to 100').max(100, 'Use a whole number from 1 to 100'))
    .default(50)
    .describe('Page size, 1–100; 50 when absent'),
  cursor: z.string().min(1).max(2048).optional().describe('The `nextCursor` of the previous page, as given'),
});
export const AuditEvent = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export const AuditEventsResponse = z.object({ events: z.array(AuditEvent), nextCursor: z.string().optional() });

export const SpaceParams = SiteParams.extend({ key: SpaceKey });
export const SpacePatchBody = z
  .object({ name: z.string().trim().min(1).max(200).optional(), anonymousAccess: z.boolean().optional() })
  .strict()
  .refine((patch) => patch.name !== undefined || patch.anonymousAccess !== undefined, 'Give name or anonymousAccess');

export const DowngradeBody = z.object({ plan: z.literal('free'), confirm: z.boolean().default(false) }).strict();
export const DowngradeResult = z.object({
  affected: z.array(z.object({ userId: z.string(), email: z.string(), effect: z.literal('app_access_removed') })),
  paid: z.number().int(),
  userLimit: z.number().int(),
  confirmed: z.boolean(),
});

// Group administration: role changes, members, promotion.
export const GroupParams = SiteParams.extend({ groupId: GroupId });
export const GroupRoleBody = z.object({ role: AppRole }).strict();
export const GroupMembersBody = z.object({ userIds: z.array(UserId).min(1).max(50) }).strict();
