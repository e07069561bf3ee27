import { StateMachine as LocalStateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FUNCTION_ARN_PREFIX, onboardingDefinitionForLocal } from '../../infra/local/definition';
import { WORKFLOW_TASKS } from '../../shared/workflow/functions';

interface Retrier {
  readonly ErrorEquals: string[];
  readonly JitterStrategy?: string;
  readonly MaxDelaySeconds?: number;
}
interface Catcher {
  readonly ErrorEquals: string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}
interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly Retry?: Retrier[];
  readonly Catch?: Catcher[];
  readonly Branches?: Machine[];
  readonly Error?: string;
  readonly ResultPath?: string | null;
  readonly Next?: string;
  readonly End?: boolean;
}
interface Machine {
  readonly StartAt: string;
  readonly States: Record<string, State>;
  readonly TimeoutSeconds?: number;
}

let definition: Machine;
/** Every state, recursively into Parallel branches, by name (names are unique across the machine). */
let states: Map<string, State>;

function collect(machine: Machine, into: Map<string, State>): void {
  for (const [name, state] of Object.entries(machine.States)) {
    expect(into.has(name), `state name ${name} used twice`).toBe(false);
    into.set(name, state);
    for (const branch of state.Branches ?? []) collect(branch, into);
  }
}

const state = (name: string): State => {
  const found = states.get(name);
  if (!found) throw new Error(`No state ${name}`);
  return found;
};
const catchTarget = (name: string, error: string) => state(name).Catch?.find((c) => c.ErrorEquals.includes(error))?.Next;

beforeAll(() => {
  definition = onboardingDefinitionForLocal() as unknown as Machine;
  states = new Map();
  collect(definition, states);
}, 120_000);

const CALLBACK_TASKS = ['AwaitAcceptance', 'AwaitSpaceAssignment'];
const REQUEST_RESPONSE_TASKS = ['SendInvitation', 'Activate', 'ExpireInvitation'];

