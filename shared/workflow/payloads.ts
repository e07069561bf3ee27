import * as z from 'zod/mini';

const id = () => z.string().check(z.minLength(1));

/** Input of one onboarding execution (one per invitee, named by the invitation id). */
export const OnboardingInput = z.object({
  siteId: id(),
  userId: id(),
  invitationId: id(),
  kind: z.enum(['guest', 'paid']),
  /** False for paid invitees and for guests whose space was given at invite time. */
  needsSpace: z.boolean(),
  /** The invitation's lifetime; both callback waits time out after it. */
  acceptWithinSeconds: z.int().check(z.gte(1)),
});
export type OnboardingInput = z.infer<typeof OnboardingInput>;

export const InvitationTaskPayload = z.object({
  siteId: id(),
  userId: id(),
  invitationId: id(),
  /**
   * The name of the execution running the task (`$$.Execution.Name`): the invitation id for the
   * first one, another name after a resend. Absent from executions started before it was passed.
   */
  execution: z.optional(id()),
});
export type InvitationTaskPayload = z.infer<typeof InvitationTaskPayload>;

export const CallbackTaskPayload = z.extend(InvitationTaskPayload, { taskToken: id() });
export type CallbackTaskPayload = z.infer<typeof CallbackTaskPayload>;

export const ExpireTaskPayload = z.extend(InvitationTaskPayload, {
  /** Why the onboarding ended without activation (`InvitationExpired`, `SendFailed`, …). */
  reason: z._default(id(), 'InvitationExpired'),
});
export type ExpireTaskPayload = z.infer<typeof ExpireTaskPayload>;

/** Error name an admin's revocation fails a waiting task with. */
export const REVOKED_ERROR = 'Revoked';
