import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { log } from '../log';
import { OnboardingInput, REVOKED_ERROR } from './payloads';

/**
 * Starts the onboarding execution for one invitee. The execution is named by the invitation id,
 * so a retried start can never create a second one: Step Functions answers an identical start
 * with the running execution, and we treat "already exists" as started.
 */
export async function startOnboarding(sfn: SFNClient, stateMachineArn: string, input: OnboardingInput): Promise<string | null> {
  try {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: input.invitationId, input: JSON.stringify(OnboardingInput.parse(input)) }),
    );
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
