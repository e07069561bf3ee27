import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceUse, TableUse } from '../shared/capabilities';
import { ROUTES } from '../shared/http/routes';
import { EVENT_FUNCTIONS } from '../shared/events';
import { JOBS } from '../shared/jobs';
import { WORKFLOW_TASKS } from '../shared/workflow/functions';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export type BenchFunctionKind = 'api' | 'workflow' | 'job' | 'event';

/** One deployed Lambda function, with what it talks to: enough to build its bundle and its floor. */
export interface BenchFunction {
  /** Folder under `functions/`; unique per function. */
  readonly handler: string;
  readonly kind: BenchFunctionKind;
  readonly entry: string;
  readonly table: TableUse;
  readonly uses: readonly ServiceUse[];
}

const entryOf = (handler: string) => join(PROJECT_ROOT, 'functions', handler, 'handler.ts');

/**
 * Every function the stack deploys. The only place in `bench/` that knows the shape of the route
 * table, so a change to that table changes this function and nothing else.
 */
export function benchFunctions(): BenchFunction[] {
  const routes = ROUTES.map((route): BenchFunction => ({
    handler: route.name,
    kind: 'api',
    entry: entryOf(route.name),
    table: route.table,
    uses: route.uses ?? [],
  }));
  // Workflow tasks declare no table access: the onboarding workflow construct binds every one of
  // them to the directory table with write access.
  const tasks = Object.values(WORKFLOW_TASKS).map((task): BenchFunction => ({
    handler: task.handler,
    kind: 'workflow',
    entry: entryOf(task.handler),
    table: 'write',
    uses: task.uses,
  }));
  const jobs = JOBS.map((job): BenchFunction => ({
    handler: job.handler,
    kind: 'job',
    entry: entryOf(job.handler),
    table: job.table,
    uses: job.uses,
  }));
  const events = EVENT_FUNCTIONS.map((fn): BenchFunction => ({
    handler: fn.handler,
    kind: 'event',
    entry: entryOf(fn.handler),
    table: fn.table,
    uses: fn.uses,
  }));
  return [...routes, ...tasks, ...jobs, ...events];
}
