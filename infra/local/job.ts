import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { JOBS } from '../../shared/jobs';
import { LOCAL_STATE_DIR, PROJECT_ROOT } from './paths';

/**
 * `npm run job -- <name>`: runs a scheduled job once against the running local stack, as
 * EventBridge Scheduler would (the stack itself also runs each job on a timer).
 */
const { positionals } = parseArgs({ allowPositionals: true });
const job = JOBS.find((entry) => entry.name === positionals[0]);
if (!job) {
  console.error(`usage: npm run job -- <${JOBS.map((entry) => entry.name).join(' | ')}>`);
  process.exit(2);
}
const localFile = join(LOCAL_STATE_DIR, 'local.json');
if (!existsSync(localFile)) {
  console.error('The local stack is not running: start it with `npm start` first.');
  process.exit(1);
}
const local = JSON.parse(readFileSync(localFile, 'utf8')) as { functionEnvironment?: Record<string, string> };
if (!local.functionEnvironment) {
  console.error('The local stack was started by an older version: restart it with `npm start`.');
  process.exit(1);
}
// The stack's own variables: the job reaches the same table, mail stand-in and links as the stack's timer.
Object.assign(process.env, local.functionEnvironment);
const module = (await import(pathToFileURL(join(PROJECT_ROOT, 'functions', job.handler, 'handler.ts')).href)) as { handler: () => Promise<unknown> };
console.log(JSON.stringify(await module.handler()));
