import * as z from 'zod/mini';
import { ACCESS_CLIENTS, ACCESS_REASONS } from '../domain/access';
import { MAX_TRIAL_USERS, POLICY_EFFECTS } from '../domain/external';
import { MAX_VERIFIED_DOMAINS, REVIEW_PAGE_DEFAULT, REVIEW_PAGE_MAX } from '../domain/external-policy';
import { DELIVERY_STATUSES, RESEND_LIMIT } from '../domain/invitations';
import { INVITATION_STATUSES, MEMBER_STATUSES, PERSON_KINDS, PERSON_STATUSES } from '../domain/vocabulary';

/**
 * Request and response schemas of the HTTP contract; handlers parse with them and OpenAPI is built
 * from them. Written with `zod/mini`: the classic entry would add ~440 KB to every function bundle.
 */
const pattern = (regex: RegExp, message: string) => z.string().check(z.regex(regex, message));
const text = (max: number) => z.string().check(z.maxLength(max));
/** Trimmed, 1–`max` characters: names people type. */
const name = (max = 200) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const whole = (min: number, max: number, message?: string) => z.int().check(z.gte(min, message), z.lte(max, message));
/**
 * A whole number given as a query string value. zod/mini has no `z.coerce.int()`, but its integer
 * schema honours the same `coerce` flag `z.coerce.number()` sets, which keeps `type: integer` in
 * the OpenAPI document (a pipe from a coerced number would document a plain number).
 */
const queryWhole = (min: number, max: number) => z.int({ coerce: true } as Parameters<typeof z.int>[0]).check(z.gte(min), z.lte(max));

export const SiteId = pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'Use letters, digits, - and _ (max 63)');
export const UserId = pattern(/^[A-Za-z0-9_-]{1,64}$/, 'Not a user id');
export const SpaceKey = pattern(/^[A-Z][A-Z0-9]{0,31}$/, 'Space keys are upper-case letters and digits, starting with a letter');
export const GroupId = pattern(/^[A-Za-z0-9_-]{1,64}$/, 'Not a group id');
export const AppName = pattern(/^[a-z][a-z0-9-]{0,31}$/, 'App names are lower-case');
export const AppRole = z.enum(['none', 'guest', 'user', 'app-admin']);
export const PlanName = z.enum(['free', 'standard', 'premium']);
export const PersonStatus = z.enum(PERSON_STATUSES);
/** The statuses the guest list filters by: removed people are not on it. */
export const MemberStatus = z.enum(MEMBER_STATUSES);
const PersonKind = z.enum(PERSON_KINDS);
const AdminRole = z.enum(['site-admin', 'org-admin']);

export const SiteParams = z.object({ siteId: SiteId });
export const UserParams = z.extend(SiteParams, { userId: UserId });
export const SpaceParams = z.extend(SiteParams, { key: SpaceKey });
export const GroupParams = z.extend(SiteParams, { groupId: GroupId });
export const LinkParams = z.object({ token: z.string().check(z.minLength(1), z.maxLength(128)) });

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.record(z.string(), z.unknown())) }),
});

export const Seats = z.object({
  paid: z.int(),
  guests: z.int(),
  guestLimit: z.int(),
  userLimit: z.int(),
  guestRatio: z.int(),
  plan: PlanName,
});

export const IdempotencyKey = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces'));
/** Request headers of the invite route, by header name as the contract spells it. */
export const InviteHeaders = z.object({
  'Idempotency-Key': z.optional(IdempotencyKey).check(
    z.describe('The same key with the same body within 24 h returns the first response and does nothing else; with a different body → 409 conflict.'),
  ),
});

export const InviteBody = z.strictObject({
  emails: z.array(text(320)).check(z.minLength(1), z.maxLength(10)),
  roles: z._default(z.record(AppName, AppRole), { wiki: 'none' }),
  groups: z._default(z.array(GroupId).check(z.maxLength(20)), []),
  spaceKey: z.optional(SpaceKey),
  message: z.optional(text(1000)),
});
export type InviteBody = z.infer<typeof InviteBody>;

export const InviteRowResult = z.discriminatedUnion('status', [
  z.object({
    email: z.string(),
    status: z.literal('invited'),
    kind: PersonKind,
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
  seats: z.pick(Seats, { paid: true, guests: true, guestLimit: true, userLimit: true }),
});
export type InviteResponse = z.infer<typeof InviteResponse>;

export const Person = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.optional(z.string()),
  kind: PersonKind,
  status: PersonStatus,
  roles: z.record(z.string(), AppRole),
  groups: z.array(z.string()),
  spaceKey: z.optional(z.string()),
  invitedBy: z.optional(z.string()),
  invitedAt: z.optional(z.string()),
  activatedAt: z.optional(z.string()),
  lastVerifiedAt: z.optional(z.string()),
  twoStepEnrolled: z.boolean(),
  /** When the person's app access was removed; only while `status` is `removed`. */
  removedAt: z.optional(z.string()),
});
export type Person = z.infer<typeof Person>;

