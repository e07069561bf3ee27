import { randomBytes, randomUUID } from 'node:crypto';
import { ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import { prepareDefinition, TIMEOUT_SLOTS_CONTEXT_KEY, unwrapParameters, type PreparedDefinition, type TaskInfo } from './definition';
import { isExecutionArn, parseStateMachineArn, SfnError, type MachineArnParts } from './protocol';

/**
 * The executions of the local Step Functions stand-in: state machines run in-process with
 * aws-local-stepfunctions, each Task state runs a local function, and callback tasks wait for
 * their token. The JSON protocol over HTTP is `../sfn-endpoint.ts`; this module knows no HTTP.
 */

export interface LocalStateMachine {
  arn: string; // e.g. 'arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding'
  definition: Record<string, unknown>; // ASL JSON
  /** Local implementation of each Task state, by state name. Receives the task's effective input
   *  (after Parameters); for `arn:aws:states:::lambda:invoke*` resources, `input.Payload` instead.
   *  Throwing an Error whose `name` is X makes the task fail with error X (so Retry/Catch on X work). */
  taskHandlers: Record<string, (payload: unknown) => Promise<unknown>>;
}

export interface ExecutionEngineOptions {
  stateMachines: LocalStateMachine[];
  /** Cap applied to every TimeoutSeconds / TimeoutSecondsPath value (seconds); default 20 days,
   *  because Node timers overflow above ~24.8 days and would fire at once. */
  maxTimeoutSeconds?: number;
  /** Multiply every Retry interval by this (tests use 0.001 to retry fast); default 1. */
  retryIntervalScale?: number;
  log?: (line: string) => void;
}

export interface ExecutionSummary {
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

const DEFAULT_MAX_TIMEOUT_SECONDS = 20 * 24 * 60 * 60;
/** setTimeout's ceiling (2^31 - 1 ms), in whole seconds. */
const TIMER_LIMIT_SECONDS = Math.floor(2_147_483_647 / 1000);

/**
 * aws-local-stepfunctions never creates `$$.Task.Token`, so every execution's context carries this
 * stand-in, and each task attempt swaps it for a fresh token in its own input.
 */
const TOKEN_PLACEHOLDER = `LocalStepFunctionsTaskToken-${randomUUID()}`;
/** 384 random bits, base64url: exactly 64 characters, which is also how a malformed token is told apart. */
const TOKEN_BYTES = 48;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{64}$/;

type LocalTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
export type JsonValue = Awaited<ReturnType<LocalTaskHandlers[string]>>;
type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Machine {
  readonly arn: string;
  readonly arnParts: MachineArnParts;
  readonly prepared: PreparedDefinition;
  readonly runner: StateMachine;
  readonly handlers: LocalStateMachine['taskHandlers'];
}

export interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly machine: Machine;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** Task attempts whose promise the library is still awaiting. */
  readonly attempts: Set<TaskAttempt>;
  /** Shared with the run's context object: capped `TimeoutSecondsPath` values, by slot. */
  readonly timeoutSlots: Record<string, number>;
  abort: () => void;
  readonly ended: PromiseWithResolvers<void>;
  /** The execution's history as GetExecutionHistory reports it, oldest first. */
  readonly history: HistoryEvent[];
}

/**
 * One event of an execution's history, in the service's shape: a `type` such as `TaskStateEntered`
 * and the details under the key the service uses for that type (`stateEnteredEventDetails`, …).
 */
export interface HistoryEvent {
  readonly timestamp: Date;
  readonly type: string;
  readonly details: Readonly<Record<string, Record<string, unknown>>>;
}

type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>> extends IteratorResult<infer Event> ? Event : never;

const json = (value: unknown) => JSON.stringify(value ?? null);

/**
 * A library event as the service would record it, or nothing for events the service has no
 * history entry for (a retry shows only as the state's next attempt; the execution's own end is
 * recorded by `finish`, which also knows about stops and timeouts).
 */
function historyEntry(event: EventLog): Pick<HistoryEvent, 'type' | 'details'> | undefined {
  switch (event.type) {
    case 'ExecutionStarted':
      return { type: 'ExecutionStarted', details: { executionStartedEventDetails: { input: json(event.input), inputDetails: { truncated: false } } } };
    case 'StateEntered':
      return { type: `${event.state.type}StateEntered`, details: { stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input), inputDetails: { truncated: false } } } };
    case 'StateExited':
      return { type: `${event.state.type}StateExited`, details: { stateExitedEventDetails: { name: event.state.name, output: json(event.state.output), outputDetails: { truncated: false } } } };
    case 'StateFailed':
      return event.state.type === 'Task' ? { type: 'TaskFailed', details: { taskFailedEventDetails: { error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause) } } } : undefined;
    default:
      return undefined;
  }
}

