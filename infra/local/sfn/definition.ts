import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Turns an ASL definition (as synthesized by CDK) into one aws-local-stepfunctions runs the way
 * the real service would, and catalogues its Task states so the endpoint can route them.
 */

/** What a Task's `Resource` means for the payload its handler gets and the result it returns. */
export type TaskKind =
  /** A Lambda ARN (CDK `payloadResponseOnly`): the effective input is the payload, the result is the output. */
  | 'lambda-function'
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: the payload is `input.Payload`. */
  | 'lambda-invoke'
  /** Any other integration (SQS, SNS, …): the handler sees the effective input as-is. */
  | 'other';

export type TaskTimeout =
  | { readonly kind: 'fixed'; readonly seconds: number }
  /** From `TimeoutSecondsPath`; `slot` is where the handler puts the capped value for the library to read. */
  | { readonly kind: 'path'; readonly slot: string };

export interface TaskInfo {
  readonly stateName: string;
  readonly resource: string;
  readonly kind: TaskKind;
  readonly waitForTaskToken: boolean;
  readonly timeout: TaskTimeout;
}

export interface PreparedDefinition {
  readonly definition: StateMachineDefinition;
  readonly tasks: ReadonlyMap<string, TaskInfo>;
}

export interface PrepareOptions {
  readonly maxTimeoutSeconds: number;
  readonly retryIntervalScale: number;
}

/**
 * Name of a context object field holding one slot per `TimeoutSecondsPath` task. The library reads
 * the timeout through `$$.<field>.<slot>`, which lets us cap it and evaluate the path where AWS does.
 */
export const TIMEOUT_SLOTS_CONTEXT_KEY = 'LocalStepFunctionsTaskTimeouts';

/** Key under which a rewritten `Parameters` carries the task's real parameters and its timeout. */
export const WRAPPED_PARAMETERS_KEY = 'LocalStepFunctionsWrapped';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function taskKind(resource: string): TaskKind {
  if (/^arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource)) return 'lambda-invoke';
  if (/^arn:[^:]+:lambda:/.test(resource)) return 'lambda-function';
  return 'other';
}

/**
 * Validates `definition` with the library, then returns a rewritten deep copy:
 * - every `TimeoutSeconds` is capped (Node timers overflow above ~24.8 days and fire at once);
 * - Task states without a timeout get the cap, because the library defaults them to 60 s while
 *   AWS lets them run as long as the execution;
 * - `TimeoutSecondsPath` is evaluated against the state input (after InputPath, before Parameters)
 *   like AWS does, instead of against the effective input as the library does;
 * - Retry intervals are scaled.
 */
export function prepareDefinition(
  machineName: string,
  definition: Record<string, unknown>,
  options: PrepareOptions,
): PreparedDefinition {
  // The rewritten copy holds values the validator rejects (fractional intervals), so validate the original.
  new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: false, checkPaths: false },
  });

  const copy: unknown = structuredClone(definition);
  if (!isObject(copy)) throw new Error(`State machine ${machineName}: definition must be an object`);
  const tasks = new Map<string, TaskInfo>();
  const seenStates = new Set<string>();
  const cap = Math.floor(options.maxTimeoutSeconds);

  const rewriteRetriers = (state: JsonObject): void => {
    if (options.retryIntervalScale === 1 || !Array.isArray(state.Retry)) return;
    for (const retrier of state.Retry) {
      if (!isObject(retrier)) continue;
      const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
      retrier.IntervalSeconds = interval * options.retryIntervalScale;
      if (typeof retrier.MaxDelaySeconds === 'number') {
        retrier.MaxDelaySeconds = retrier.MaxDelaySeconds * options.retryIntervalScale;
      }
    }
  };

  const rewriteTask = (stateName: string, state: JsonObject): void => {
    const resource = state.Resource;
    if (typeof resource !== 'string') throw new Error(`State machine ${machineName}: Task ${stateName} has no Resource`);
    const waitForTaskToken = resource.endsWith('.waitForTaskToken');
    if (waitForTaskToken && !JSON.stringify(state.Parameters ?? null).includes('$$.Task.Token')) {
      // AWS refuses such a definition; locally the token would silently go nowhere.
      throw new Error(
        `State machine ${machineName}: Task ${stateName} uses .waitForTaskToken but its Parameters never pass $$.Task.Token`,
      );
    }

    let timeout: TaskTimeout;
    if (typeof state.TimeoutSecondsPath === 'string') {
      const slot = `t${tasks.size}`;
      const carried = 'Parameters' in state ? { parameters: state.Parameters } : { 'input.$': '$' };
      state.Parameters = { [WRAPPED_PARAMETERS_KEY]: { 'timeoutSeconds.$': state.TimeoutSecondsPath, ...carried } };
      state.TimeoutSecondsPath = `$$.${TIMEOUT_SLOTS_CONTEXT_KEY}.${slot}`;
      delete state.TimeoutSeconds;
      timeout = { kind: 'path', slot };
    } else {
      const seconds = typeof state.TimeoutSeconds === 'number' ? Math.min(state.TimeoutSeconds, cap) : cap;
      state.TimeoutSeconds = seconds;
      timeout = { kind: 'fixed', seconds };
    }
    tasks.set(stateName, { stateName, resource, kind: taskKind(resource), waitForTaskToken, timeout });
  };

  const rewriteMachine = (machine: JsonObject, path: string): void => {
    if (!isObject(machine.States)) throw new Error(`State machine ${machineName}: ${path} has no States`);
    for (const [stateName, state] of Object.entries(machine.States)) {
      if (!isObject(state)) continue;
      // Handlers are looked up by state name, so a name must mean one state.
      if (seenStates.has(stateName)) throw new Error(`State machine ${machineName}: state name ${stateName} is used twice`);
      seenStates.add(stateName);
      rewriteRetriers(state);
      if (state.Type === 'Task') rewriteTask(stateName, state);
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        state.Branches.forEach((branch, i) => {
          if (isObject(branch)) rewriteMachine(branch, `${stateName}.Branches[${i}]`);
        });
      }
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (isObject(processor)) rewriteMachine(processor, `${stateName}.ItemProcessor`);
      }
    }
  };

  if (typeof copy.TimeoutSeconds === 'number') copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, cap);
  rewriteMachine(copy, 'definition');
  return { definition: copy as unknown as StateMachineDefinition, tasks };
}

/** Splits a task's effective input back into what its handler should see and its requested timeout. */
export function unwrapParameters(input: unknown): { input: unknown; timeoutSeconds: unknown } {
  const wrapped = isObject(input) ? input[WRAPPED_PARAMETERS_KEY] : undefined;
  if (!isObject(wrapped)) return { input, timeoutSeconds: undefined };
  return { input: 'parameters' in wrapped ? wrapped.parameters : wrapped.input, timeoutSeconds: wrapped.timeoutSeconds };
}
