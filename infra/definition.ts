import { App, CfnElement, Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  CfnStateMachine,
  Choice,
  Condition,
  Fail,
  type IChainable,
  IntegrationPattern,
  JitterType,
  JsonPath,
  Parallel,
  Pass,
  type RetryProps,
  Succeed,
  TaskInput,
  type TaskStateBase,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { REVOKED_ERROR } from '../shared/workflow/payloads';
import { WORKFLOW_FUNCTION_TIMEOUT } from './constructs/guestpass-function';
import type { WorkflowStateName } from '../shared/workflow/functions';
import { GuestpassStack, type GuestpassConfig } from './stack';

/**
 * The onboarding workflow (one Standard execution per invitee, input `OnboardingInput`):
 *
 *   SendInvitation → AwaitOnboarding ║ AwaitAcceptance            ║ → Activate → Onboarded
 *                                    ║ NeedsSpace? → AwaitSpace…  ║
 *   any failure or expiry → ExpireInvitation (releases the seat) → InvitationEnded
 *   an admin's revocation  → OnboardingRevoked (the revocation already freed the seat)
 */

/** The Lambda function behind each Task state, keyed by state name (`WORKFLOW_TASKS`). */
export type WorkflowFunctions = Readonly<Record<WorkflowStateName, IFunction>>;

/** The Fail state error a waiting acceptance ends with at the invitation's expiry. */
export const INVITATION_EXPIRED_ERROR = 'InvitationExpired';

/** Transient failures of the Lambda service itself: retrying them invokes the function again. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const BACKOFF = {
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
  jitterStrategy: JitterType.FULL,
  maxDelay: Duration.minutes(5),
} as const satisfies Omit<RetryProps, 'errors'>;

/**
 * Retry for the request/response tasks. Their handlers are idempotent (a retried send resumes or
 * does nothing), so a timed-out attempt is retried too. `EmailRejected` (a permanent SES refusal)
 * is deliberately absent: it goes straight to the Catch.
 */
const TASK_RETRY: RetryProps = { errors: ['EmailTransient', ...LAMBDA_SERVICE_ERRORS, 'States.Timeout'], ...BACKOFF };

/**
 * Retry for the callback tasks: only a failed invocation. `States.Timeout` there means the
 * invitation expired and `Revoked` means an admin revoked it: retrying either would wait again.
 */
const CALLBACK_RETRY: RetryProps = { errors: LAMBDA_SERVICE_ERRORS, ...BACKOFF };

const invitationPayload = () => ({
  siteId: JsonPath.stringAt('$.siteId'),
  userId: JsonPath.stringAt('$.userId'),
  invitationId: JsonPath.stringAt('$.invitationId'),
});

/** A request/response task: the function's return value is not needed, so the state's input flows on. */
function invokeTask(scope: Construct, name: WorkflowStateName, fn: IFunction, payload: Record<string, unknown>): TaskStateBase {
  return new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    // CDK's default retrier would come first and shadow ours; TASK_RETRY covers the same errors.
    retryOnServiceExceptions: false,
    resultPath: JsonPath.DISCARD,
    taskTimeout: Timeout.duration(WORKFLOW_FUNCTION_TIMEOUT),
  }).addRetry(TASK_RETRY);
}

/**
 * A callback task: the function parks the task token on the invitation (or answers at once if the
 * guest's action came first); it ends when a handler calls SendTaskSuccess, an admin's revocation
 * fails it with `Revoked`, or the invitation's lifetime (from the execution input) runs out.
 */
function callbackTask(scope: Construct, name: WorkflowStateName, fn: IFunction): TaskStateBase {
  return new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: TaskInput.fromObject({ taskToken: JsonPath.taskToken, ...invitationPayload() }),
    retryOnServiceExceptions: false,
    resultPath: JsonPath.DISCARD,
    taskTimeout: Timeout.at('$.acceptWithinSeconds'),
  }).addRetry(CALLBACK_RETRY);
}

/**
 * Builds the onboarding state machine's states in `scope` (state names are construct ids, so use
 * a scope of their own) and returns the chain to give to `DefinitionBody.fromChainable`.
 */
