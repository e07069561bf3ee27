import { z } from 'zod';

/** Input of one onboarding execution (one per invitee, named by the invitation id). */
export const OnboardingInput = z.object({
  siteId: z.string().min(1),
  userId: z.string().min(1),
  invitationId: z.string().min(1),
  kind: z.enum(['guest', 'paid']),
  /** False for paid invitees and for guests whose space was given at invite time. */
  needsSpace: z.boolean(),
  /** The invitation's lifetime; both callback waits time out after it. */
  acceptWithinSeconds: z.number().int().min(1),
});
export type OnboardingInput = z.infer<typeof OnboardingInput>;

export const InvitationTaskPayload = z.object({
  siteId: z.string().min(1),
  userId: z.string().min(1),
  invitationId: z.string().min(1),
});
export type InvitationTaskPayload = z.infer<typeof InvitationTaskPayload>;

export const CallbackTaskPayload = InvitationTaskPayload.extend({ taskToken: z.string().min(1) });
export type CallbackTaskPayload = z.infer<typeof CallbackTaskPayload>;

export const ExpireTaskPayload = InvitationTaskPayload.extend({
  /** Why the onboarding ended without activation (`InvitationExpired`, `SendFailed`, …). */
  reason: z.string().min(1).default('InvitationExpired'),
});
export type ExpireTaskPayload = z.infer<typeof ExpireTaskPayload>;

/** Error name an admin's revocation fails a waiting task with. */
export const REVOKED_ERROR = 'Revoked';