export interface TaskAttempt {
  readonly execution: Execution;
  readonly task: TaskInfo;
  token?: string;
  timer?: NodeJS.Timeout;
  settled: boolean;
  readonly promise: PromiseWithResolvers<JsonValue>;
}

type ExecutionEnd = Pick<Execution, 'status' | 'output' | 'error' | 'cause'>;

/** A task failure as the service reports it: Retry/Catch match `name`; `message` becomes `Cause`. */
class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * Ends a task whose execution is gone or whose input is unusable. The library reads these two flags
 * (as its own States.Runtime does) and then neither retries nor catches, so nothing runs after it.
 */
class UncatchableError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function replaceInStrings(value: unknown, search: string, replacement: string): unknown {
  if (typeof value === 'string') return value.replaceAll(search, replacement);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, search, replacement));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceInStrings(v, search, replacement)]));
  }
  return value;
}

/** What a Lambda's result looks like once it has crossed the wire (Dates become strings, undefined null). */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null));
}

export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Maps how the library's run ended onto an execution status. */
function endOf(error: unknown): ExecutionEnd {
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  // ExecutionError wraps the state's error: its name is the ASL error, its message the cause.
  const failure = error instanceof ExecutionError ? describeError(error.cause) : describeError(error);
  return { status: 'FAILED', error: failure.name, cause: failure.message };
}

/** What the protocol's actions do to executions and tasks. */
export type ExecutionEngine = ReturnType<typeof createExecutionEngine>;

