import type { SESClient } from '@aws-sdk/client-ses';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { executionStanding } from '../domain/invitations';
import { wikiLinkFor } from '../domain/wiki-links';
import type { Directory } from '../directory/directory';
import { PersonItem, personKey } from '../directory/entities/person';
import { SiteItem, siteKey } from '../directory/entities/site';
import { SpaceItem, spaceKey } from '../directory/entities/space';
import { requireInvitation } from '../directory/invitations';
import { endPendingInvitation } from '../directory/people/departure';
import { readItem } from '../directory/reads';
import { fullJitterMs } from '../directory/retry';
import { activatePerson } from '../directory/onboarding/activation';
import { claimInvitationSend, claimWelcomeSend, recordInvitationSent, recordWelcomeSent, releaseInvitationSend } from '../directory/onboarding/email-lease';
import { storeAcceptTaskToken, storeSpaceTaskToken } from '../directory/onboarding/task-tokens';
import { EmailRejectedError, EmailTransientError, renderInvitationEmail, renderWelcomeEmail, sendEmail } from '../email';
import { log } from '../log';
import { completeTask, failTask } from './client';
import { REVOKED_ERROR, type CallbackTaskPayload, type ExpireTaskPayload, type InvitationTaskPayload } from './payloads';

/** What the workflow's Lambdas need; passed in so tests can substitute any part. */
export interface WorkflowContext {
  readonly db: Directory;
  readonly ses: SESClient;
  readonly sfn: SFNClient;
  readonly senderAddress: string;
  readonly publicBaseUrl: string;
  /** The SES configuration set whose events report delivery (`SES_CONFIGURATION_SET`); invitation emails use it. */
  readonly configurationSet?: string | undefined;
  /** How long SendInvitation waits for the resend that started its execution to be recorded (tests shorten it). */
  readonly aheadWaitMs?: number;
  /**
   * How long one SendInvitation attempt keeps retrying SES's transient failures (throttling, 5xx,
   * the endpoint unreachable) before leaving the email to the workflow's Retry.
   */
  readonly sesRetryWindowMs?: number;
  /** The clock and the wait of that retry, injected so tests need not spend its real time. */
  readonly clock?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A resend replaced this execution: it sends nothing, and its ExpireInvitation ends nothing. */
export class SupersededError extends Error {
  override name = 'Superseded';
}

const AHEAD_WAIT_MS = 5_000;
const AHEAD_POLL_MS = 200;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A short SES outage or a burst of throttling is ridden out inside the attempt: a Step Functions
 * retry costs state transitions and a fresh invocation, and its first wait is longer than most
 * throttling lasts. 15 s of the 30 s attempt: the ahead wait (5 s) and the DynamoDB calls fit around it.
 */
export const SES_RETRY_WINDOW_MS = 15_000;
const SES_RETRY_BACKOFF = { maxAttempts: Number.POSITIVE_INFINITY, baseMs: 200, capMs: 4_000 };
/** Never zero: a retry that does not wait would spin against an SES that is refusing. */
const SES_RETRY_MIN_WAIT_MS = 50;

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * SendInvitation. Issues a fresh link and sends the personalised email once: the lease and the
 * sent mark on the invitation make a retried attempt either resume or do nothing.
 */
export async function sendInvitation(context: Omit<WorkflowContext, 'sfn'>, payload: InvitationTaskPayload): Promise<{ sent: boolean }> {
  const { db } = context;
  const now = context.clock ?? (() => new Date());
  const execution = payload.execution ?? payload.invitationId;
  const ids = { siteId: payload.siteId, invitationId: payload.invitationId, execution };
  // A resend starts its execution before it records the resend, so the first attempt may be early.
  // That wait is for another write to land, so it runs on real time whatever the clock says.
  const waitUntil = Date.now() + (context.aheadWaitMs ?? AHEAD_WAIT_MS);
  let claim = await claimInvitationSend(db, payload.siteId, payload.invitationId, now(), execution);
  while (claim.kind === 'ahead' && Date.now() < waitUntil) {
    await pause(AHEAD_POLL_MS);
    claim = await claimInvitationSend(db, payload.siteId, payload.invitationId, now(), execution);
  }
  if (claim.kind === 'busy') throw new EmailTransientError('Another attempt is sending this invitation');
  if (claim.kind === 'ahead') throw new EmailTransientError('The resend that started this execution is not recorded yet');
  if (claim.kind === 'superseded') throw new SupersededError('A resend replaced this execution');
  if (claim.kind !== 'claimed') {
    log.info('invitation email not sent', { ...ids, state: claim.kind });
    return { sent: false };
  }
  const { invitation, token } = claim;
  const [site, space, inviter] = await Promise.all([
    readItem(db, siteKey(payload.siteId), SiteItem),
    invitation.spaceKey ? readItem(db, spaceKey(payload.siteId, invitation.spaceKey), SpaceItem) : Promise.resolve(null),
    readItem(db, personKey(payload.siteId, invitation.invitedBy), PersonItem),
  ]);
  const email = renderInvitationEmail({
    siteName: site?.name ?? payload.siteId,
    inviterName: inviter?.displayName ?? invitation.inviterName,
    recipientEmail: invitation.email,
    kind: invitation.kind,
    ...(space ? { spaceName: space.name, spaceKey: space.key } : {}),
    ...(invitation.message ? { message: invitation.message } : {}),
    acceptUrl: `${withoutTrailingSlash(context.publicBaseUrl)}/invitations/${token}`,
    expiresAt: invitation.expiresAt,
  });
  const digest = invitation.tokenDigest ?? '';
  // The tags come back in every SES event about this email: which invitation, and which of its emails.
  const tags = { kind: 'invitation', site: payload.siteId, invitation: payload.invitationId, resend: String(invitation.resends ?? 0) };
  const messageId = await sendOrRelease(
    () => retryTransientWithin(context, () => sendEmail(context.ses, { ...email, to: invitation.email, from: context.senderAddress, tags, configurationSet: context.configurationSet })),
    () => releaseInvitationSend(db, payload.siteId, payload.invitationId, digest),
  );
  await recordAfterSend(() => recordInvitationSent(db, payload.siteId, payload.invitationId, digest, messageId, now().toISOString()), ids);
  log.info('invitation email sent', { ...ids, messageId });
  return { sent: true };
}

/**
 * Retries `send` on EmailTransient with full-jitter backoff while the next wait still ends inside
 * the window; then the last transient error goes to the caller (the lease is given back and the
 * workflow's Retry takes over). SES gave no MessageId for any of these tries, so retrying them is
 * what the workflow's retry would do, only sooner. A rejection is never retried.
 */
async function retryTransientWithin<T>(context: Pick<WorkflowContext, 'sesRetryWindowMs' | 'clock' | 'sleep'>, send: () => Promise<T>): Promise<T> {
  const clock = context.clock ?? (() => new Date());
  const sleep = context.sleep ?? pause;
  const deadline = clock().getTime() + (context.sesRetryWindowMs ?? SES_RETRY_WINDOW_MS);
  for (let round = 1; ; round++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof EmailTransientError)) throw error;
      const wait = SES_RETRY_MIN_WAIT_MS + fullJitterMs(round, SES_RETRY_BACKOFF);
      if (clock().getTime() + wait >= deadline) throw error;
      log.warn('SES send failed for now; retrying within the attempt', { error: error.message, round, waitMs: Math.round(wait) });
      await sleep(wait);
    }
  }
}

