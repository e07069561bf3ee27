import type { SESClient } from '@aws-sdk/client-ses';
import { isExternal, policyFor, VERIFY_LINK_DAYS } from '../domain/external';
import { reverificationStep } from '../domain/reverification';
import { hashToken, newLinkToken } from '../domain/tokens';
import type { Directory } from '../directory/directory';
import {
  allSiteItems,
  claimVerificationLink,
  clearInternalMark,
  dueStages,
  duePages,
  markCheckedInternal,
  recordVerificationSent,
  releaseVerificationLink,
  suspendUnverified,
  trialPeople,
  withdrawVerificationRequest,
  type IndexedPerson,
} from '../directory/reverification';
import type { SiteItem } from '../directory/entities/site';
import { EmailRejectedError, EmailTransientError, renderReverificationEmail, sendEmail } from '../email';
import { log } from '../log';

export interface ReverificationDeps {
  readonly db: Directory;
  readonly ses: SESClient;
  readonly senderAddress: string;
  readonly publicBaseUrl: string;
}

export interface ReverificationOptions {
  /** People handled per batch (one index page), in parallel up to `concurrency`. */
  readonly batchSize?: number;
  readonly concurrency?: number;
  /** Asked between batches: true stops the run (the rest stays due and the next run continues). */
  readonly shouldStop?: () => boolean;
}

export interface ReverificationRun {
  sites: number;
  sent: number;
  suspended: number;
  withdrawn: number;
  checked: number;
  /** Emails SES could not take just now (throttling, outage); those people stay due and a retry sends them. */
  failed: number;
  /** Addresses SES refused outright; they stay due, and the refusal is logged for the operator. */
  undeliverable: number;
  finished: boolean;
}

const ACTOR = 'reverification-job';
const DAY_MS = 86_400_000;

/**
 * The daily re-verification job (rule 13): for every site, reads only the people who owe something
 * (the sparse index up to each stage's cut-off, plus a trial's few people) and in bounded batches
 * mails each one a re-verification link, suspends those still unverified after the grace, and
 * withdraws requests a relaxed policy no longer makes. Idempotent: every write is guarded on the
 * index position it was read at, and a handled person leaves the range read, so a second run on the
 * same day sends nothing and suspends nobody twice; a stopped run leaves the rest due for the next.
 */
export async function runReverification(deps: ReverificationDeps, now: Date, options: ReverificationOptions = {}): Promise<ReverificationRun> {
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 8;
  const run: ReverificationRun = { sites: 0, sent: 0, suspended: 0, withdrawn: 0, checked: 0, failed: 0, undeliverable: 0, finished: false };
  const stop = () => options.shouldStop?.() ?? false;

  for await (const site of allSiteItems(deps.db)) {
    run.sites += 1;
    const handled = new Set<string>();
    const batches = async function* (): AsyncGenerator<IndexedPerson[]> {
      for (const stage of dueStages(site, now)) yield* duePages(deps.db, site.siteId, stage, batchSize);
      const trial = (await trialPeople(deps.db, site)).filter((entry) => !handled.has(entry.person.userId));
      if (trial.length > 0) yield trial;
    };
    for await (const batch of batches()) {
      if (stop()) return run;
      await inParallel(batch, concurrency, async (entry) => {
        handled.add(entry.person.userId);
        await handle(deps, site, entry, now, run);
      });
    }
  }
  run.finished = true;
  return run;
}

async function handle(deps: ReverificationDeps, site: SiteItem, entry: IndexedPerson, now: Date, run: ReverificationRun): Promise<void> {
  const { person } = entry;
  const step = reverificationStep(person, policyFor(site, person.userId), isExternal(person, site.verifiedDomains), now);
  switch (step) {
    case 'send': {
      const outcome = await sendLink(deps, site, entry, now);
      if (outcome === 'sent') run.sent += 1;
      if (outcome === 'failed') run.failed += 1;
      if (outcome === 'undeliverable') run.undeliverable += 1;
      return;
    }
    case 'suspend':
      if (await suspendUnverified(deps.db, entry, now, ACTOR)) run.suspended += 1;
      return;
    case 'release':
      if (await withdrawVerificationRequest(deps.db, entry, now, ACTOR)) run.withdrawn += 1;
      return;
    case 'checked':
      if (await markCheckedInternal(deps.db, entry, now)) run.checked += 1;
      return;
    case 'unmark':
      await clearInternalMark(deps.db, entry);
      return;
    case 'wait':
      return;
  }
}

/**
 * Claim, send, record — in that order, so a failure can only ever cost a second email, never a
 * denial without one: the person is marked as asked (and may be denied) only once SES took it.
 */
async function sendLink(deps: ReverificationDeps, site: SiteItem, entry: IndexedPerson, now: Date): Promise<'sent' | 'skipped' | 'failed' | 'undeliverable'> {
  const { person } = entry;
  const token = newLinkToken();
  const digest = hashToken(token);
  const expiresAt = new Date(now.getTime() + VERIFY_LINK_DAYS * DAY_MS).toISOString();
  if (!(await claimVerificationLink(deps.db, entry, digest, expiresAt, now))) return 'skipped';
  const email = renderReverificationEmail({
    siteName: site.name,
    ...(person.displayName ? { displayName: person.displayName } : {}),
    recipientEmail: person.email,
    verifyUrl: `${deps.publicBaseUrl.replace(/\/+$/, '')}/verify/${token}`,
    expiresAt,
  });
  const ids = { siteId: site.siteId, userId: person.userId };
  let messageId: string;
  try {
    ({ messageId } = await sendEmail(deps.ses, { ...email, to: person.email, from: deps.senderAddress, tags: { kind: 'reverification', site: site.siteId } }));
  } catch (error) {
    // Only a definite "not taken" gives the claim back; anything else may have been sent.
    if (error instanceof EmailTransientError || error instanceof EmailRejectedError) {
      await releaseVerificationLink(deps.db, person, digest);
      log.warn('re-verification email not sent', { ...ids, error: error.name });
      return error instanceof EmailTransientError ? 'failed' : 'undeliverable';
    }
    throw error;
  }
  if (!(await recordVerificationSent(deps.db, person, digest, now, ACTOR))) {
    log.warn('re-verification sent but the person changed meanwhile', { ...ids, messageId });
  }
  return 'sent';
}

/** Runs `work` over `items` with at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
