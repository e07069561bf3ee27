import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStepFunctions, type LocalStepFunctions } from '../../infra/local/sfn-endpoint';

const ACCOUNT = '000000000000';
const machineArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;
const executionArn = (machine: string, name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:execution:${machine}:${name}`;
const TOKEN = /^[A-Za-z0-9_-]{43,}$/;

function client(url: string): SFNClient {
  return new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Lambda task, then two callback waits in parallel, like the onboarding workflow. */
const onboarding = {
  Comment: 'toy onboarding',
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:prepare`,
      ResultPath: '$.prepared',
      Next: 'Await',
    },
    Await: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'AwaitAcceptance',
          States: {
            AwaitAcceptance: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: 'await-acceptance', Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' } },
              // Not part of the Parameters: AWS reads it from the state input.
              TimeoutSecondsPath: '$.acceptWithinSeconds',
              End: true,
            },
          },
        },
        {
          StartAt: 'AwaitSpace',
          States: {
            AwaitSpace: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: {
                QueueUrl: 'https://sqs.local/spaces',
                MessageBody: { 'id.$': '$.id', 'token.$': '$$.Task.Token', 'note.$': "States.Format('token={}', $$.Task.Token)" },
              },
              TimeoutSeconds: 60,
              End: true,
            },
          },
        },
      ],
      ResultPath: '$.results',
      Catch: [
        { ErrorEquals: ['Revoked'], ResultPath: '$.failure', Next: 'Revoked' },
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'Expired' },
      ],
      Next: 'Activated',
    },
    Activated: { Type: 'Pass', Result: 'activated', ResultPath: '$.outcome', End: true },
    Revoked: { Type: 'Pass', Result: 'revoked', ResultPath: '$.outcome', End: true },
    Expired: { Type: 'Pass', Result: 'expired', ResultPath: '$.outcome', End: true },
  },
};

/** Two callback waits whose timeouts (fixed and from a path) are far beyond Node's timer range. */
const hold = {
  TimeoutSeconds: 3_000_000,
  StartAt: 'HoldFixed',
  States: {
    HoldFixed: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      Parameters: { 'execution.$': '$$.Execution.Name', 'token.$': '$$.Task.Token' },
      TimeoutSeconds: 3_000_000,
      ResultPath: '$.first',
      Next: 'HoldFromPath',
    },
    HoldFromPath: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
      Parameters: { 'execution.$': '$$.Execution.Name', 'token.$': '$$.Task.Token' },
      TimeoutSecondsPath: '$.holdSeconds',
      ResultPath: '$.second',
      End: true,
    },
  },
};

const flaky = {
  StartAt: 'Flaky',
  States: {
    Flaky: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
      Retry: [
        { ErrorEquals: ['Throttled'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 2, MaxDelaySeconds: 5 },
        { ErrorEquals: ['Jittery'], IntervalSeconds: 3, MaxAttempts: 1, JitterStrategy: 'FULL' },
      ],
      ResultSelector: { 'value.$': '$.Payload', 'status.$': '$.StatusCode' },
      End: true,
    },
  },
};

interface Captured {
  acceptance?: { token: string; payload: Record<string, unknown> };
  space?: { token: string; payload: Record<string, unknown> };
}

