import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { API_FUNCTION_TIMEOUT_SECONDS, type ServiceUse } from '../../shared/capabilities';
import { acknowledgeNagRule, nagEnvironment } from './nag';

/** The repository root: entry points and the lock file are found from here, whatever the cwd. */
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Lambda runtime every function uses (tests assert `nodejs24.x`). */
export const NODEJS_24: Runtime = Runtime.NODEJS_24_X;

/**
 * Makes `require` available inside the ESM bundle, so bundled CommonJS dependencies that call
 * `require('node:…')` keep working. Aliased names avoid clashing with bundled identifiers.
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __guestpassCreateRequire } from 'node:module'; const require = __guestpassCreateRequire(import.meta.url);";

/**
 * `api` functions answer HTTP requests; `workflow` ones run inside the onboarding state machine;
 * `job` ones are invoked on a schedule (`JOBS`) and work through a batch; `event` ones handle
 * events an EventBridge rule delivers (`EVENT_FUNCTIONS`), one at a time.
 */
export type FunctionKind = 'api' | 'workflow' | 'job' | 'event';

/** Workflow tasks send email and may wait on SES; their Task states time out after the same 30 s. */
export const WORKFLOW_FUNCTION_TIMEOUT = Duration.seconds(30);

const TIMEOUTS: Record<FunctionKind, Duration> = {
  api: Duration.seconds(API_FUNCTION_TIMEOUT_SECONDS),
  workflow: WORKFLOW_FUNCTION_TIMEOUT,
  // A scheduled job works through everything due (e.g. a day's erasures) in one invocation.
  job: Duration.minutes(5),
  // One event, a read and a write; EventBridge retries the invocation if it fails.
  event: Duration.seconds(30),
};

/** Exactly what the handlers do with the directory: no Scan, no table administration. */
const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
} as const satisfies Record<'read' | 'write', readonly string[]>;

export type TableAccess = keyof typeof TABLE_ACTIONS;

/** Settings every function of the stack shares. */
export interface FunctionDefaults {
  /** Base URL of the guest-facing links; every function gets it as `PUBLIC_BASE_URL`. */
  readonly publicBaseUrl: string;
  /**
   * Bundle the entry point with local esbuild (default). `false` deploys a placeholder instead:
   * same resources, logical ids and state machine definition, but synthesizes in milliseconds
   * (infra tests, the local stack's definition).
   */
  readonly bundle?: boolean;
  /** Extra environment variables (e.g. the test-only invitation expiry override). */
  readonly environment?: Readonly<Record<string, string>>;
}

export interface GuestpassFunctionProps extends FunctionDefaults {
  /** Folder under `functions/`; the entry point is `functions/<handler>/handler.ts`. */
  readonly handler: string;
  readonly kind: FunctionKind;
  readonly description?: string;
}

/** Where a function's `ses` use may send from. */
export interface SesSender {
  readonly identityArn: string;
  readonly senderAddress: string;
  /** The configuration set whose event destination reports delivery; senders get `SES_CONFIGURATION_SET`. */
  readonly configurationSetName?: string;
}

/** What the `uses` of a route or workflow task refer to. */
export interface ServiceTargets {
  readonly ses: SesSender;
  readonly stateMachine: IStateMachine;
  /** The key that wraps the data keys of two-step (TOTP) secrets. */
  readonly twoStepKey: IKey;
}

/** The encryption context every two-step data key carries (shared/security/sealing.ts): exactly these keys. */
export const TWO_STEP_CONTEXT_KEYS = ['siteId', 'userId'] as const;

/**
 * A Lambda function with the house defaults: Node.js 24 on arm64, ESM bundle with source maps,
 * its own log group with retention, and its own role that starts with nothing but writing to that
 * log group (no AWSLambdaBasicExecutionRole, whose log actions apply to every log group).
 *
 * The role and the log group must exist before `super()`, so they are created as siblings named
 * `<id>Role` and `<id>Logs`.
 */
