import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { log } from '../log';
import { OnboardingInput, REVOKED_ERROR } from './payloads';

/**
 * Starts the onboarding execution for one invitee. The execution is named by the invitation id,
 * so a retried start can never create a second one: Step Functions answers an identical start
 * with the running execution, and we treat "already exists" as started.
 */
export async function startOnboarding(sfn: SFNClient, stateMachineArn: string, input: OnboardingInput, name: string = input.invitationId): Promise<string | null> {
  try {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(OnboardingInput.parse(input)) }));
    return executionArn ?? null;
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') return null;
    throw error;
  }
}

/** Errors that mean the waiting task is gone: the action stands in DynamoDB, the workflow has moved on. */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/**
 * Reports a callback task done. DynamoDB already holds the admin's or guest's action, so a late
 * or lost token is logged and never turns the caller's request into a failure.
 */
export async function completeTask(sfn: SFNClient, taskToken: string, output: Record<string, unknown>, context: Record<string, unknown>): Promise<boolean> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    return true;
  } catch (error) {
    if (GONE.has((error as Error).name)) {
      log.warn('callback task no longer waiting', { ...context, error: (error as Error).name });
      return false;
    }
    throw error;
  }
}

export async function failTask(sfn: SFNClient, taskToken: string, error: string, cause: string, context: Record<string, unknown>): Promise<boolean> {
  try {
    await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    return true;
  } catch (failure) {
    if (GONE.has((failure as Error).name)) {
      log.warn('callback task no longer waiting', { ...context, error: (failure as Error).name });
      return false;
    }
    throw failure;
  }
}

/**
 * Ends the waiting tasks of an onboarding that an admin's removal already ended in DynamoDB:
 * each fails with `Revoked`, which the workflow treats as a finished (not failed) onboarding.
 */
export async function revokeOnboarding(sfn: SFNClient, taskTokens: readonly string[], cause: string, context: Record<string, unknown>): Promise<void> {
  for (const token of taskTokens) await failTask(sfn, token, REVOKED_ERROR, cause, context);
}

/** The ARN of the execution named `name` of the state machine `stateMachineArn`. */
export const executionArnOf = (stateMachineArn: string, name: string): string => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/**
 * Stops an onboarding execution that an admin's action (a resend, a withdrawal) already ended or
 * replaced in DynamoDB. An execution that is gone or already over is fine; any other failure is
 * logged, never the caller's failure: DynamoDB holds the action, and the tasks of an execution
 * that no longer drives its invitation send, wait and expire nothing.
 */
export async function stopOnboarding(sfn: SFNClient, stateMachineArn: string, name: string, cause: string, context: Record<string, unknown>): Promise<boolean> {
  try {
    await sfn.send(new StopExecutionCommand({ executionArn: executionArnOf(stateMachineArn, name), error: REVOKED_ERROR, cause }));
    return true;
  } catch (error) {
    const reason = (error as Error).name;
    if (reason === 'ExecutionDoesNotExist') return false;
    log.warn('onboarding execution not stopped', { ...context, execution: name, error: reason });
    return false;
  }
}
