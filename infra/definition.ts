import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Fail,
  type IChainable,
  IntegrationPattern,
  JitterType,
  JsonPath,
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
  // Which execution asks: after a resend only the newest one may send, wait or expire.
  execution: JsonPath.executionName,
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

  // The last state: an onboarding that ends here ends the execution, with no Succeed state to enter.
  const activate = invokeTask(scope, 'Activate', functions.Activate, invitationPayload()).addCatch(
    new Fail(scope, 'ActivationFailed', { error: 'ActivationFailed', cause: 'Activating the guest failed after retries' }),
    { errors: ['States.ALL'] },
  );
  const revoked = new Succeed(scope, 'OnboardingRevoked');

  // The two onboarding steps in sequence, each visible in the execution history. DynamoDB is the
  // truth, so the order the guest and the admin act in does not matter: a space assigned before
  // the acceptance, or an acceptance before its wait began, completes the later wait at once
  // (whoever comes second completes the task), and a paid invitee's space wait ends at once.
  const awaitAcceptance = callbackTask(scope, 'AwaitAcceptance', functions.AwaitAcceptance)
    .addCatch(revoked, { errors: [REVOKED_ERROR] })
    // The invitation's lifetime ran out (`States.Timeout`), or the wait failed after retries.
    .addCatch(expireInvitation, { errors: ['States.ALL'], resultPath: '$.failure' });

  // A guest who accepted but got no space by the deadline is still activated (listed under "no space").
  const awaitSpaceAssignment = callbackTask(scope, 'AwaitSpaceAssignment', functions.AwaitSpaceAssignment)
    .addCatch(activate, { errors: ['States.Timeout'], resultPath: JsonPath.DISCARD })
    .addCatch(revoked, { errors: [REVOKED_ERROR] })
    .addCatch(expireInvitation, { errors: ['States.ALL'], resultPath: '$.failure' });

  // Four state transitions for an onboarded guest: SendInvitation, AwaitAcceptance, AwaitSpaceAssignment, Activate.
  return sendInvitation.next(awaitAcceptance).next(awaitSpaceAssignment).next(activate);
}

// ---------------------------------------------------------------------------------------------
// The definition for the local stack

/** Stands in for the Lambda ARN of each Task in the local definition; the state name ends it. */
