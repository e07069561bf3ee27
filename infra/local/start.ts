import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JavaMissingError, startDynamoDbLocal, startSesLocal, type RunningDynamo, type RunningSes } from './services';
import { LOCAL_STATE_DIR } from './paths';
import { startLocalStack, type LocalStack } from './stack';
import { seedDemoSite } from './seed';
import { JOBS } from '../../shared/jobs';
import { buildConsole } from '../../console/build';
import { randomBytes } from 'node:crypto';

/**
 * `npm start`: the whole system on this machine — DynamoDB Local, the SES stand-in, the local
 * Step Functions endpoint running the synthesized workflow, and the local API gateway — with a
 * seeded demo site. Ctrl-C stops everything it started.
 */
const { values } = parseArgs({
  options: { persist: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } },
});

const TABLE_NAME = 'guestpass-directory';
const DAY_MS = 86_400_000;
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const stateDir = LOCAL_STATE_DIR;
const localFile = join(stateDir, 'local.json');
mkdirSync(stateDir, { recursive: true });

const running: { dynamo?: RunningDynamo; ses?: RunningSes; stack?: LocalStack } = {};
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await running.stack?.close().catch(() => undefined);
    await running.ses?.stop().catch(() => undefined);
    await running.dynamo?.stop().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** The console's one local password, kept beside the signing key so it survives restarts. */
function consolePassword(): string {
  const file = join(stateDir, 'console-password');
  if (!existsSync(file)) writeFileSync(file, randomBytes(12).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

try {
  const consoleDir = await buildConsole(join(stateDir, 'console'));
  running.dynamo = await startDynamoDbLocal({
    port: port('GUESTPASS_DYNAMODB_PORT', 8000),
    persistDir: values.persist ? join(stateDir, 'dynamodb') : undefined,
  });
  running.ses = await startSesLocal({ port: port('GUESTPASS_SES_PORT', 8005) });
  running.stack = await startLocalStack({
    dynamoEndpoint: running.dynamo.endpoint,
    sesEndpoint: running.ses.endpoint,
    tableName: TABLE_NAME,
    keyFile: join(stateDir, 'signing-key.json'),
    twoStepKeyFile: join(stateDir, 'two-step-key'),
    gatewayPort: port('GUESTPASS_API_PORT', 3000),
    consoleDir,
    consolePassword: consolePassword(),
    sfnPort: port('GUESTPASS_SFN_PORT', 8083),
    ...(process.env.INVITE_EXPIRY_SECONDS ? { inviteExpirySeconds: Number(process.env.INVITE_EXPIRY_SECONDS) } : {}),
    ...(values.quiet ? {} : { log: (line: string) => console.log(`  ${line}`) }),
  });
  const { signer, apiUrl, sfnUrl } = running.stack;
  const operatorToken = await signer.sign({ sub: 'operator', scope: 'sites:manage' });
  const previous = values.persist && existsSync(localFile) ? (JSON.parse(readFileSync(localFile, 'utf8')) as { adminUserId?: string }) : {};
  const seeded = await seedDemoSite(apiUrl, { operator: operatorToken, adminFor: (sub) => signer.sign({ sub }) }, previous.adminUserId);
  const local = {
    apiUrl,
    consoleUrl: running.stack.consoleUrl,
    issuer: running.stack.issuer,
    consoleAdminEmail: seeded.adminEmail,
    consolePassword: consolePassword(),
    mailUrl: running.ses.endpoint,
    sfnUrl,
    dynamodbUrl: running.dynamo.endpoint,
    tableName: TABLE_NAME,
    siteId: seeded.siteId,
    adminUserId: seeded.adminUserId,
    adminToken: await signer.sign({ sub: seeded.adminUserId }),
    serviceToken: await signer.sign({ sub: 'wiki-service', scope: 'access:decide' }),
    operatorToken,
    /** What `npm run job` runs a job with, so it behaves as the stack's own timer does. */
    functionEnvironment: running.stack.environment,
  };
  writeFileSync(localFile, JSON.stringify(local, null, 2));
  // The Scheduler's stand-in: each job once a day while the stack runs (`npm run job -- <name>` runs one now).
  for (const job of JOBS) {
    setInterval(() => {
      void running.stack?.runJob(job.handler).catch((error: unknown) => console.error(`job ${job.name} failed: ${(error as Error).message}`));
    }, DAY_MS).unref();
  }
  console.log(`
guestpass is running locally${values.persist ? ' (data kept in .guestpass/dynamodb)' : ''}.

  API           ${local.apiUrl}
  Admin console ${local.consoleUrl}?site=${local.siteId}   (sign in as ${local.consoleAdminEmail}, password ${local.consolePassword})
  Mail viewer   ${local.mailUrl}
  Step Functions ${local.sfnUrl}   (aws --endpoint-url ${local.sfnUrl} stepfunctions …)
  DynamoDB      ${local.dynamodbUrl}
  Demo site     ${local.siteId} ${seeded.created ? '(seeded)' : '(kept from the last run)'}

  Admin token (sub ${local.adminUserId}):
    ${local.adminToken}

  Try:  curl -s -H "Authorization: Bearer $(node -p "require('./.guestpass/local.json').adminToken")" ${local.apiUrl}/sites/${local.siteId}/seats

  Everything above is also in .guestpass/local.json. Ctrl-C stops it all.
`);
} catch (error) {
  // A missing prerequisite is the whole story: its message says what to install, nothing to add.
  console.error(error instanceof JavaMissingError ? error.message : `guestpass could not start: ${(error as Error).message}`);
  await stop(1);
}