export function buildOnboardingDefinition(scope: Construct, functions: WorkflowFunctions): IChainable {
  // Ends without activation: releases the seat, marks the invitation ended with the reason.
  const expireInvitation = invokeTask(scope, 'ExpireInvitation', functions.ExpireInvitation, {
    ...invitationPayload(),
    reason: JsonPath.stringAt('$.failure.Error'),
  })
    .addCatch(new Fail(scope, 'ExpiryFailed', { error: 'ExpiryFailed', cause: 'Releasing the invitation failed after retries' }), {
      errors: ['States.ALL'],
    })
    .next(new Succeed(scope, 'InvitationEnded'));

  const sendInvitation = invokeTask(scope, 'SendInvitation', functions.SendInvitation, invitationPayload()).addCatch(
    expireInvitation,
    { errors: ['States.ALL'], resultPath: '$.failure' },
  );

  const awaitAcceptance = callbackTask(scope, 'AwaitAcceptance', functions.AwaitAcceptance)
    .addCatch(new Fail(scope, 'AcceptanceRevoked', { error: REVOKED_ERROR }), { errors: [REVOKED_ERROR] })
    .addCatch(new Fail(scope, 'AcceptanceExpired', { error: INVITATION_EXPIRED_ERROR }), { errors: ['States.Timeout'] })
    .addCatch(new Fail(scope, 'AcceptanceFailed', { error: 'AcceptanceFailed' }), { errors: ['States.ALL'] });

  // A guest who accepted but got no space by the deadline is still activated (listed under "no space").
  const awaitSpaceAssignment = callbackTask(scope, 'AwaitSpaceAssignment', functions.AwaitSpaceAssignment)
    .addCatch(new Pass(scope, 'ActivateWithoutSpace'), { errors: ['States.Timeout'] })
    .addCatch(new Fail(scope, 'SpaceAssignmentRevoked', { error: REVOKED_ERROR }), { errors: [REVOKED_ERROR] })
    .addCatch(new Fail(scope, 'SpaceAssignmentFailed', { error: 'SpaceAssignmentFailed' }), { errors: ['States.ALL'] });

  const spaceBranch = new Choice(scope, 'NeedsSpace?')
    .when(Condition.booleanEquals('$.needsSpace', true), awaitSpaceAssignment)
    .otherwise(new Pass(scope, 'SpaceGivenAtInvite'));

  // Both waits run at once: the guest may accept before or after an admin assigns the space.
  const awaitOnboarding = new Parallel(scope, 'AwaitOnboarding', { resultPath: JsonPath.DISCARD })
    .branch(awaitAcceptance)
    .branch(spaceBranch)
    .addCatch(new Succeed(scope, 'OnboardingRevoked'), { errors: [REVOKED_ERROR] })
    .addCatch(expireInvitation, { errors: ['States.ALL'], resultPath: '$.failure' });

  const activate = invokeTask(scope, 'Activate', functions.Activate, invitationPayload()).addCatch(
    new Fail(scope, 'ActivationFailed', { error: 'ActivationFailed', cause: 'Activating the guest failed after retries' }),
    { errors: ['States.ALL'] },
  );

  return sendInvitation.next(awaitOnboarding).next(activate).next(new Succeed(scope, 'Onboarded'));
}

// ---------------------------------------------------------------------------------------------
// The definition for the local stack

/** Stands in for the Lambda ARN of each Task in the local definition; the state name ends it. */
export const LOCAL_FUNCTION_ARN_PREFIX = 'arn:aws:lambda:us-east-1:000000000000:function:';

const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Configuration of the throwaway stack the local definition comes from; none of it reaches the ASL. */
const LOCAL_CONFIG: GuestpassConfig = {
  jwtIssuer: 'https://auth.guestpass.local/',
  jwtAudience: 'guestpass',
  senderAddress: 'no-reply@guestpass.local',
  publicBaseUrl: 'http://localhost:3000',
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Evaluates the few intrinsics a CDK `DefinitionString` contains, with local stand-ins. */
function evaluateIntrinsics(value: unknown, functionArns: ReadonlyMap<string, string>): Json {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => evaluateIntrinsics(item, functionArns));
  if (!isRecord(value)) throw new Error(`Unexpected value in the state machine definition: ${String(value)}`);
  const join = value['Fn::Join'];
  if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => String(evaluateIntrinsics(part, functionArns))).join(join[0]);
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string' && functionArns.has(getAtt[0])) {
    return functionArns.get(getAtt[0])!;
  }
  const ref = value.Ref;
  if (typeof ref === 'string' && ref in LOCAL_PSEUDO_PARAMETERS) return LOCAL_PSEUDO_PARAMETERS[ref]!;
  if (Object.keys(value).some((key) => key.startsWith('Fn::') || key === 'Ref')) {
    throw new Error(`The state machine definition refers to something the local stack cannot stand in for: ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateIntrinsics(item, functionArns)]));
}

/**
 * The onboarding ASL of `stack` as the local stack runs it: the definition CloudFormation would
 * get, with each Lambda ARN replaced by `arn:aws:lambda:us-east-1:000000000000:function:<StateName>`
 * and pseudo parameters by fixed values.
 */
export function localDefinitionOf(stack: GuestpassStack): Record<string, unknown> {
  const cfnStateMachine = stack.workflow.stateMachine.node.defaultChild;
  if (!(cfnStateMachine instanceof CfnStateMachine)) throw new Error('The onboarding workflow has no CfnStateMachine');
  const functionArns = new Map<string, string>();
  for (const [stateName, fn] of Object.entries(stack.workflow.functions)) {
    const cfnFunction = fn.node.defaultChild;
    if (!(cfnFunction instanceof CfnElement)) throw new Error(`The ${stateName} function has no CloudFormation resource`);
    functionArns.set(stack.getLogicalId(cfnFunction), `${LOCAL_FUNCTION_ARN_PREFIX}${stateName}`);
  }
  const definitionString = evaluateIntrinsics(stack.resolve(cfnStateMachine.definitionString), functionArns);
  if (typeof definitionString !== 'string') throw new Error('The state machine definition did not resolve to a string');
  const definition: unknown = JSON.parse(definitionString);
  if (!isRecord(definition)) throw new Error('The state machine definition is not a JSON object');
  return definition;
}

/**
 * The onboarding ASL the local stack runs: builds the stack in memory (without bundling, which
 * does not change the definition) and returns `localDefinitionOf` it. Takes well under a second.
 */
export function onboardingDefinitionForLocal(): Record<string, unknown> {
  const app = new App();
  const stack = new GuestpassStack(app, 'GuestpassLocalDefinition', { config: LOCAL_CONFIG, bundle: false });
  return localDefinitionOf(stack);
}
