import type { ServiceUse, TableUse } from './capabilities';

/** Scheduled jobs (EventBridge Scheduler). Each reads a sparse index, so its cost follows the work due. */
export const JOBS = [
  { name: 'erase-deleted-people', handler: 'job-erase', schedule: 'rate(1 day)', table: 'write', uses: [], summary: 'Erase personal data after the deletion grace period' },
  {
    name: 'reverify-external-users',
    handler: 'job-reverify',
    schedule: 'rate(1 day)',
    table: 'write',
    uses: ['ses'],
    summary: 'Mail re-verification links to external users who are due; suspend those unverified after the grace',
  },
] as const satisfies readonly { name: string; handler: string; schedule: string; table: Exclude<TableUse, 'none'>; uses: readonly ServiceUse[]; summary: string }[];
