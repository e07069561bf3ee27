import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { benchFunctions, PROJECT_ROOT, type BenchFunction, type BenchFunctionKind } from './functions';

/**
 * Per function: the deployed bundle next to its floor, the smallest bundle that creates the same
 * AWS SDK clients. The SDK is bundled (not taken from the runtime), so the floor is what any
 * function with those clients pays; what a bundle carries above it is our code and our other
 * dependencies, and that is the part the targets bound.
 */
const KB = 1024;
const SIZE_ALLOWANCE_BYTES = 60 * KB;
const COLD_RATIO_LIMIT = 1.25;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);

/**
 * Must stay equal to the banner of `GuestpassFunction` (infra/constructs/guestpass-function.ts),
 * which does not export it; importing that module would load aws-cdk-lib into the bench.
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __guestpassCreateRequire } from 'node:module'; const require = __guestpassCreateRequire(import.meta.url);";

/**
 * The esbuild options CDK uses for our functions: the `bundling` props of `GuestpassFunction`
 * (infra/constructs/guestpass-function.ts) as aws-cdk-lib's `NodejsFunction` turns them into
 * arguments for local esbuild (`--bundle --platform=node`, run from the project root). Replicated
 * rather than imported for the reason above; keep the two in step.
 */
function cdkBuildOptions(outfile: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: CREATE_REQUIRE_BANNER },
    minify: true,
    // `sourceMap: true` in CDK is esbuild's linked map: a separate .map file, which we don't count.
    sourcemap: true,
    sourcesContent: false,
    // `bundleAwsSDK: true` leaves CDK's external list empty: the SDK is inside every bundle.
    external: [],
    absWorkingDir: PROJECT_ROOT,
    outfile,
    logLevel: 'warning',
  };
}

interface FloorClients {
  readonly dynamodb: boolean;
  readonly ses: boolean;
  readonly sfn: boolean;
  readonly kms: boolean;
}

function floorClients(fn: BenchFunction): FloorClients {
  return {
    dynamodb: fn.table !== 'none',
    ses: fn.uses.includes('ses'),
    sfn: fn.uses.some((use) => use === 'sfn-start' || use === 'sfn-callback'),
    kms: fn.uses.includes('two-step-secrets'),
  };
}

const floorName = (clients: FloorClients) =>
  [clients.dynamodb && 'dynamodb', clients.ses && 'ses', clients.sfn && 'sfn', clients.kms && 'kms'].filter((part) => part !== false).join('+') || 'none';

/** Clients are exported so esbuild cannot drop them, as the handlers' module-scope clients are kept. */
function floorSource(clients: FloorClients): string {
  const lines: string[] = [];
  if (clients.dynamodb) {
    lines.push(
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      'export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });',
    );
  }
  if (clients.ses) lines.push("import { SESClient } from '@aws-sdk/client-ses';", 'export const ses = new SESClient({});');
  if (clients.sfn) lines.push("import { SFNClient } from '@aws-sdk/client-sfn';", 'export const sfn = new SFNClient({});');
  // The sealer creates its KMS client on first use rather than at load; the floor still pays for the module.
  if (clients.kms) lines.push("import { KMSClient } from '@aws-sdk/client-kms';", 'export const kms = new KMSClient({});');
  lines.push('export const handler = async () => null;');
  return lines.join('\n');
}

interface Built {
  readonly file: string;
  readonly bytes: number;
}

async function buildFunction(fn: BenchFunction, dir: string): Promise<Built> {
  const file = join(dir, 'functions', fn.handler, 'index.mjs');
  await build({ ...cdkBuildOptions(file), entryPoints: [fn.entry] });
  return { file, bytes: (await stat(file)).size };
}

async function buildFloor(clients: FloorClients, dir: string): Promise<Built> {
  const name = floorName(clients);
  const file = join(dir, 'floors', name, 'index.mjs');
  // stdin with the project root as resolveDir: the entry lives in no folder, the SDK resolves from ours.
  await build({
    ...cdkBuildOptions(file),
    stdin: { contents: floorSource(clients), resolveDir: PROJECT_ROOT, sourcefile: `floor-${name}.mjs`, loader: 'js' },
  });
  return { file, bytes: (await stat(file)).size };
}

/**
 * What the handlers read at module load (`required(…)` in shared/config.ts and the handlers), and
 * what Lambda sets; nothing inherited, so the bench's own loader and settings stay out of the child.
 */
const CHILD_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  TABLE_NAME: 'bench-directory',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:bench',
  SENDER_ADDRESS: 'noreply@bench.example',
  PUBLIC_BASE_URL: 'https://guestpass.bench.example',
  LOG_LEVEL: 'silent',
  // The construct sets this on every function, and Node then reads the map when the bundle loads.
  NODE_OPTIONS: '--enable-source-maps',
};

/** Timed inside the child, so process start-up (the same for every bundle) is left out. */
const IMPORT_SCRIPT = `
const started = performance.now();
const loaded = await import(process.env.BENCH_IMPORT_URL);
const millis = performance.now() - started;
if (typeof loaded.handler !== 'function') throw new Error('the bundle exports no handler function');
process.stdout.write(String(millis));
`;

const run = promisify(execFile);

