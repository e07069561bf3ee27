import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startOnboarding } from '../../shared/workflow/client';
import type { OnboardingInput } from '../../shared/workflow/payloads';

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1' });

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:guestpass-onboarding';

const input = (over: Partial<OnboardingInput> = {}): OnboardingInput => ({
  siteId: 'acme',
  userId: 'usr_01',
  invitationId: 'inv_01HZX',
  kind: 'guest',
  needsSpace: true,
  acceptWithinSeconds: 604_800,
  ...over,
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

afterEach(() => {
  sfnMock.reset();
});

describe('startOnboarding', () => {
  it('starts one execution named by the invitation id with the validated input', async () => {
    // Prepare
    const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:guestpass-onboarding:inv_01HZX';
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    // Act
    const result = await startOnboarding(sfn, STATE_MACHINE, input());
    // Assess
    expect(result).toBe(executionArn);
    const calls = sfnMock.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]!.args[0].input;
    expect(sent.stateMachineArn).toBe(STATE_MACHINE);
    expect(sent.name).toBe('inv_01HZX');
    expect(JSON.parse(sent.input ?? '')).toEqual({
      siteId: 'acme',
      userId: 'usr_01',
      invitationId: 'inv_01HZX',
      kind: 'guest',
      needsSpace: true,
      acceptWithinSeconds: 604_800,
    });
  });

  it('drops fields that are not part of the onboarding input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    await startOnboarding(sfn, STATE_MACHINE, { ...input({ kind: 'paid', needsSpace: false }), email: 'pat@partner.example' } as OnboardingInput);
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input ?? '';
    expect(sent).not.toContain('pat@partner.example');
    expect(JSON.parse(sent)).toMatchObject({ kind: 'paid', needsSpace: false });
  });

  it('resolves null when the execution already exists (a retried start)', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } }));
    // Act
    const result = await startOnboarding(sfn, STATE_MACHINE, input());
    // Assess
    expect(result).toBeNull();
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('rethrows any other Step Functions error', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    sfnMock.on(StartExecutionCommand).rejects(throttled);
    expect(await rejection(startOnboarding(sfn, STATE_MACHINE, input()))).toBe(throttled);
  });

  it.each([
    ['an empty invitation id', { invitationId: '' }],
    ['an unknown kind', { kind: 'admin' }],
    ['a zero lifetime', { acceptWithinSeconds: 0 }],
    ['a fractional lifetime', { acceptWithinSeconds: 1.5 }],
    ['a missing needsSpace', { needsSpace: undefined }],
  ])('throws a schema error before any call for %s', async (_why, over) => {
    // Act
    const error = await rejection(startOnboarding(sfn, STATE_MACHINE, { ...input(), ...over } as unknown as OnboardingInput));
    // Assess
    expect(error.name).toBe('$ZodError');
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