/**
 * Sends, giving the lease back only when SES certainly did not take the email (a definite
 * rejection or a transient failure). Any other failure may have happened after SES accepted it,
 * so the lease is kept and a retry cannot send a second copy.
 */
async function sendOrRelease(send: () => Promise<{ messageId: string }>, release: () => Promise<void>): Promise<string> {
  try {
    return (await send()).messageId;
  } catch (error) {
    if (error instanceof EmailTransientError || error instanceof EmailRejectedError) await release();
    throw error;
  }
}

/**
 * The email is out: failing the task now would make the workflow retry (a second email) or
 * expire an invitation that was delivered. A lost sent-mark only costs the lease its early end.
 */
async function recordAfterSend(record: () => Promise<void>, ids: Record<string, string>): Promise<void> {
  try {
    await record();
  } catch (error) {
    log.error('email sent but not recorded', { ...ids, error: (error as Error).name });
  }
}

/** AwaitAcceptance: parks the task token on the invitation, or completes at once if already accepted. */
export async function awaitAcceptance(context: Pick<WorkflowContext, 'db' | 'sfn'>, payload: CallbackTaskPayload): Promise<void> {
  const execution = payload.execution ?? payload.invitationId;
  const ids = { siteId: payload.siteId, invitationId: payload.invitationId, execution };
  const stored = await storeAcceptTaskToken(context.db, payload.siteId, payload.invitationId, payload.taskToken, execution);
  if (stored === 'already-done') await completeTask(context.sfn, payload.taskToken, { acceptedBeforeWait: true }, ids);
  if (stored === 'gone') await failTask(context.sfn, payload.taskToken, REVOKED_ERROR, 'The invitation is no longer pending', ids);
}