/** The same Node that runs the bench: npm scripts put the project's pinned Node first on PATH. */
async function coldImportMillis(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
    env: { ...CHILD_ENV, BENCH_IMPORT_URL: pathToFileURL(file).href },
  });
  const millis = Number(stdout);
  if (!Number.isFinite(millis)) throw new Error(`cold import of ${file} printed ${JSON.stringify(stdout)}`);
  return millis;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Bundle and floor alternate, and which goes first swaps every run, so drift in the machine's load
 * (other work on the same cores) falls on both alike. One discarded import of each first reads
 * the files into the page cache, which a Lambda container's first import also finds warm.
 */
async function coldImports(bundle: string, floor: string): Promise<{ bundle: number[]; floor: number[] }> {
  await coldImportMillis(bundle);
  await coldImportMillis(floor);
  const samples = { bundle: [] as number[], floor: [] as number[] };
  for (let round = 0; round < COLD_RUNS; round++) {
    if (round % 2 === 0) {
      samples.bundle.push(await coldImportMillis(bundle));
      samples.floor.push(await coldImportMillis(floor));
    } else {
      samples.floor.push(await coldImportMillis(floor));
      samples.bundle.push(await coldImportMillis(bundle));
    }
  }
  return samples;
}

/** One row of the bundle table, as written to `bench/results.json`. */
export interface BundleResult {
  readonly handler: string;
  readonly kind: BenchFunctionKind;
  /** The SDK clients of the floor, e.g. `dynamodb+sfn`. */
  readonly floor: string;
  readonly bundleBytes: number;
  readonly floorBytes: number;
  readonly sizeRatio: number;
  readonly sizePass: boolean;
  readonly coldRuns: number;
  readonly coldMedianMs: number;
  readonly floorColdMedianMs: number;
  readonly coldRatio: number;
  readonly coldPass: boolean;
}

const kb = (bytes: number) => (bytes / KB).toFixed(1);
const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

function printTable(rows: readonly BundleResult[]): void {
  console.log(`\nBundles: each function next to its floor (the same SDK clients alone; ${COLD_RUNS} cold imports each, medians)`);
  console.log('| function | kind | floor | bundle KB | floor KB | size × floor | over floor KB | size | cold ms | floor cold ms | cold × floor | cold |');
  console.log('|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|');
  for (const row of rows) {
    console.log(
      `| ${row.handler} | ${row.kind} | ${row.floor} | ${kb(row.bundleBytes)} | ${kb(row.floorBytes)} | ${row.sizeRatio.toFixed(1)} | ${kb(row.bundleBytes - row.floorBytes)} | ${verdict(row.sizePass)} | ` +
        `${row.coldMedianMs.toFixed(1)} | ${row.floorColdMedianMs.toFixed(1)} | ${row.coldRatio.toFixed(2)} | ${verdict(row.coldPass)} |`,
    );
  }
  const sizePasses = rows.filter((row) => row.sizePass).length;
  const coldPasses = rows.filter((row) => row.coldPass).length;
  console.log(
    `\nsize ≤ floor + ${SIZE_ALLOWANCE_BYTES / KB} KB: ${sizePasses}/${rows.length} PASS · ` +
      `cold import ≤ ${COLD_RATIO_LIMIT} × floor: ${coldPasses}/${rows.length} PASS · ` +
      `both: ${rows.filter((row) => row.sizePass && row.coldPass).length}/${rows.length}`,
  );
}

export async function benchBundles(): Promise<BundleResult[]> {
  if (!Number.isInteger(COLD_RUNS) || COLD_RUNS < 1) throw new Error(`BENCH_COLD_RUNS must be a positive integer, not ${process.env.BENCH_COLD_RUNS}`);
  const dir = await mkdtemp(join(tmpdir(), 'guestpass-bundles-'));
  try {
    const functions = benchFunctions();
    // Functions with the same clients share one floor build.
    const floors = new Map<string, Promise<Built>>();
    const floorOf = (fn: BenchFunction) => {
      const clients = floorClients(fn);
      const name = floorName(clients);
      let floor = floors.get(name);
      if (!floor) {
        floor = buildFloor(clients, dir);
        floors.set(name, floor);
      }
      return { name, built: floor };
    };
    const built = await Promise.all(
      functions.map(async (fn) => {
        const floor = floorOf(fn);
        const [bundle, floorBuilt] = await Promise.all([buildFunction(fn, dir), floor.built]);
        return { fn, bundle, floor: { name: floor.name, ...floorBuilt } };
      }),
    );

    const rows: BundleResult[] = [];
    // One process at a time: parallel imports would time each other's contention.
    for (const [index, { fn, bundle, floor }] of built.entries()) {
      if (process.stderr.isTTY) process.stderr.write(`\rcold imports ${index + 1}/${built.length} ${fn.handler}\x1b[K`);
      const samples = await coldImports(bundle.file, floor.file);
      const coldMedianMs = median(samples.bundle);
      const floorColdMedianMs = median(samples.floor);
      rows.push({
        handler: fn.handler,
        kind: fn.kind,
        floor: floor.name,
        bundleBytes: bundle.bytes,
        floorBytes: floor.bytes,
        sizeRatio: bundle.bytes / floor.bytes,
        sizePass: bundle.bytes <= floor.bytes + SIZE_ALLOWANCE_BYTES,
        coldRuns: COLD_RUNS,
        coldMedianMs,
        floorColdMedianMs,
        coldRatio: coldMedianMs / floorColdMedianMs,
        coldPass: coldMedianMs <= COLD_RATIO_LIMIT * floorColdMedianMs,
      });
    }
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    printTable(rows);
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
