import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { EVENT_FUNCTIONS } from '../../shared/events';
import { WORKFLOW_TASKS } from '../../shared/workflow/functions';
import { startLocalGateway, type LocalGateway, type LocalHandler } from './gateway';
import { localIssuer, localSigner, type LocalSigner } from './jwt';
import { CONSOLE_CLIENT_ID, startLocalIdentity } from './oidc';
import { freePort } from './services';
import type { ConsoleConfig } from './console-site';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from './services';
import { matchesPattern, startSesEventPublisher, type SesEventPublisher } from './ses-events';
import { startLocalStepFunctions, type LocalStepFunctions } from './sfn-endpoint';
import { onboardingDefinitionForLocal } from './definition';
import { PROJECT_ROOT } from './paths';
import { localTwoStepKey } from './two-step-key';
import { startTtlSweeper } from './ttl-sweeper';

export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding';
/** The configuration set local sends go through; the SES pass-through publishes its events. */
export const LOCAL_CONFIGURATION_SET = 'guestpass-local';

export interface LocalStackOptions {
  readonly dynamoEndpoint: string;
  readonly sesEndpoint: string;
  readonly tableName: string;
  readonly keyFile: string;
  /** Where the key that seals two-step secrets is kept; default: `two-step-key` beside `keyFile`. */
  readonly twoStepKeyFile?: string;
  readonly gatewayPort?: number;
  readonly sfnPort?: number;
  readonly senderAddress?: string;
  /** Shortens every invitation's lifetime (tests of the expiry path). */
  readonly inviteExpirySeconds?: number;
  /** Scales the workflow's retry waits (tests retry in milliseconds). */
  readonly retryIntervalScale?: number;
  /** Seconds between the TTL sweeps that delete expired items, as DynamoDB does (at most 60; default 30). */
  readonly ttlSweepSeconds?: number;
  readonly log?: (line: string) => void;
  /** A built admin console to serve under `/console/` (`buildConsole()`); no console without it. */
  readonly consoleDir?: string;
  /** The password every admin signs in to the console with (the local identity provider's only one). */
  readonly consolePassword?: string;
  /** Lifetime of the console's access tokens (tests shorten it to watch a session end). */
  readonly consoleTokenSeconds?: number;
  /** Told of every function invocation as it ends (the cost bench counts invocations and billed time). */
  readonly onInvocation?: (invocation: { readonly functionName: string; readonly millis: number }) => void;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** The issuer of every token the gateway accepts: the local identity provider. */
  readonly issuer: string;
  /** Where the console is, when one is served. */
  readonly consoleUrl?: string;
  readonly sfnUrl: string;
  readonly signer: LocalSigner;
  readonly stepFunctions: LocalStepFunctions;
  readonly gateway: LocalGateway;
  /** The handlers' SES endpoint: passes through to the stand-in and publishes mailbox-simulator events. */
  readonly sesEvents: SesEventPublisher;
  /** The variables every local function runs with (what CDK sets in AWS, plus the local endpoints). */
  readonly environment: Readonly<Record<string, string>>;
  /** Runs a scheduled job's handler once, as EventBridge Scheduler would. */
  runJob(handler: string): Promise<unknown>;
  close(): Promise<void>;
}

async function importHandler(name: string): Promise<LocalHandler> {
  const module = (await import(pathToFileURL(join(PROJECT_ROOT, 'functions', name, 'handler.ts')).href)) as { handler: LocalHandler };
  return module.handler;
}

const workflowContext = (name: string): Context => ({ functionName: name, awsRequestId: name } as Context);

