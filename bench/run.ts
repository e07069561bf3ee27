import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchBundles, type BundleResult } from './bundles';
import { PROJECT_ROOT } from './functions';
import { benchHotPaths, type HotPathResult } from './hot-paths';

/**
 * `npm run bench`: every section, in this order, into one report; `npm run bench -- --only <section>`
 * runs one of them (the bundle table needs no DynamoDB Local, so it is quick to iterate on).
 */
const SECTIONS = ['bundles', 'hot-paths'] as const;
type Section = (typeof SECTIONS)[number];

const isSection = (value: string): value is Section => (SECTIONS as readonly string[]).includes(value);

/** What `bench/results.json` holds; a section left out by `--only` is `null`, not an empty list. */
interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly bundles: BundleResult[] | null;
  readonly hotPaths: HotPathResult[] | null;
}

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only;
if (only !== undefined && !isSection(only)) {
  console.error(`unknown section ${JSON.stringify(only)}; usage: npm run bench [-- --only ${SECTIONS.join(' | ')}]`);
  process.exit(2);
}
const selected = (section: Section) => only === undefined || only === section;

const date = new Date().toISOString();
const bundles = selected('bundles') ? await benchBundles() : null;
const hotPaths = selected('hot-paths') ? await benchHotPaths() : null;
const report: BenchReport = { date, node: process.version, bundles, hotPaths };
await writeFile(join(PROJECT_ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log('\nResults written to bench/results.json');