export function createExecutionEngine(options: ExecutionEngineOptions) {
  const log = options.log ?? (() => {});
  const maxTimeoutSeconds = options.maxTimeoutSeconds ?? DEFAULT_MAX_TIMEOUT_SECONDS;
  if (!(maxTimeoutSeconds >= 1 && maxTimeoutSeconds <= TIMER_LIMIT_SECONDS)) {
    throw new RangeError(`maxTimeoutSeconds must be between 1 and ${TIMER_LIMIT_SECONDS}`);
  }
  const retryIntervalScale = options.retryIntervalScale ?? 1;
  if (!(retryIntervalScale >= 0 && Number.isFinite(retryIntervalScale))) {
    throw new RangeError('retryIntervalScale must be a finite number >= 0');
  }

  const machines = new Map<string, Machine>();
  for (const config of options.stateMachines) {
    const arnParts = parseStateMachineArn(config.arn);
    if (!arnParts) throw new Error(`Not a state machine ARN: ${config.arn}`);
    if (machines.has(config.arn)) throw new Error(`State machine ${config.arn} is registered twice`);
    const prepared = prepareDefinition(arnParts.name, config.definition, { maxTimeoutSeconds, retryIntervalScale });
    // Without a local handler the library would invoke the real Lambda through the AWS SDK.
    const missing = [...prepared.tasks.keys()].filter((name) => !Object.hasOwn(config.taskHandlers, name));
    if (missing.length > 0) throw new Error(`State machine ${arnParts.name} has no task handler for: ${missing.join(', ')}`);
    machines.set(config.arn, {
      arn: config.arn,
      arnParts,
      prepared,
      runner: new StateMachine(prepared.definition, { validationOptions: { noValidate: true } }),
      handlers: config.taskHandlers,
    });
  }

  const executions = new Map<string, Execution>();
  const tokens = new Map<string, TaskAttempt>();
  /** Tokens whose task (or execution) timed out: AWS answers these with TaskTimedOut, not TaskDoesNotExist. */
  const timedOutTokens = new Set<string>();
  let closing = false;

  const label = (execution: Execution) => `${execution.machine.arnParts.name}/${execution.name}`;

  function settle(attempt: TaskAttempt, outcome: { value: JsonValue } | { error: Error }): void {
    if (attempt.settled) return;
    attempt.settled = true;
    clearTimeout(attempt.timer);
    attempt.execution.attempts.delete(attempt);
    if (attempt.token !== undefined && tokens.get(attempt.token) === attempt) tokens.delete(attempt.token);
    if ('value' in outcome) attempt.promise.resolve(outcome.value);
    else attempt.promise.reject(outcome.error);
  }

  /** Rejects every task the library still awaits, which also clears the library's per-task timers. */
  function cancelAttempts(execution: Execution, reason: string): void {
    for (const attempt of [...execution.attempts]) {
      if (attempt.token !== undefined && execution.status === 'TIMED_OUT') timedOutTokens.add(attempt.token);
      settle(attempt, { error: new UncatchableError('States.Runtime', reason) });
    }
  }

  /**
   * The library reports a state's exit on its own event stream, which can trail the result that
   * ends the execution: such a late event still goes before the execution's end, where it happened.
   */
  function record(execution: Execution, entry: Pick<HistoryEvent, 'type' | 'details'>, timestamp = new Date()): void {
    const event = { timestamp, ...entry };
    if (execution.stopDate !== undefined && execution.history.length > 0) execution.history.splice(execution.history.length - 1, 0, event);
    else execution.history.push(event);
  }

  const END_EVENTS: Record<Exclude<ExecutionStatus, 'RUNNING'>, string> = {
    SUCCEEDED: 'ExecutionSucceeded',
    FAILED: 'ExecutionFailed',
    TIMED_OUT: 'ExecutionTimedOut',
    ABORTED: 'ExecutionAborted',
  };

  function finish(execution: Execution, end: ExecutionEnd): void {
    if (execution.status !== 'RUNNING') return;
    Object.assign(execution, end, { stopDate: new Date() });
    const endType = END_EVENTS[end.status as Exclude<ExecutionStatus, 'RUNNING'>];
    const detailsKey = `${endType.charAt(0).toLowerCase()}${endType.slice(1)}EventDetails`;
    execution.history.push({
      timestamp: execution.stopDate!,
      type: endType,
      details: { [detailsKey]: end.status === 'SUCCEEDED' ? { output: execution.output, outputDetails: { truncated: false } } : { error: execution.error, cause: execution.cause } },
    });
    cancelAttempts(execution, `Execution ${execution.status}`);
    const took = execution.stopDate!.getTime() - execution.startDate.getTime();
    const detail = execution.error === undefined ? '' : ` ${execution.error}${execution.cause ? `: ${execution.cause}` : ''}`;
    log(`sfn: ${label(execution)} ${execution.status} after ${took} ms${detail}`);
    execution.ended.resolve();
  }

  function runTask(execution: Execution, task: TaskInfo, effectiveInput: JsonValue): Promise<JsonValue> {
    const unwrapped = unwrapParameters(effectiveInput);
    let timeoutSeconds: number;
    if (task.timeout.kind === 'path') {
      const requested = unwrapped.timeoutSeconds;
      const valid = typeof requested === 'number' && Number.isInteger(requested) && requested >= 1;
      timeoutSeconds = valid ? Math.min(requested, maxTimeoutSeconds) : maxTimeoutSeconds;
      // The library reads this slot synchronously right after this function returns.
      execution.timeoutSlots[task.timeout.slot] = timeoutSeconds;
      if (!valid) {
        const message = `TimeoutSecondsPath of ${task.stateName} resolved to ${JSON.stringify(requested)}, not a positive integer`;
        return Promise.reject(new UncatchableError('States.Runtime', message));
      }
    } else {
      timeoutSeconds = task.timeout.seconds;
    }
    // Retries of a cancelled task, or states run after an abort, must not reach the handlers.
    if (execution.status !== 'RUNNING') {
      return Promise.reject(new UncatchableError('States.Runtime', `Execution ${execution.status}`));
    }

    const attempt: TaskAttempt = { execution, task, settled: false, promise: Promise.withResolvers<JsonValue>() };
    execution.attempts.add(attempt);
    let input = unwrapped.input;
    if (task.waitForTaskToken) {
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      attempt.token = token;
      tokens.set(token, attempt);
      input = replaceInStrings(input, TOKEN_PLACEHOLDER, token);
      // The library fails the state with States.Timeout from its own timer of the same length, started
      // just after this one. This one only retires the token, so a late callback hears TaskTimedOut;
      // settling here could beat the library's timer with an error that States.TaskFailed would match.
      attempt.timer = setTimeout(() => {
        tokens.delete(token);
        timedOutTokens.add(token);
        log(`sfn: ${label(execution)} task ${task.stateName} timed out after ${timeoutSeconds} s`);
      }, timeoutSeconds * 1000);
    }

    const payload = task.kind === 'lambda-invoke' && isObject(input) ? input.Payload : input;
    const handler = execution.machine.handlers[task.stateName]!;
    const invoke = async (): Promise<JsonValue> => {
      const result = toJson(await handler(payload));
      // The lambda:invoke integration returns the invocation response, not just the payload.
      return task.kind === 'lambda-invoke' ? { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } : result;
    };
    invoke().then(
      (value) => {
        // A callback task's result comes from SendTaskSuccess, whatever its handler returns.
        if (!task.waitForTaskToken) settle(attempt, { value });
      },
      (thrown: unknown) => {
        const { name, message } = describeError(thrown);
        // Like the service, a failed Lambda's cause is the JSON error document of the runtime.
        const cause = task.kind === 'other' ? message : JSON.stringify({ errorType: name, errorMessage: message });
        settle(attempt, { error: new TaskFailure(name, cause) });
      },
    );
    return attempt.promise.promise;
  }

  function launch(machine: Machine, name: string, inputText: string, input: JsonValue): Execution {
    const { partition, region, account, name: machineName } = machine.arnParts;
    const arn = `arn:${partition}:states:${region}:${account}:execution:${machineName}:${name}`;
    const execution: Execution = {
      arn,
      name,
      machine,
      input: inputText,
      startDate: new Date(),
      status: 'RUNNING',
      attempts: new Set(),
      timeoutSlots: {},
      abort: () => {},
      ended: Promise.withResolvers<void>(),
      history: [],
    };
    executions.set(arn, execution);
    // Before run(): the library runs the first state's handler synchronously inside it.
    log(`sfn: ${label(execution)} started`);

    const handlers: LocalTaskHandlers = {};
    for (const task of machine.prepared.tasks.values()) {
      handlers[task.stateName] = (taskInput) => runTask(execution, task, taskInput);
    }
    const run = machine.runner.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      // Stops resolve the result with null rather than reject; `finish` has recorded ABORTED by then.
      noThrowOnAbort: true,
      context: {
        // The library fills in Execution.Input and Execution.StartTime itself.
        Execution: { Id: arn, Name: name, RoleArn: `arn:${partition}:iam::${account}:role/LocalStepFunctions`, RedriveCount: 0 },
        StateMachine: { Id: machine.arn, Name: machineName },
        Task: { Token: TOKEN_PLACEHOLDER },
        [TIMEOUT_SLOTS_CONTEXT_KEY]: execution.timeoutSlots,
      },
    });
    execution.abort = run.abort;
    void (async () => {
      for await (const event of run.eventLogs) {
        // After a stop the library may still run the current state to its end; the service records nothing more.
        if (execution.status === 'ABORTED') break;
        const entry = historyEntry(event);
        if (entry) record(execution, entry, new Date(event.timestamp));
      }
    })();
    run.result.then(
      (output) => finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
      (error: unknown) => finish(execution, endOf(error)),
    );
    return execution;
  }

  function findExecution(executionArn: string): Execution {
    const execution = executions.get(executionArn);
    if (execution) return execution;
    if (!isExecutionArn(executionArn)) throw new SfnError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }

  function findTask(taskToken: string): TaskAttempt {
    if (!TOKEN_PATTERN.test(taskToken)) throw new SfnError('InvalidToken', 'Invalid Token: the task token is malformed');
    const attempt = tokens.get(taskToken);
    if (attempt) return attempt;
    if (timedOutTokens.has(taskToken)) throw new SfnError('TaskTimedOut', "Task Timed Out: 'Provided task has timed out'");
    throw new SfnError('TaskDoesNotExist', "Task Does Not Exist: 'Provided task does not exist anymore'");
  }

  function stop(execution: Execution, error?: string, cause?: string): void {
    if (execution.status !== 'RUNNING') return;
    execution.abort();
    finish(execution, { status: 'ABORTED', error, cause });
  }

  return {
    log,
    get closing() {
      return closing;
    },
    machine: (arn: string) => machines.get(arn),
    /** The execution of `machine` with this name, if one was started. */
    named(machine: Machine, name: string): Execution | undefined {
      const { partition, region, account, name: machineName } = machine.arnParts;
      return executions.get(`arn:${partition}:states:${region}:${account}:execution:${machineName}:${name}`);
    },
    launch,
    findExecution,
    /** Every execution of `machine`, newest first, as ListExecutions orders them. */
    executionsOf(machine: Machine): Execution[] {
      return [...executions.values()].filter((execution) => execution.machine === machine).reverse();
    },
    findTask,
    stop,
    succeedTask(attempt: TaskAttempt, output: JsonValue): void {
      log(`sfn: ${label(attempt.execution)} task ${attempt.task.stateName} succeeded by callback`);
      settle(attempt, { value: output });
    },
    failTask(attempt: TaskAttempt, error: string, cause: string): void {
      log(`sfn: ${label(attempt.execution)} task ${attempt.task.stateName} failed by callback: ${error}`);
      settle(attempt, { error: new TaskFailure(error, cause) });
    },
    /** No new executions; every running one ends ABORTED. */
    closeAll(): void {
      closing = true;
      for (const execution of executions.values()) stop(execution, 'States.Aborted', 'The local Step Functions endpoint closed');
    },
    async waitForExecution(executionArn: string, timeoutMs = 30_000): Promise<ExecutionSummary> {
      const execution = executions.get(executionArn);
      if (!execution) return { status: 'UNKNOWN', error: 'ExecutionDoesNotExist' };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([execution.ended.promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      const summary: ExecutionSummary = { status: execution.status };
      if (execution.output !== undefined) summary.output = JSON.parse(execution.output);
      if (execution.error !== undefined) summary.error = execution.error;
      if (execution.cause !== undefined) summary.cause = execution.cause;
      return summary;
    },
    pendingTaskTokens: () => [...tokens.keys()],
  };
}