/**
 * The API Gateway, Step Functions and Lambda parts of the system in this process, wired to
 * DynamoDB Local and the SES stand-in. Handlers are the same modules that are bundled for Lambda,
 * configured through the same variables (the AWS_ENDPOINT_URL_* ones are the only difference).
 * Handlers read their configuration once, so one process runs one local stack.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  await ensureTable(options.dynamoEndpoint, options.tableName);
  const observe = options.onInvocation;
  // Every path to a handler (gateway, workflow task, event, job) loads it through here.
  const loadHandler = async (name: string): Promise<LocalHandler> => {
    const handler = await importHandler(name);
    if (!observe) return handler;
    return async (event, context) => {
      const started = performance.now();
      try {
        return await handler(event, context);
      } finally {
        observe({ functionName: name, millis: performance.now() - started });
      }
    };
  };
  // The issuer is a URL of the gateway, so its port is chosen before anything that signs.
  const gatewayPort = options.gatewayPort ?? (await freePort());
  const apiUrl = `http://127.0.0.1:${gatewayPort}`;
  const signer = await localSigner(options.keyFile, localIssuer(apiUrl));
  const identity = await startLocalIdentity({
    apiUrl,
    privateJwk: signer.privateJwk,
    password: options.consolePassword ?? randomBytes(18).toString('base64url'),
    dynamoEndpoint: options.dynamoEndpoint,
    tableName: options.tableName,
    ...(options.consoleTokenSeconds !== undefined ? { accessTokenSeconds: options.consoleTokenSeconds } : {}),
  });
  const consoleConfig: ConsoleConfig = { apiUrl: '', authority: identity.issuer, clientId: CONSOLE_CLIENT_ID, scope: 'openid email profile' };
  const stepFunctions = await startLocalStepFunctions({
    ...(options.sfnPort !== undefined ? { port: options.sfnPort } : {}),
    ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
    ...(options.log ? { log: options.log } : {}),
    stateMachines: [
      {
        arn: LOCAL_STATE_MACHINE_ARN,
        definition: await onboardingDefinitionForLocal(),
        taskHandlers: Object.fromEntries(
          Object.entries(WORKFLOW_TASKS).map(([state, task]) => [
            state,
            async (payload: unknown) => {
              const handler = (await loadHandler(task.handler)) as unknown as (event: unknown, context: Context) => Promise<unknown>;
              return (await handler(payload, workflowContext(task.handler))) ?? null;
            },
          ]),
        ),
      },
    ],
  });
  const gateway = await startLocalGateway({
    port: gatewayPort,
    signer,
    identity,
    ...(options.consoleDir ? { console: { dir: options.consoleDir, config: consoleConfig } } : {}),
    loadHandler,
    ...(options.log ? { log: options.log } : {}),
  });
  // SES events, as the EventBridge rules of EVENT_FUNCTIONS would deliver them, to the same handler modules.
  const sesEvents = await startSesEventPublisher({
    upstream: options.sesEndpoint,
    region: LOCAL_REGION,
    ...(options.log ? { log: options.log } : {}),
    publish: async (event) => {
      for (const fn of EVENT_FUNCTIONS) {
        if (!matchesPattern({ source: [fn.source], 'detail-type': [...fn.detailTypes], ...(fn.detail ? { detail: fn.detail } : {}) }, event)) continue;
        const handler = (await loadHandler(fn.handler)) as unknown as (event: unknown, context: Context) => Promise<unknown>;
        await handler(event, workflowContext(fn.handler));
      }
    },
  });
  // No KMS here: secrets are sealed with the local key, even if the shell has a KMS key id set.
  delete process.env.TWO_STEP_KEY_ID;
  // Set before the first handler module loads (they load on first use).
  const environment: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
    AWS_ENDPOINT_URL_SES: sesEvents.url,
    SES_CONFIGURATION_SET: LOCAL_CONFIGURATION_SET,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    TABLE_NAME: options.tableName,
    STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
    SENDER_ADDRESS: options.senderAddress ?? 'no-reply@guestpass.local',
    PUBLIC_BASE_URL: gateway.url,
    TWO_STEP_LOCAL_KEY: localTwoStepKey(options.twoStepKeyFile ?? join(dirname(options.keyFile), 'two-step-key')),
    ...(options.inviteExpirySeconds !== undefined ? { INVITE_EXPIRY_SECONDS: String(options.inviteExpirySeconds) } : {}),
  };
  Object.assign(process.env, environment);
  // DynamoDB Local reports TTL enabled but never expires anything; the sweeper does what AWS does.
  const ttlSweeper = startTtlSweeper({
    endpoint: options.dynamoEndpoint,
    tableName: options.tableName,
    ...(options.ttlSweepSeconds !== undefined ? { intervalSeconds: options.ttlSweepSeconds } : {}),
    onError: (error) => options.log?.(`ttl sweep failed: ${error.message}`),
  });
  return {
    environment,
    apiUrl: gateway.url,
    issuer: signer.issuer,
    ...(options.consoleDir ? { consoleUrl: `${gateway.url}/console/` } : {}),
    sfnUrl: stepFunctions.url,
    signer,
    stepFunctions,
    gateway,
    sesEvents,
    runJob: async (handler) => ((await loadHandler(handler)) as unknown as () => Promise<unknown>)(),
    close: async () => {
      await gateway.close();
      await stepFunctions.close();
      await ttlSweeper.stop();
      await sesEvents.close();
    },
  };
}