export const SpaceBody = z.strictObject({ key: SpaceKey, name: name(), anonymousAccess: z._default(z.boolean(), false) });
export const Space = z.object({ key: z.string(), name: z.string(), anonymousAccess: z.boolean(), guestCount: z.int() });
export const SpaceList = z.object({ spaces: z.array(Space) });
export const SpacePatchBody = z
  .strictObject({ name: z.optional(name()), anonymousAccess: z.optional(z.boolean()) })
  .check(z.refine((patch) => patch.name !== undefined || patch.anonymousAccess !== undefined, 'Give name or anonymousAccess'));
export const AssignSpaceBody = z.strictObject({ spaceKey: SpaceKey });

/**
 * Email domains whose paid users are internal. Names are checked by the use case (a bad one is a
 * 400 naming it), stored lower-cased and each once; `[]` clears the list.
 */
const VerifiedDomains = z
  .array(z.string().check(z.maxLength(253)))
  .check(z.maxLength(MAX_VERIFIED_DOMAINS), z.describe('Lower-cased DNS domain names (like partner.example); duplicates are dropped, `[]` clears the list.'));

const WikiUrl = z
  .string()
  .check(z.maxLength(2000), z.describe('The wiki’s address (https): welcome emails and guest pages link to it, and to `<wikiUrl>/spaces/<KEY>` for a space. `null` in a PATCH removes it.'));

export const CreateSiteBody = z.strictObject({
  siteId: SiteId,
  name: name(),
  orgId: pattern(/^[A-Za-z0-9_-]{1,64}$/, 'Not an org id'),
  plan: PlanName,
  userLimit: whole(1, 100_000),
  guestRatio: z._default(whole(0, 100), 5),
  inviteExpiryDays: z._default(whole(1, 30), 7),
  verifiedDomains: z.optional(VerifiedDomains),
  wikiUrl: z.optional(WikiUrl),
  admins: z
    .array(z.strictObject({ email: text(320), displayName: z.optional(name()), role: z._default(AdminRole, 'site-admin') }))
    .check(z.minLength(1), z.maxLength(10)),
});

