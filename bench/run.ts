import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBundles } from './bundles';
import { benchCost } from './cost';
import { PROJECT_ROOT } from './functions';
import { benchHotPaths } from './hot-paths';
import { benchLoad } from './load';
import { benchReverification } from './reverification';
import { benchScale } from './scale';

/**
 * `npm run bench`: every section, in this order, into one report and `bench/results.json`;
 * `npm run bench -- --only <section>[,<section>]` runs some of them (the bundle table needs no
 * DynamoDB Local, so it is quick to iterate on).
 */
const SECTIONS = {
  bundles: benchBundles,
  'hot-paths': benchHotPaths,
  scale: benchScale,
  reverification: benchReverification,
  cost: benchCost,
  load: benchLoad,
} as const;
type Section = keyof typeof SECTIONS;
const isSection = (value: string): value is Section => Object.hasOwn(SECTIONS, value);

// The functions log every request; a bench run would print nothing else.
process.env.LOG_LEVEL ??= 'silent';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',');
const unknown = only?.filter((name) => !isSection(name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section ${JSON.stringify(unknown.join(','))}; usage: npm run bench [-- --only ${Object.keys(SECTIONS).join(' | ')}]`);
  process.exit(2);
}

const started = performance.now();
const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
for (const [name, run] of Object.entries(SECTIONS) as [Section, () => Promise<unknown>][]) {
  // A section left out by `--only` is `null` in the report, not an empty list.
  if (only && !only.includes(name)) {
    report[name] = null;
    continue;
  }
  const sectionStarted = performance.now();
  report[name] = await run();
  console.log(`(${name}: ${((performance.now() - sectionStarted) / 1000).toFixed(0)} s)`);
}
report.seconds = Math.round((performance.now() - started) / 1000);
await writeFile(join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nResults written to bench/results.json (${String(report.seconds)} s in all)`);