describe('onboarding definition', () => {
  it('is valid ASL for the local Step Functions engine', () => {
    expect(() => new LocalStateMachine(definition as unknown as StateMachineDefinition)).not.toThrow();
  });

  it('names its Task states exactly as WORKFLOW_TASKS', () => {
    const tasks = [...states].filter(([, s]) => s.Type === 'Task').map(([name]) => name);
    expect(tasks.sort()).toEqual(Object.keys(WORKFLOW_TASKS).sort());
    expect([...CALLBACK_TASKS, ...REQUEST_RESPONSE_TASKS].sort()).toEqual(tasks);
  });

  it('gives every Task state a timeout, a non-empty Retry and a non-empty Catch', () => {
    for (const [name, s] of states) {
      if (s.Type !== 'Task') continue;
      expect(s.TimeoutSeconds !== undefined || s.TimeoutSecondsPath !== undefined, `${name} timeout`).toBe(true);
      expect(s.Retry?.length, `${name} Retry`).toBeGreaterThan(0);
      expect(s.Catch?.length, `${name} Catch`).toBeGreaterThan(0);
    }
  });

  it('retries with full jitter and a bounded delay, never on States.ALL', () => {
    for (const [name, s] of states) {
      for (const retrier of s.Retry ?? []) {
        expect(retrier.ErrorEquals, name).not.toContain('States.ALL');
        expect(retrier.JitterStrategy, name).toBe('FULL');
        expect(retrier.MaxDelaySeconds, name).toBe(300);
      }
    }
  });

  it('ends the whole execution after 32 days, beyond the longest invitation', () => {
    expect(definition.TimeoutSeconds).toBe(32 * 24 * 60 * 60);
  });

  it('invokes each task’s own function (local ARNs end with the state name)', () => {
    for (const name of REQUEST_RESPONSE_TASKS) {
      expect(state(name).Resource).toBe(`${LOCAL_FUNCTION_ARN_PREFIX}${name}`);
      expect(state(name).TimeoutSeconds).toBe(30);
    }
    for (const name of CALLBACK_TASKS) {
      expect(state(name).Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(state(name).Parameters).toEqual({
        FunctionName: `${LOCAL_FUNCTION_ARN_PREFIX}${name}`,
        Payload: { 'taskToken.$': '$$.Task.Token', 'siteId.$': '$.siteId', 'userId.$': '$.userId', 'invitationId.$': '$.invitationId', 'execution.$': '$$.Execution.Name' },
      });
    }
  });
});

describe('SendInvitation', () => {
  it('passes the invitation ids, keeps its input and retries transient failures but not EmailRejected', () => {
    const s = state('SendInvitation');
    // The execution's own name: after a resend only the execution the invitation names may send
    expect(s.Parameters).toEqual({ 'siteId.$': '$.siteId', 'userId.$': '$.userId', 'invitationId.$': '$.invitationId', 'execution.$': '$$.Execution.Name' });
    expect(s.ResultPath).toBeNull();
    expect(s.Retry?.[0]?.ErrorEquals).toEqual([
      'EmailTransient',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'States.Timeout',
    ]);
    expect(s.Retry).toHaveLength(1);
    expect(s.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ExpireInvitation' }]);
  });
});

describe('callback tasks', () => {
  it.each(CALLBACK_TASKS)('%s times out at the invitation’s expiry and retries only failed invocations', (name) => {
    const s = state(name);
    expect(s.TimeoutSecondsPath).toBe('$.acceptWithinSeconds');
    const retried = s.Retry?.flatMap((r) => r.ErrorEquals) ?? [];
    expect(retried).not.toContain('States.Timeout');
    expect(retried).not.toContain('Revoked');
    expect(retried.every((error) => error.startsWith('Lambda.'))).toBe(true);
    expect(catchTarget(name, 'States.Timeout') ?? catchTarget(name, 'States.ALL')).toBeDefined();
    expect(s.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
  });

  it('AwaitAcceptance: a revocation ends the onboarding, an expiry or a failed wait ends the invitation', () => {
    expect(state('AwaitAcceptance').Catch).toEqual([
      { ErrorEquals: ['Revoked'], Next: 'OnboardingRevoked' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ExpireInvitation' },
    ]);
    expect(state('OnboardingRevoked').Type).toBe('Succeed');
    expect(state('AwaitAcceptance')).toMatchObject({ Next: 'AwaitSpaceAssignment' });
  });

  it('AwaitSpaceAssignment activates without a space at the deadline, with its input unchanged', () => {
    expect(state('AwaitSpaceAssignment').Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Activate' },
      { ErrorEquals: ['Revoked'], Next: 'OnboardingRevoked' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ExpireInvitation' },
    ]);
    expect(state('AwaitSpaceAssignment')).toMatchObject({ Next: 'Activate' });
  });
});

describe('the onboarding path', () => {
  it('is the two steps in sequence, ending at Activate: four state transitions for an onboarded guest', () => {
    expect(definition.StartAt).toBe('SendInvitation');
    const path: string[] = [];
    for (let name: string | undefined = definition.StartAt; name; name = state(name).Next) path.push(name);
    expect(path).toEqual(['SendInvitation', 'AwaitAcceptance', 'AwaitSpaceAssignment', 'Activate']);
    expect(state('Activate').End).toBe(true);
    // No Parallel, Choice or Pass state is left to spend transitions on.
    expect([...states.values()].filter((s) => ['Parallel', 'Choice', 'Pass'].includes(s.Type))).toEqual([]);
  });
});

describe('ExpireInvitation and Activate', () => {
  it('ExpireInvitation passes the failure’s error name as the reason, then ends the invitation', () => {
    expect(state('ExpireInvitation').Parameters).toEqual({
      'siteId.$': '$.siteId',
      'userId.$': '$.userId',
      'invitationId.$': '$.invitationId',
      'execution.$': '$$.Execution.Name',
      'reason.$': '$.failure.Error',
    });
    expect(state('ExpireInvitation')).toMatchObject({ Next: 'InvitationEnded' });
    expect(state(catchTarget('ExpireInvitation', 'States.ALL')!)).toMatchObject({ Type: 'Fail', Error: 'ExpiryFailed' });
  });

  it('Activate retries like SendInvitation and fails the execution when it cannot activate', () => {
    expect(state('Activate').Retry).toEqual(state('SendInvitation').Retry);
    expect(state('ExpireInvitation').Retry).toEqual(state('SendInvitation').Retry);
    expect(state(catchTarget('Activate', 'States.ALL')!)).toMatchObject({ Type: 'Fail', Error: 'ActivationFailed' });
  });
});