export class GuestpassFunction extends NodejsFunction {
  readonly kind: FunctionKind;
  private readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: GuestpassFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.handler} function`,
    });
    logGroup.grantWrite(role);

    const bundle = props.bundle ?? true;
    super(scope, id, {
      description: props.description,
      runtime: NODEJS_24,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: TIMEOUTS[props.kind],
      role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        PUBLIC_BASE_URL: props.publicBaseUrl,
        ...props.environment,
      },
      entry: join(PROJECT_ROOT, 'functions', props.handler, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      ...(bundle
        ? {
            bundling: {
              format: OutputFormat.ESM,
              mainFields: ['module', 'main'],
              banner: CREATE_REQUIRE_BANNER,
              target: 'node24',
              minify: true,
              sourceMap: true,
              sourcesContent: false,
              // Bundle the SDK clients the function imports (tree-shaken) instead of using the
              // runtime's copy: the code that runs is the version we tested.
              bundleAwsSDK: true,
              forceDockerBundling: false,
            },
          }
        : {
            // Same handler string as the bundled asset (`index.mjs` exporting `handler`). Inline code
            // runs as CommonJS, so a stack deployed this way by mistake fails with a clear message.
            code: Code.fromInline('exports.handler = async () => { throw new Error("placeholder code: this stack was synthesized with bundle: false"); };'),
            handler: 'index.handler',
          }),
    });
    this.kind = props.kind;
    this.executionRole = role;
  }

  /** Grants exactly read or read/write data access on `table` and sets `TABLE_NAME`. */
  bindTable(table: ITable, access: TableAccess): this {
    table.grant(this, ...TABLE_ACTIONS[access]);
    this.addEnvironment('TABLE_NAME', table.tableName);
    const cfnTable = table.node.defaultChild;
    if (cfnTable instanceof CfnElement) {
      const tableLogicalId = Stack.of(table).getLogicalId(cfnTable);
      acknowledgeNagRule(
        this.executionRole,
        'AwsSolutions-IAM5',
        'Queries run on the directory table’s GSIs; `<table>/index/*` covers only the indexes of this one table, with the same item actions as the table.',
        [`Resource::<${tableLogicalId}.Arn>/index/*`],
      );
    }
    return this;
  }

  /**
   * Lets the function send email from `senderAddress` only, through that SES identity only, and
   * through `configurationSetName` (a send names it, so SES checks the permission on it too).
   */
  allowSes(identityArn: string, senderAddress: string, configurationSetName?: string): this {
    const configurationSetArn =
      configurationSetName === undefined
        ? undefined
        : Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: configurationSetArn === undefined ? [identityArn] : [identityArn, configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': senderAddress } },
      }),
    );
    this.addEnvironment('SENDER_ADDRESS', senderAddress);
    if (configurationSetName !== undefined) this.addEnvironment('SES_CONFIGURATION_SET', configurationSetName);
    return this;
  }

  /** Lets the function start onboarding executions and tells it which state machine. */
  allowStart(stateMachine: IStateMachine): this {
    stateMachine.grantStartExecution(this);
    this.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    return this;
  }

  /**
   * Lets the function stop executions of `stateMachine` (and no other state machine's) and tells
   * it which state machine. Execution ARNs are made per start, so the grant covers this machine's
   * `execution:<name>:*`.
   */
  allowStop(stateMachine: IStateMachine): this {
    stateMachine.grantExecution(this, 'states:StopExecution');
    this.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    const cfnStateMachine = stateMachine.node.defaultChild;
    if (cfnStateMachine instanceof CfnElement) {
      // The machine's name is taken from its ARN: `execution:<name>:*`, as CDK's grant writes it.
      const machineName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(stateMachine).getLogicalId(cfnStateMachine)}"}]}]}`;
      acknowledgeNagRule(
        this.executionRole,
        'AwsSolutions-IAM5',
        'StopExecution is granted on the executions of the onboarding state machine only (`execution:<machine name>:*`); an execution’s ARN exists only once it is started, named per invitation and resend.',
        [`Resource::arn:<AWS::Partition>:states:${nagEnvironment(this).region}:${nagEnvironment(this).account}:execution:${machineName}:*`],
      );
    }
    return this;
  }

  /**
   * Lets the function answer the state machine's task tokens (SendTaskSuccess/Failure/Heartbeat).
   *
   * The grant goes through a mutable imported handle on the same role, which puts it in an
   * `AWS::IAM::Policy` of its own instead of the role's default policy. A Lambda function depends on
   * its role's default policy, and the workflow's own callback functions are referenced by the
   * state machine, so the default policy would close a dependency cycle (state machine → function
   * → default policy → state machine). The standalone policy is created after the state machine,
   * and nothing waits for it.
   */
  allowCallback(stateMachine: IStateMachine): this {
    const grantee: IRole = Role.fromRoleName(this, 'CallbackGrant', this.executionRole.roleName, { mutable: true });
    stateMachine.grantTaskResponse(grantee);
    return this;
  }

  /**
   * Lets the function seal and open two-step secrets: a data key from `key` (GenerateDataKey) and
   * its unwrapping (Decrypt), nothing else, and only for requests whose encryption context has
   * exactly a site and a user, as every sealed secret's has. Sets `TWO_STEP_KEY_ID`.
   */
  allowTwoStepSecrets(key: IKey): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...TWO_STEP_CONTEXT_KEYS] },
          // ForAllValues also holds for a request with no context at all: require both keys.
          Null: Object.fromEntries(TWO_STEP_CONTEXT_KEYS.map((name) => [`kms:EncryptionContext:${name}`, 'false'])),
        },
      }),
    );
    this.addEnvironment('TWO_STEP_KEY_ID', key.keyArn);
    return this;
  }

  /** Applies a route's or a workflow task's `uses` (see `ServiceUse`). */
  allowUses(uses: readonly ServiceUse[], targets: ServiceTargets): this {
    for (const use of uses) {
      switch (use) {
        case 'ses':
          this.allowSes(targets.ses.identityArn, targets.ses.senderAddress, targets.ses.configurationSetName);
          break;
        case 'sfn-start':
          this.allowStart(targets.stateMachine);
          break;
        case 'sfn-callback':
          this.allowCallback(targets.stateMachine);
          break;
        case 'sfn-stop':
          this.allowStop(targets.stateMachine);
          break;
        case 'two-step-secrets':
          this.allowTwoStepSecrets(targets.twoStepKey);
          break;
        default: {
          // A new kind of use needs its grant here before any route can declare it.
          const unknown: never = use;
          throw new Error(`No grant for service use ${String(unknown)}`);
        }
      }
    }
    return this;
  }
}