export const UpdateSiteBody = z
  .strictObject({
    userLimit: z.optional(whole(1, 100_000)),
    plan: z.optional(PlanName),
    guestRatio: z.optional(whole(0, 100)),
    inviteExpiryDays: z.optional(whole(1, 30)),
    verifiedDomains: z.optional(VerifiedDomains),
    wikiUrl: z.optional(z.nullable(WikiUrl)),
  })
  .check(z.refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change'));

export const Site = z.object({
  siteId: z.string(),
  name: z.string(),
  orgId: z.string(),
  plan: PlanName,
  userLimit: z.int(),
  guestRatio: z.int(),
  inviteExpiryDays: z.int(),
  verifiedDomains: z.array(z.string()),
  wikiUrl: z.optional(z.string()),
  createdAt: z.string(),
});
export const CreatedSite = z.extend(Site, {
  admins: z.array(z.object({ userId: z.string(), email: z.string(), role: AdminRole })),
  /** What the operator may want to fix, e.g. `no_wiki_url`: the site works, but emails have no button to the wiki. */
  warnings: z.optional(z.array(z.object({ code: z.string(), message: z.string() }))),
});

export const AcceptBody = z.strictObject({
  // An HTML form sends an empty field when the guest leaves the name blank.
  displayName: z.optional(z.union([z.pipe(z.literal(''), z.transform(() => undefined)), name()])),
  totpCode: z.optional(pattern(/^\d{6}$/, 'A code is six digits')),
});
export const Accepted = z.object({ userId: z.string(), status: PersonStatus });
// Two-step verification: the first accept (or re-verify) without a code on a site requiring it.
export const TwoStepEnrollment = z.object({
  twoStepEnrollment: z.object({
    otpauthUrl: z.string().check(z.describe('The `otpauth://totp/…` URI for an authenticator app (it contains the secret).')),
    secret: z.string().check(z.describe('The same secret, base32, for typing in by hand.')),
  }),
});
export const AcceptResult = z.union([Accepted, TwoStepEnrollment]);
export const InvitationView = z.object({
  siteName: z.string(),
  inviterName: z.string(),
  email: z.string(),
  spaceKey: z.optional(z.string()),
  expiresAt: z.string(),
  twoStepRequired: z.boolean(),
});

export const GroupBody = z.strictObject({ name: name(), role: AppRole });
export const Group = z.object({
  groupId: z.string(),
  name: z.string(),
  role: AppRole,
  memberCount: z.int(),
  /** Present while promoting the group's members is unfinished; the next change to the group finishes it. */
  pendingPromotion: z.optional(z.literal(true)),
});
export const GroupList = z.object({ groups: z.array(Group) });
export const GroupRoleBody = z.strictObject({ role: AppRole });
export const GroupMembersBody = z.strictObject({ userIds: z.array(UserId).check(z.minLength(1), z.maxLength(50)) });

export const GuestListQuery = z
  .strictObject({
    status: z.optional(MemberStatus),
    spaceKey: z.optional(SpaceKey),
    noSpace: z.optional(z.pipe(z.enum(['true', 'false']), z.transform((value) => value === 'true'))),
    limit: z._default(queryWhole(1, 100), 50),
    cursor: z.optional(text(2048)),
  })
  .check(z.refine((query) => !(query.noSpace && query.spaceKey), { message: 'Use either spaceKey or noSpace=true', path: ['noSpace'] }));
export const GuestList = z.object({ guests: z.array(Person), nextCursor: z.optional(z.string()) });

// The users list: everyone on the site, removed people included.
export const USER_QUERY_MAX = 100;
export const UserListQuery = z.strictObject({
  kind: z.optional(PersonKind),
  status: z.optional(PersonStatus),
  q: z
    .optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(USER_QUERY_MAX)))
    .check(z.describe('The start of a display name or an address, any case; matches come in the order of the text matched, not newest first.')),
  limit: z._default(queryWhole(1, 100), 50),
  cursor: z.optional(text(2048)).check(z.describe('The `nextCursor` of the previous page, with the same kind, status and q')),
});
export const UserList = z.object({ users: z.array(Person), nextCursor: z.optional(z.string()) });
export const DeletedUser = z.object({ userId: z.string(), eraseAfter: z.string() });

// Access decisions (service route). The lists come from `shared/domain/access.ts`.
export const AccessClientName = z.enum(ACCESS_CLIENTS);
export const AccessDecisionBody = z.strictObject({ userId: UserId, spaceKey: SpaceKey, client: AccessClientName });
export type AccessDecisionBody = z.infer<typeof AccessDecisionBody>;
export const AccessDecision = z.object({ allowed: z.boolean(), reason: z.enum(ACCESS_REASONS) });

// Audit log. Query values arrive as strings; `limit` is digits only so "1e2" or " 5" are refused, not guessed at.
const PAGE_SIZE_MESSAGE = 'Use a whole number from 1 to 100';
export const AuditEventsQuery = z.object({
  limit: z
    ._default(z.pipe(z.pipe(pattern(/^[0-9]{1,3}$/, PAGE_SIZE_MESSAGE), z.transform(Number)), whole(1, 100, PAGE_SIZE_MESSAGE)), 50)
    .check(z.describe('Page size, 1–100; 50 when absent')),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))).check(z.describe('The `nextCursor` of the previous page, as given')),
});
export const AuditEvent = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export const AuditEventsResponse = z.object({ events: z.array(AuditEvent), nextCursor: z.optional(z.string()) });

export const DowngradeBody = z.strictObject({ plan: z.literal('free'), confirm: z._default(z.boolean(), false) });
export const DowngradeResult = z.object({
  affected: z.array(z.object({ userId: z.string(), email: z.string(), effect: z.literal('app_access_removed') })),
  paid: z.int(),
  userLimit: z.int(),
  confirmed: z.boolean(),
});

// External-user security policy (rule 13).
const PolicyFields = {
  twoStepRequired: z.boolean(),
  reverifyEveryDays: whole(1, 30, 'Use a whole number of days from 1 to 30'),
  apiTokensAllowed: z.boolean(),
};
/** A policy as an admin proposes it: every field given. */
export const PolicyInput = z.strictObject(PolicyFields);
const Policy = z.object(PolicyFields);
export const PolicyView = z.extend(Policy, {
  /** A trial of another policy on a few people, while one runs. */
  trial: z.optional(z.object({ policy: Policy, userIds: z.array(z.string()), startedAt: z.string() })),
  verifiedDomains: z.array(z.string()),
});

