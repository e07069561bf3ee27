import { directoryFromEnvironment } from '../../shared/directory/directory';
import { eraseDueTombstones } from '../../shared/directory/people/erasure';
import { log, withTaskLogging } from '../../shared/log';

const db = directoryFromEnvironment();

/** Daily (EventBridge Scheduler): erases the personal data of people deleted more than the grace period ago. */
export const handler = withTaskLogging('job-erase', async (): Promise<{ erased: number }> => {
  const erased = await eraseDueTombstones(db, new Date());
  log.info('erasure job finished', { erased });
  return { erased };
});
