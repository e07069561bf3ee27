import type { TableUse } from './capabilities';

/** Scheduled jobs (EventBridge Scheduler). Each reads a sparse index, so its cost follows the work due. */
export const JOBS = [
  { name: 'erase-deleted-people', handler: 'job-erase', schedule: 'rate(1 day)', table: 'write', summary: 'Erase personal data after the deletion grace period' },
] as const satisfies readonly { name: string; handler: string; schedule: string; table: Exclude<TableUse, 'none'>; summary: string }[];