describe('local Step Functions endpoint', () => {
  let sfn: LocalStepFunctions;
  let sdk: SFNClient;
  const logLines: string[] = [];
  const captured = new Map<string, Captured>();
  const holdTokens = new Map<string, string[]>();
  const flakyCalls = new Map<string, number>();

  const entry = (id: string): Captured => {
    const found = captured.get(id) ?? {};
    captured.set(id, found);
    return found;
  };
  const record = (payload: unknown) => payload as Record<string, unknown>;

  beforeAll(async () => {
    sfn = await startLocalStepFunctions({
      retryIntervalScale: 0.001,
      log: (line) => logLines.push(line),
      stateMachines: [
        {
          arn: machineArn('Onboarding'),
          definition: onboarding,
          taskHandlers: {
            Prepare: async (payload) => ({ preparedFor: record(payload).id, at: new Date(0) }),
            AwaitAcceptance: async (payload) => {
              const { id, taskToken } = record(payload);
              if (String(id).startsWith('explode')) throw Object.assign(new Error('mail bounced'), { name: 'SendFailed' });
              entry(String(id)).acceptance = { token: String(taskToken), payload: record(payload) };
              return { ignored: 'callback tasks take their result from SendTaskSuccess' };
            },
            AwaitSpace: async (payload) => {
              const body = record(record(payload).MessageBody);
              entry(String(body.id)).space = { token: String(body.token), payload: record(payload) };
            },
          },
        },
        {
          arn: machineArn('Hold'),
          definition: hold,
          taskHandlers: Object.fromEntries(
            ['HoldFixed', 'HoldFromPath'].map((state) => [
              state,
              async (payload: unknown) => {
                const { execution, token } = record(payload);
                holdTokens.set(String(execution), [...(holdTokens.get(String(execution)) ?? []), String(token)]);
              },
            ]),
          ),
        },
        {
          arn: machineArn('Flaky'),
          definition: flaky,
          taskHandlers: {
            Flaky: async (payload) => {
              const { key, failures, error } = record(payload);
              const calls = (flakyCalls.get(String(key)) ?? 0) + 1;
              flakyCalls.set(String(key), calls);
              if (calls <= Number(failures)) throw Object.assign(new Error(`call ${calls} refused`), { name: String(error) });
              return { attempts: calls };
            },
          },
        },
      ],
    });
    sdk = client(sfn.url);
  });

  afterAll(async () => {
    sdk?.destroy();
    await sfn?.close();
  });

  async function startOnboarding(id: string, acceptWithinSeconds = 60) {
    const input = { id, acceptWithinSeconds };
    const started = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Onboarding'), name: id, input: JSON.stringify(input) }),
    );
    const tokens = await until(() => {
      const found = captured.get(id);
      return found?.acceptance && found.space ? { acceptance: found.acceptance, space: found.space } : undefined;
    });
    return { input, arn: started.executionArn!, startDate: started.startDate!, ...tokens };
  }

  const succeed = (taskToken: string, output: unknown) =>
    sdk.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));

  it('runs a Lambda task then parallel callback tasks to SUCCEEDED', async () => {
    const run = await startOnboarding('happy');
    expect(run.arn).toBe(executionArn('Onboarding', 'happy'));
    expect(run.startDate).toBeInstanceOf(Date);

    // lambda:invoke handlers get the Payload; other integrations the whole effective input.
    expect(run.acceptance.payload).toEqual({ id: 'happy', taskToken: run.acceptance.token });
    expect(run.space.payload).toEqual({
      QueueUrl: 'https://sqs.local/spaces',
      MessageBody: { id: 'happy', token: run.space.token, note: `token=${run.space.token}` },
    });
    expect(run.acceptance.token).toMatch(TOKEN);
    expect(run.space.token).toMatch(TOKEN);
    expect(run.acceptance.token).not.toBe(run.space.token);
    expect(sfn.pendingTaskTokens()).toEqual(expect.arrayContaining([run.acceptance.token, run.space.token]));

    const running = await sdk.send(new DescribeExecutionCommand({ executionArn: run.arn }));
    expect(running).toMatchObject({ status: 'RUNNING', name: 'happy', stateMachineArn: machineArn('Onboarding') });
    expect(running.stopDate).toBeUndefined();
    expect(JSON.parse(running.input!)).toEqual(run.input);

    await sdk.send(new SendTaskHeartbeatCommand({ taskToken: run.space.token }));
    await succeed(run.acceptance.token, { accepted: true });
    await succeed(run.space.token, { spaceId: 'S1' });

    const expected = {
      ...run.input,
      prepared: { preparedFor: 'happy', at: '1970-01-01T00:00:00.000Z' },
      results: [{ accepted: true }, { spaceId: 'S1' }],
      outcome: 'activated',
    };
    expect(await sfn.waitForExecution(run.arn, 5000)).toEqual({ status: 'SUCCEEDED', output: expected });

    const done = await sdk.send(new DescribeExecutionCommand({ executionArn: run.arn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual(expected);
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());

    await expect(succeed(run.acceptance.token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(succeed('not-a-token', {})).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(
      sdk.send(new SendTaskSuccessCommand({ taskToken: 'A'.repeat(64), output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect(sfn.pendingTaskTokens()).not.toContain(run.space.token);
    expect(logLines).toContain('sfn: Onboarding/happy started');
    expect(logLines.some((line) => line.startsWith('sfn: Onboarding/happy SUCCEEDED'))).toBe(true);
  });

  it('routes SendTaskFailure to the matching Catch and retires the sibling branch token', async () => {
    const run = await startOnboarding('revoked');
    await sdk.send(new SendTaskFailureCommand({ taskToken: run.acceptance.token, error: 'Revoked', cause: 'admin revoked it' }));

    const end = await sfn.waitForExecution(run.arn, 5000);
    expect(end.status).toBe('SUCCEEDED');
    expect(end.output).toEqual({ ...run.input, prepared: expect.any(Object), failure: { Error: 'Revoked', Cause: 'admin revoked it' }, outcome: 'revoked' });
    await expect(succeed(run.space.token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect(sfn.pendingTaskTokens()).not.toContain(run.space.token);
  });

  it('times a callback task out from TimeoutSecondsPath; a late callback hears TaskTimedOut', async () => {
    const started = Date.now();
    const run = await startOnboarding('slow-guest', 1);
    const end = await sfn.waitForExecution(run.arn, 5000);
    const elapsed = Date.now() - started;

    expect(end.status).toBe('SUCCEEDED');
    expect(end.output).toMatchObject({ outcome: 'expired', failure: { Error: 'States.Timeout' } });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(4000);
    await expect(succeed(run.acceptance.token, {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(
      sdk.send(new SendTaskFailureCommand({ taskToken: run.acceptance.token, error: 'Revoked' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    // The other branch was cancelled with the Parallel, not timed out.
    await expect(succeed(run.space.token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('fails a callback task with the error its handler throws', async () => {
    const started = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Onboarding'), name: 'explode-1', input: '{"id":"explode-1","acceptWithinSeconds":60}' }),
    );
    const end = await sfn.waitForExecution(started.executionArn!, 5000);
    expect(end.status).toBe('FAILED');
    expect(end.error).toBe('SendFailed');
    expect(JSON.parse(end.cause!)).toEqual({ errorType: 'SendFailed', errorMessage: 'mail bounced' });
    const described = await sdk.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'SendFailed' });
    expect(described.output).toBeUndefined();
  });

  it('retries a named error with scaled intervals, then succeeds', async () => {
    const started = Date.now();
    const { executionArn: arn } = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Flaky'), input: JSON.stringify({ key: 'twice', failures: 2, error: 'Throttled' }) }),
    );
    const end = await sfn.waitForExecution(arn!, 5000);
    expect(end).toEqual({ status: 'SUCCEEDED', output: { value: { attempts: 3 }, status: 200 } });
    expect(flakyCalls.get('twice')).toBe(3);
    // Unscaled, the two waits would take 2 s + 4 s.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives up after MaxAttempts and fails with the handler error', async () => {
    const { executionArn: arn } = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Flaky'), input: JSON.stringify({ key: 'always', failures: 99, error: 'Throttled' }) }),
    );
    const end = await sfn.waitForExecution(arn!, 5000);
    expect(end.status).toBe('FAILED');
    expect(end.error).toBe('Throttled');
    expect(JSON.parse(end.cause!)).toEqual({ errorType: 'Throttled', errorMessage: 'call 3 refused' });
    expect(flakyCalls.get('always')).toBe(3);

    const jitter = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Flaky'), input: JSON.stringify({ key: 'jitter', failures: 1, error: 'Jittery' }) }),
    );
    expect(await sfn.waitForExecution(jitter.executionArn!, 5000)).toMatchObject({ status: 'SUCCEEDED' });
    expect(flakyCalls.get('jitter')).toBe(2);
  });

  it('caps TimeoutSeconds so a 3,000,000 s timeout does not fire at once', async () => {
    const input = JSON.stringify({ holdSeconds: 3_000_000 });
    const { executionArn: arn } = await sdk.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('Hold'), name: 'long-hold', input }),
    );
    const first = await until(() => holdTokens.get('long-hold')?.[0]);
    await sleep(200);
    expect((await sdk.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    expect(sfn.pendingTaskTokens()).toContain(first);

    await succeed(first, 'one');
    const second = await until(() => holdTokens.get('long-hold')?.[1]);
    await sleep(200);
    expect((await sdk.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');

    await succeed(second, 'two');
    expect(await sfn.waitForExecution(arn!, 5000)).toEqual({
      status: 'SUCCEEDED',
      output: { holdSeconds: 3_000_000, first: 'one', second: 'two' },
    });
  });

  it('treats a repeated StartExecution like AWS', async () => {
    const request = { stateMachineArn: machineArn('Hold'), name: 'dup', input: '{"holdSeconds":60}' };
    const first = await sdk.send(new StartExecutionCommand(request));
    const again = await sdk.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate!.getTime()).toBe(first.startDate!.getTime());

    await expect(sdk.send(new StartExecutionCommand({ ...request, input: '{"holdSeconds":61}' }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await sdk.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await expect(sdk.send(new StartExecutionCommand(request))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    await expect(
      sdk.send(new StartExecutionCommand({ stateMachineArn: machineArn('Nope'), name: 'x' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      sdk.send(new StartExecutionCommand({ stateMachineArn: machineArn('Hold'), name: 'bad-input', input: '{not json' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      sdk.send(new StartExecutionCommand({ stateMachineArn: machineArn('Hold'), name: 'bad name', input: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
  });

  it('stops an execution and invalidates its tokens', async () => {
    const run = await startOnboarding('stop-me');
    const stopped = await sdk.send(new StopExecutionCommand({ executionArn: run.arn, error: 'Revoked', cause: 'admin' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);

    const described = await sdk.send(new DescribeExecutionCommand({ executionArn: run.arn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Revoked', cause: 'admin' });
    expect(described.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
    expect(await sfn.waitForExecution(run.arn, 1000)).toMatchObject({ status: 'ABORTED' });
    expect(sfn.pendingTaskTokens()).not.toContain(run.acceptance.token);
    await expect(succeed(run.acceptance.token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(succeed(run.space.token, {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('records the history the service would show: each state entered and exited, in order, and the end', async () => {
    const run = await startOnboarding('history');
    await succeed(run.acceptance.token, { accepted: true });
    await succeed(run.space.token, { spaceId: 'S1' });
    expect((await sfn.waitForExecution(run.arn, 5000)).status).toBe('SUCCEEDED');

    const { events } = await sdk.send(new GetExecutionHistoryCommand({ executionArn: run.arn }));
    const types = events!.map((event) => event.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const entered = events!.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails!.name);
    expect(entered).toEqual(['Prepare', 'Await', ...(entered.indexOf('AwaitAcceptance') < entered.indexOf('AwaitSpace') ? ['AwaitAcceptance', 'AwaitSpace'] : ['AwaitSpace', 'AwaitAcceptance']), 'Activated']);
    expect(types).toContain('TaskStateExited');
    expect(types).toContain('ParallelStateEntered');
    expect(events!.map((event) => event.id)).toEqual(events!.map((_, index) => index + 1));
    expect(events!.every((event, index) => event.previousEventId === index && event.timestamp instanceof Date)).toBe(true);
    const prepared = events!.find((event) => event.type === 'TaskStateExited' && event.stateExitedEventDetails?.name === 'Prepare');
    expect(JSON.parse(prepared!.stateExitedEventDetails!.output!)).toMatchObject({ prepared: { preparedFor: 'history' } });

    // Pages, newest first on request, and without data when asked.
    const first = await sdk.send(new GetExecutionHistoryCommand({ executionArn: run.arn, maxResults: 3, reverseOrder: true, includeExecutionData: false }));
    expect(first.events!.map((event) => event.id)).toEqual([events!.length, events!.length - 1, events!.length - 2]);
    expect(first.events![0]!.executionSucceededEventDetails).toEqual({});
    const second = await sdk.send(new GetExecutionHistoryCommand({ executionArn: run.arn, maxResults: 3, reverseOrder: true, nextToken: first.nextToken }));
    expect(second.events![0]!.id).toBe(events!.length - 3);
    await expect(sdk.send(new GetExecutionHistoryCommand({ executionArn: run.arn, nextToken: first.nextToken }))).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(sdk.send(new GetExecutionHistoryCommand({ executionArn: executionArn('Onboarding', 'never-started') }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('records a stopped execution as aborted, and a failed task with its error', async () => {
    const stopped = await startOnboarding('history-stopped');
    await sdk.send(new StopExecutionCommand({ executionArn: stopped.arn, error: 'Revoked', cause: 'admin' }));
    const { events } = await sdk.send(new GetExecutionHistoryCommand({ executionArn: stopped.arn }));
    expect(events!.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Revoked', cause: 'admin' } });

    await sdk.send(new StartExecutionCommand({ stateMachineArn: machineArn('Flaky'), name: 'history-flaky', input: JSON.stringify({ key: 'history-flaky', failures: 5, error: 'Throttled' }) }));
    const arn = executionArn('Flaky', 'history-flaky');
    expect((await sfn.waitForExecution(arn, 5000)).status).toBe('FAILED');
    const failed = (await sdk.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!;
    expect(failed.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails?.error).toBe('Throttled');
    expect(failed.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Throttled' } });
  });

  it('lists a machine’s executions newest first, by status, page by page', async () => {
    const all = await sdk.send(new ListExecutionsCommand({ stateMachineArn: machineArn('Onboarding'), maxResults: 1000 }));
    const names = all.executions!.map((execution) => execution.name);
    expect(names).toEqual(expect.arrayContaining(['happy', 'history', 'history-stopped']));
    const starts = all.executions!.map((execution) => execution.startDate!.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(all.executions!.find((execution) => execution.name === 'history')).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: machineArn('Onboarding'), stopDate: expect.any(Date) });

    const aborted = await sdk.send(new ListExecutionsCommand({ stateMachineArn: machineArn('Onboarding'), statusFilter: 'ABORTED' }));
    expect(aborted.executions!.every((execution) => execution.status === 'ABORTED')).toBe(true);
    expect(aborted.executions!.map((execution) => execution.name)).toContain('history-stopped');

    const first = await sdk.send(new ListExecutionsCommand({ stateMachineArn: machineArn('Onboarding'), maxResults: 2 }));
    const rest = await sdk.send(new ListExecutionsCommand({ stateMachineArn: machineArn('Onboarding'), maxResults: 1000, nextToken: first.nextToken }));
    expect([...first.executions!, ...rest.executions!].map((execution) => execution.name)).toEqual(names);
    await expect(sdk.send(new ListExecutionsCommand({ stateMachineArn: machineArn('Nowhere') }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('answers unknown and malformed execution ARNs like AWS', async () => {
    await expect(
      sdk.send(new DescribeExecutionCommand({ executionArn: executionArn('Onboarding', 'never-started') })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(sdk.send(new DescribeExecutionCommand({ executionArn: 'arn:nope' }))).rejects.toMatchObject({
      name: 'InvalidArn',
    });
    await expect(
      sdk.send(new StopExecutionCommand({ executionArn: executionArn('Onboarding', 'never-started') })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('speaks the plain AWS JSON 1.0 protocol', async () => {
    const post = (target: string, body: string) =>
      fetch(sfn.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      });
    const unknown = await post('AWSStepFunctions.DeleteStateMachine', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const garbled = await post('AWSStepFunctions.DescribeExecution', '{');
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ __type: 'SerializationException' });

    const invalid = await post('AWSStepFunctions.DescribeExecution', '{"executionArn": 42}');
    expect(await invalid.json()).toMatchObject({ __type: 'ValidationException' });

    const missing = await post('AWSStepFunctions.DescribeExecution', JSON.stringify({ executionArn: executionArn('Hold', 'ghost') }));
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ExecutionDoesNotExist');
    expect(await missing.json()).toEqual({ __type: 'ExecutionDoesNotExist', message: expect.stringContaining('ghost') });
  });
});

describe('local Step Functions endpoint limits', () => {
  const waitForToken = {
    Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
    Parameters: { 'token.$': '$$.Task.Token' },
  };

  it('applies maxTimeoutSeconds to task and execution timeouts, even unset ones', async () => {
    const sfn = await startLocalStepFunctions({
      maxTimeoutSeconds: 1,
      stateMachines: [
        {
          // The library would otherwise give this task a 60 s timeout of its own.
          arn: machineArn('NoTimeouts'),
          definition: { StartAt: 'Wait', States: { Wait: { Type: 'Task', ...waitForToken, End: true } } },
          taskHandlers: { Wait: async () => undefined },
        },
        {
          arn: machineArn('LongExecution'),
          definition: {
            TimeoutSeconds: 3_000_000,
            StartAt: 'Wait',
            States: { Wait: { Type: 'Wait', Seconds: 30, End: true } },
          },
          taskHandlers: {},
        },
      ],
    });
    const sdk = client(sfn.url);
    try {
      const started = Date.now();
      const [task, execution] = await Promise.all(
        ['NoTimeouts', 'LongExecution'].map((machine) => sdk.send(new StartExecutionCommand({ stateMachineArn: machineArn(machine) }))),
      );
      const token = await until(() => sfn.pendingTaskTokens()[0]);
      const [taskEnd, executionEnd] = await Promise.all(
        [task, execution].map((started) => sfn.waitForExecution(started!.executionArn!, 5000)),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(taskEnd).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
      expect(executionEnd).toMatchObject({ status: 'TIMED_OUT' });
      await expect(
        sdk.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    } finally {
      sdk.destroy();
      await sfn.close();
    }
  });

  it('close() aborts running executions and leaves no timers behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const sfn = await startLocalStepFunctions({
      stateMachines: [
        {
          arn: machineArn('Forever'),
          definition: {
            TimeoutSeconds: 3_000_000,
            StartAt: 'Wait',
            States: { Wait: { Type: 'Task', ...waitForToken, TimeoutSeconds: 1_000_000, End: true } },
          },
          taskHandlers: { Wait: async () => undefined },
        },
      ],
    });
    const sdk = client(sfn.url);
    const { executionArn: arn } = await sdk.send(new StartExecutionCommand({ stateMachineArn: machineArn('Forever'), name: 'f' }));
    await until(() => sfn.pendingTaskTokens()[0]);
    expect(timers()).toBeGreaterThan(before);
    sdk.destroy();

    await sfn.close();
    expect(await sfn.waitForExecution(arn!, 100)).toMatchObject({ status: 'ABORTED' });
    expect(sfn.pendingTaskTokens()).toEqual([]);
    await until(() => (timers() <= before ? true : undefined), 1000);
  });

  it('fails the execution, past any Catch, when TimeoutSecondsPath is not a positive integer', async () => {
    const sfn = await startLocalStepFunctions({
      stateMachines: [
        {
          arn: machineArn('BadTimeout'),
          definition: {
            StartAt: 'Wait',
            States: {
              Wait: {
                Type: 'Task',
                ...waitForToken,
                TimeoutSecondsPath: '$.seconds',
                Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
                End: true,
              },
              Caught: { Type: 'Pass', End: true },
            },
          },
          taskHandlers: { Wait: async () => undefined },
        },
      ],
    });
    const sdk = client(sfn.url);
    try {
      const { executionArn: arn } = await sdk.send(
        new StartExecutionCommand({ stateMachineArn: machineArn('BadTimeout'), input: '{"seconds":0}' }),
      );
      expect(await sfn.waitForExecution(arn!, 2000)).toEqual({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: 'TimeoutSecondsPath of Wait resolved to 0, not a positive integer',
      });
    } finally {
      sdk.destroy();
      await sfn.close();
    }
  });

  it('refuses definitions it could not run faithfully', async () => {
    const definition = { StartAt: 'Wait', States: { Wait: { Type: 'Task', ...waitForToken, End: true } } };
    await expect(
      startLocalStepFunctions({ stateMachines: [{ arn: machineArn('NoHandler'), definition, taskHandlers: {} }] }),
    ).rejects.toThrow(/no task handler for: Wait/);
    await expect(
      startLocalStepFunctions({
        stateMachines: [
          {
            arn: machineArn('NoToken'),
            definition: { StartAt: 'Wait', States: { Wait: { Type: 'Task', ...waitForToken, Parameters: {}, End: true } } },
            taskHandlers: { Wait: async () => undefined },
          },
        ],
      }),
    ).rejects.toThrow(/\$\$\.Task\.Token/);
    await expect(
      startLocalStepFunctions({
        stateMachines: [{ arn: machineArn('Broken'), definition: { StartAt: 'Missing', States: {} }, taskHandlers: {} }],
      }),
    ).rejects.toThrow(/invalid/i);
  });
});
