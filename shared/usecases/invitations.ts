import type { SFNClient } from '@aws-sdk/client-sfn';
import { AppError, conflict } from '../domain/errors';
import { currentExecutionName, resendExecutionName, resendRefusal } from '../domain/invitations';
import type { Directory } from '../directory/directory';
import { PersonItem, personKey } from '../directory/entities/person';
import type { InvitationItem } from '../directory/entities/invitation';
import type { SiteItem } from '../directory/entities/site';
import { requireInvitation } from '../directory/invitations';
import { recordResend } from '../directory/onboarding/resend';
import { endPendingInvitation } from '../directory/people/departure';
import { readItem } from '../directory/reads';
import { newExecutionSuffix } from '../ids';
import { log } from '../log';
import { startOnboarding, stopOnboarding } from '../workflow/client';

export interface InvitationAdminDeps {
  readonly db: Directory;
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  /** Overrides the site's invitation lifetime (local runs and tests of expiry), as for invites. */
  readonly expirySecondsOverride?: number | undefined;
}

/**
 * Resends a pending invitation: a new link (the old one answers `invitation_revoked` at once), a
 * new lifetime from the site's `inviteExpiryDays`, and exactly one new email, at most three times
 * in a rolling day.
 *
 * The workflow: the invitation's onboarding execution waits with a timeout at the old expiry, so
 * it is replaced. A fresh execution is started first, under a name of its own, and the resend is
 * recorded next, naming it the invitation's execution; only then is the old one stopped. The new
 * execution goes the normal way — SendInvitation issues the link and sends the email, then it
 * waits for acceptance (timing out at the new expiry) and activates — and each of its tasks acts
 * only for the execution the invitation names: one whose resend never got recorded (refused, or
 * this Lambda died in between) and one that outlived its stop send, wait and expire nothing. So a
 * failure at any point leaves either the old onboarding or the new one in charge, never neither.
 */
export async function resendInvitation(deps: InvitationAdminDeps, site: SiteItem, invitationId: string, actor: string, now: Date): Promise<InvitationItem> {
  const { db } = deps;
  const invitation = await requireInvitation(db, site.siteId, invitationId);
  const refusal = resendRefusal(invitation, now);
  if (refusal) throw refusal;

  const person = await readItem(db, personKey(site.siteId, invitation.userId), PersonItem);
  const kind = person?.kind ?? invitation.kind;
  const lifetimeSeconds = deps.expirySecondsOverride ?? site.inviteExpiryDays * 86_400;
  const expiresAt = new Date(now.getTime() + lifetimeSeconds * 1000).toISOString();
  const execution = resendExecutionName(invitationId, (invitation.resends ?? 0) + 1, newExecutionSuffix());
  const ids = { siteId: site.siteId, invitationId };
  try {
    await startOnboarding(
      deps.sfn,
      deps.stateMachineArn,
      { siteId: site.siteId, userId: invitation.userId, invitationId, kind, needsSpace: kind === 'guest' && !person?.spaceKey, acceptWithinSeconds: lifetimeSeconds },
      execution,
    );
  } catch (error) {
    log.error('could not start the onboarding of a resend; nothing changed', { ...ids, error: (error as Error).name });
    throw new AppError('service_unavailable', 'The invitation could not be resent just now; nothing changed. Try again shortly.');
  }

  if (!(await recordResend(db, { invitation, execution, expiresAt, actor, now }))) {
    await stopOnboarding(deps.sfn, deps.stateMachineArn, execution, 'The resend was refused', ids);
    const current = await requireInvitation(db, site.siteId, invitationId);
    throw resendRefusal(current, now) ?? conflict('The invitation changed while resending it (perhaps another resend); reload and check it.');
  }
  await stopOnboarding(deps.sfn, deps.stateMachineArn, currentExecutionName(invitation), 'The invitation was resent', ids);
  return requireInvitation(db, site.siteId, invitationId);
}

/**
 * Withdraws a pending invitation: the invited person leaves the site and the seat is freed, as
 * removing an invited person's app access does, the link answers `invitation_revoked`, and the
 * onboarding execution is stopped. The directory is written first; the stop comes after, by the
 * name the invitation holds once it can no longer change (a withdrawn invitation is not resent).
 */
export async function withdrawInvitation(deps: InvitationAdminDeps, siteId: string, invitationId: string, actor: string, now: Date): Promise<void> {
  const { db } = deps;
  const invitation = await requireInvitation(db, siteId, invitationId);
  if (invitation.status !== 'pending') throw conflict(`Only a pending invitation can be withdrawn; this one is ${invitation.status}.`, { status: invitation.status });
  if (!(await endPendingInvitation(db, invitation, 'withdrawn', actor, now.toISOString()))) {
    const current = await requireInvitation(db, siteId, invitationId);
    throw conflict(
      current.status === 'pending' ? 'The invited person changed while withdrawing; reload and check them.' : `Only a pending invitation can be withdrawn; this one is ${current.status}.`,
      { status: current.status },
    );
  }
  const ended = await requireInvitation(db, siteId, invitationId);
  await stopOnboarding(deps.sfn, deps.stateMachineArn, currentExecutionName(ended), 'An administrator withdrew the invitation', { siteId, invitationId });
}