/** The people a proposal is tried on first: at most five, each once; absent or `[]`: the whole site. */
const TrialUserIds = z._default(
  z.array(UserId).check(
    z.maxLength(MAX_TRIAL_USERS, `A trial names at most ${MAX_TRIAL_USERS} people`),
    z.superRefine((userIds, context) => {
      userIds.forEach((userId, index) => {
        if (userIds.indexOf(userId) !== index) context.issues.push({ code: 'custom', message: `${userId} is named twice`, path: [index], input: userId });
      });
    }),
  ),
  [],
).check(z.describe(`At most ${MAX_TRIAL_USERS} people of the site, each once: the policy is tried on them first and the site’s policy stays. Absent or [] for the whole site.`));

export const PolicyReviewBody = z.strictObject({
  policy: PolicyInput,
  trialUserIds: TrialUserIds,
  limit: z._default(whole(1, REVIEW_PAGE_MAX), REVIEW_PAGE_DEFAULT).check(z.describe(`Entries per page, 1–${REVIEW_PAGE_MAX}; ${REVIEW_PAGE_DEFAULT} when absent`)),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))).check(z.describe('The `nextCursor` of the previous page, with the same policy and trialUserIds')),
});
export type PolicyReviewBody = z.infer<typeof PolicyReviewBody>;

export const PolicyReviewResult = z.object({
  reviewToken: z.string().check(z.describe('Apply this proposal with it within 15 minutes, once. Every page gives a fresh one.')),
  expiresAt: z.string(),
  affected: z.array(z.object({ userId: z.string(), email: z.string(), effect: z.enum(POLICY_EFFECTS) })),
  nextCursor: z.optional(z.string()),
});

export const PutPolicyBody = z.strictObject({
  policy: PolicyInput,
  // Optional here so that a change without any review is the contract's 409 review_required, not a 400.
  reviewToken: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  trialUserIds: TrialUserIds,
});
export type PutPolicyBody = z.infer<typeof PutPolicyBody>;

/** The OpenAPI document itself, as its route answers it. */
export const OpenApiDocument = z.record(z.string(), z.unknown());

// Re-verification links (`/verify/{token}`)
export const ReverifyBody = z.strictObject({
  totpCode: z.optional(pattern(/^\d{6}$/, 'A code is six digits')),
});
export const ReverifyResult = z.union([z.object({ lastVerifiedAt: z.string() }), TwoStepEnrollment]);
export const VerificationView = z.object({
  siteName: z.string(),
  email: z.string(),
  /** The person's status: `suspended` until this verification lifts it. */
  status: PersonStatus,
  expiresAt: z.string(),
  /** A two-step code is asked for (enrolled) or an enrolment comes first (`twoStepEnrolled` false). */
  twoStepRequired: z.boolean(),
  twoStepEnrolled: z.boolean(),
});

// Invitations an admin manages (`/sites/{siteId}/invitations…`): the list by status, resend, withdraw.
export const InvitationId = pattern(/^[A-Za-z0-9_-]{1,64}$/, 'Not an invitation id');
export const InvitationParams = z.extend(SiteParams, { invitationId: InvitationId });
export const InvitationStatusName = z.enum(INVITATION_STATUSES);
export const InvitationListQuery = z.strictObject({
  status: z._default(InvitationStatusName, 'pending').check(z.describe('The invitations in this status; `pending` when absent')),
  limit: z._default(queryWhole(1, 100), 50).check(z.describe('Page size, 1–100; 50 when absent')),
  cursor: z.optional(text(2048)).check(z.describe('The `nextCursor` of the previous page, with the same status')),
});
export const Invitation = z.object({
  invitationId: z.string(),
  userId: z.string(),
  email: z.string(),
  kind: PersonKind,
  status: InvitationStatusName,
  delivery: z.enum(DELIVERY_STATUSES).check(
    z.describe('Of the current email, as SES reported it: `sending` until SES took it, then `sent`, `delivered`, `bounced` or `complained`; it never moves back.'),
  ),
  invitedBy: z.string(),
  invitedAt: z.string(),
  expiresAt: z.string(),
  spaceKey: z.optional(z.string()),
  resends: z.int().check(z.describe(`How many times an admin resent it (at most ${RESEND_LIMIT} in any 24 hours).`)),
  lastSentAt: z.optional(z.string().check(z.describe('When SES took the current email; absent while it is being sent.'))),
  bounce: z.optional(
    z.object({
      type: z.string().check(z.describe('SES bounce type: `Permanent`, `Transient` or `Undetermined`.')),
      subType: z.optional(z.string()),
      at: z.string(),
    }),
  ),
});
export type Invitation = z.infer<typeof Invitation>;
export const InvitationList = z.object({ invitations: z.array(Invitation), nextCursor: z.optional(z.string()) });
