import { ses } from '../../shared/clients/ses';
import { required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { log, withTaskLogging } from '../../shared/log';
import { runReverification, type ReverificationRun } from '../../shared/usecases/reverification';

const deps = { db: directoryFromEnvironment(), ses, senderAddress: required('SENDER_ADDRESS'), publicBaseUrl: required('PUBLIC_BASE_URL') };

/** Leaves this much of the invocation for the batch in flight; the next run continues after it. */
const STOP_MARGIN_MS = 60_000;

/**
 * Daily (EventBridge Scheduler): mails re-verification links to external users who are due,
 * suspends those still unverified after the grace. Emails SES could not take fail the run, so
 * Lambda's retries (then the dead-letter queue) see it; the retry sends only what is still due.
 */
export const handler = withTaskLogging('job-reverify', async (_event: unknown, context): Promise<ReverificationRun> => {
  const run = await runReverification(deps, new Date(), {
    shouldStop: () => context !== undefined && context.getRemainingTimeInMillis() < STOP_MARGIN_MS,
  });
  log.info('re-verification job finished', { ...run });
  if (run.failed > 0) throw new Error(`${run.failed} re-verification emails could not be sent; they stay due`);
  return run;
});