/** AwaitSpaceAssignment: parks the task token on the person, or completes at once if a space is set. */
export async function awaitSpaceAssignment(context: Pick<WorkflowContext, 'db' | 'sfn'>, payload: CallbackTaskPayload): Promise<void> {
  const ids = { siteId: payload.siteId, userId: payload.userId };
  const stored = await storeSpaceTaskToken(context.db, payload.siteId, payload.userId, payload.taskToken);
  if (stored === 'already-done') await completeTask(context.sfn, payload.taskToken, { assignedBeforeWait: true }, ids);
  if (stored === 'gone') await failTask(context.sfn, payload.taskToken, REVOKED_ERROR, 'The person is no longer onboarding', ids);
}

/** Activate: the person becomes active, then gets one welcome email naming their space. */
export async function activate(context: Omit<WorkflowContext, 'sfn'>, payload: InvitationTaskPayload): Promise<{ status: string }> {
  const { db } = context;
  const now = new Date();
  const person = await activatePerson(db, payload.siteId, payload.userId, payload.invitationId, now.toISOString());
  if (!person || person.status !== 'active') {
    log.warn('activation skipped', { siteId: payload.siteId, userId: payload.userId, status: person?.status ?? 'missing' });
    return { status: person?.status ?? 'missing' };
  }
  if (!(await claimWelcomeSend(db, payload.siteId, payload.invitationId, now))) return { status: person.status };
  const [site, space] = await Promise.all([
    readItem(db, siteKey(payload.siteId), SiteItem),
    person.spaceKey ? readItem(db, spaceKey(payload.siteId, person.spaceKey), SpaceItem) : Promise.resolve(null),
  ]);
  const email = renderWelcomeEmail({
    siteName: site?.name ?? payload.siteId,
    ...(person.displayName ? { displayName: person.displayName } : {}),
    recipientEmail: person.email,
    kind: person.kind,
    ...(space ? { spaceName: space.name, spaceKey: space.key } : {}),
    // The wiki, at the guest's space when there is one; a site without a wiki address gets no button.
    ...(site?.wikiUrl ? { siteUrl: wikiLinkFor(site.wikiUrl, person.kind === 'guest' ? person.spaceKey : undefined)! } : {}),
  });
  await sendOrRelease(
    () => sendEmail(context.ses, { ...email, to: person.email, from: context.senderAddress, tags: { kind: 'welcome', site: payload.siteId } }),
    () => recordWelcomeSent(db, payload.siteId, payload.invitationId, false, new Date().toISOString()),
  );
  await recordAfterSend(() => recordWelcomeSent(db, payload.siteId, payload.invitationId, true, new Date().toISOString()), {
    siteId: payload.siteId,
    invitationId: payload.invitationId,
  });
  return { status: person.status };
}

/**
 * ExpireInvitation: the invitation timed out (or could not be delivered); the seat is released.
 * Only by the execution that drives it: one a resend replaced times out at the old expiry, and a
 * resend is refused once an invitation has expired, so whatever replaced it was recorded by then.
 */
export async function expireInvitation(context: Pick<WorkflowContext, 'db'>, payload: ExpireTaskPayload): Promise<{ ended: boolean }> {
  const invitation = await requireInvitation(context.db, payload.siteId, payload.invitationId);
  const execution = payload.execution ?? payload.invitationId;
  if (executionStanding(invitation, execution) !== 'current') {
    log.info('invitation not ended: another execution drives it', { siteId: payload.siteId, invitationId: payload.invitationId, execution, reason: payload.reason });
    return { ended: false };
  }
  const ended = await endPendingInvitation(context.db, invitation, 'expired', 'workflow', new Date().toISOString());
  log.info('invitation ended', { siteId: payload.siteId, invitationId: payload.invitationId, reason: payload.reason, ended });
  return { ended };
}
