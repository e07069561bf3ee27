import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from './functions';
import { isSection, OWN_PROCESS, SECTIONS, type Section } from './sections';

/**
 * `npm run bench`: every section, in this order, into one report and `bench/results.json`;
 * `npm run bench -- --only <section>[,<section>]` runs some of them (the bundle table needs no
 * DynamoDB Local, so it is quick to iterate on).
 */

// The functions log every request; a bench run would print nothing else.
process.env.LOG_LEVEL ??= 'silent';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',');
const unknown = only?.filter((name) => !isSection(name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section ${JSON.stringify(unknown.join(','))}; usage: npm run bench [-- --only ${Object.keys(SECTIONS).join(' | ')}]`);
  process.exit(2);
}

async function inOwnProcess(name: Section): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'guestpass-bench-'));
  const resultFile = join(dir, 'result.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'section.ts'), name, resultFile], { stdio: 'inherit', cwd: PROJECT_ROOT });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`bench section ${name} failed (exit ${code})`);
    return JSON.parse(await readFile(resultFile, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
for (const name of Object.keys(SECTIONS) as Section[]) {
  // A section left out by `--only` is `null` in the report, not an empty list.
  if (only && !only.includes(name)) {
    report[name] = null;
    continue;
  }
  const sectionStarted = performance.now();
  report[name] = OWN_PROCESS.has(name) ? await inOwnProcess(name) : await SECTIONS[name]();
  console.log(`(${name}: ${((performance.now() - sectionStarted) / 1000).toFixed(0)} s)`);
}
report.seconds = Math.round((performance.now() - started) / 1000);
await writeFile(join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nResults written to bench/results.json (${String(report.seconds)} s in all)`);
