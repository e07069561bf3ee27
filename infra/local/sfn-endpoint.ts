import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExecutionEngine, describeError, type ExecutionEngineOptions, type ExecutionSummary, type JsonValue } from './sfn/engine';
import {
  DescribeExecutionRequest,
  GetExecutionHistoryRequest,
  isValidExecutionName,
  ListExecutionsRequest,
  parseRequest,
  parseStateMachineArn,
  SendTaskFailureRequest,
  SendTaskHeartbeatRequest,
  SendTaskSuccessRequest,
  SfnError,
  StartExecutionRequest,
  StopExecutionRequest,
} from './sfn/protocol';

/**
 * A local stand-in for the Step Functions API (AWS JSON 1.0 protocol), so handlers that use
 * `@aws-sdk/client-sfn`, and the AWS CLI, can run the onboarding workflow without an AWS account.
 * This module speaks the protocol; the executions themselves are `./sfn/engine.ts`.
 */

export interface LocalStepFunctionsOptions extends ExecutionEngineOptions {
  port?: number; // 0 or undefined = pick a free port
  host?: string; // default 127.0.0.1
}

export interface LocalStepFunctions {
  url: string; // http://127.0.0.1:<port>
  close(): Promise<void>; // aborts running executions, closes the server
  /** Resolves when the named execution ends (tests use this); rejects never. On timeout it resolves
   *  with the current status (`RUNNING`); for an unknown ARN with status `UNKNOWN`. */
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<ExecutionSummary>;
  /** Task tokens currently waiting (for tests). */
  pendingTaskTokens(): string[];
}

const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** Paging tokens are opaque to callers: here, the offset of the next item, bound to what is paged. */
function pageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString('base64url');
}

function offsetOf(scope: string, token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { scope?: unknown; offset?: unknown };
    if (parsed.scope === scope && typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // answered below, as the service answers any token it did not issue
  }
  throw new SfnError('InvalidToken', 'Invalid Token: the pagination token is not valid');
}

/** One page of `items`; `maxResults` 0 or absent means the service's default of 100. */
function page<T>(scope: string, items: T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const size = maxResults || 100;
  const offset = offsetOf(scope, nextToken);
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { items: slice, nextToken: pageToken(scope, offset + size) } : { items: slice };
}

/** `includeExecutionData: false` keeps names and errors but drops inputs and outputs, as the service does. */
function withoutData(details: Readonly<Record<string, Record<string, unknown>>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [key, Object.fromEntries(Object.entries(value).filter(([field]) => !['input', 'output', 'inputDetails', 'outputDetails'].includes(field)))]),
  );
}

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const engine = createExecutionEngine(options);

  const actions = new Map<string, (body: unknown) => object>([
    [
      'StartExecution',
      (body) => {
        const request = parseRequest(StartExecutionRequest, body);
        const machine = engine.machine(request.stateMachineArn);
        if (!machine) {
          if (!parseStateMachineArn(request.stateMachineArn)) {
            throw new SfnError('InvalidArn', `Invalid Arn: '${request.stateMachineArn}'`);
          }
          throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
        }
        const name = request.name ?? randomUUID();
        if (!isValidExecutionName(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
        const inputText = request.input ?? '{}';
        let input: JsonValue;
        try {
          input = JSON.parse(inputText);
        } catch (error) {
          throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${describeError(error).message}'`);
        }
        const existing = engine.named(machine, name);
        if (existing) {
          // AWS treats a repeat with the same name and input as idempotent while the first still runs.
          if (existing.status === 'RUNNING' && existing.input === inputText) {
            return { executionArn: existing.arn, startDate: epochSeconds(existing.startDate) };
          }
          throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
        }
        if (engine.closing) throw new SfnError('ServiceUnavailable', 'The local Step Functions endpoint is closing', 503);
        const execution = engine.launch(machine, name, inputText, input);
        return { executionArn: execution.arn, startDate: epochSeconds(execution.startDate) };
      },
    ],
    [
      'DescribeExecution',
      (body) => {
        const execution = engine.findExecution(parseRequest(DescribeExecutionRequest, body).executionArn);
        return {
          executionArn: execution.arn,
          stateMachineArn: execution.machine.arn,
          name: execution.name,
          status: execution.status,
          startDate: epochSeconds(execution.startDate),
          stopDate: execution.stopDate && epochSeconds(execution.stopDate),
          input: execution.input,
          inputDetails: { included: true },
          output: execution.output,
          outputDetails: execution.output === undefined ? undefined : { included: true },
          error: execution.error,
          cause: execution.cause,
          redriveCount: 0,
        };
      },
    ],
    [
      'GetExecutionHistory',
      (body) => {
        const request = parseRequest(GetExecutionHistoryRequest, body);
        const execution = engine.findExecution(request.executionArn);
        const includeData = request.includeExecutionData ?? true;
        const events = execution.history.map((event, index) => ({
          timestamp: epochSeconds(event.timestamp),
          type: event.type,
          id: index + 1,
          previousEventId: index,
          ...(includeData ? event.details : withoutData(event.details)),
        }));
        if (request.reverseOrder) events.reverse();
        const { items, nextToken } = page(`${execution.arn}:${request.reverseOrder ? 'reverse' : 'forward'}`, events, request.maxResults, request.nextToken);
        return { events: items, ...(nextToken ? { nextToken } : {}) };
      },
    ],
    [
      'ListExecutions',
      (body) => {
        const request = parseRequest(ListExecutionsRequest, body);
        const machine = engine.machine(request.stateMachineArn);
        if (!machine) {
          if (!parseStateMachineArn(request.stateMachineArn)) throw new SfnError('InvalidArn', `Invalid Arn: '${request.stateMachineArn}'`);
          throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
        }
        const listed = engine
          .executionsOf(machine)
          .filter((execution) => request.statusFilter === undefined || execution.status === request.statusFilter)
          .map((execution) => ({
            executionArn: execution.arn,
            stateMachineArn: machine.arn,
            name: execution.name,
            status: execution.status,
            startDate: epochSeconds(execution.startDate),
            ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
            redriveCount: 0,
          }));
        const { items, nextToken } = page(`${machine.arn}:${request.statusFilter ?? '*'}`, listed, request.maxResults, request.nextToken);
        return { executions: items, ...(nextToken ? { nextToken } : {}) };
      },
    ],
    [
      'StopExecution',
      (body) => {
        const request = parseRequest(StopExecutionRequest, body);
        const execution = engine.findExecution(request.executionArn);
        engine.stop(execution, request.error, request.cause);
        return { stopDate: epochSeconds(execution.stopDate!) };
      },
    ],
    [
      'SendTaskSuccess',
      (body) => {
        const request = parseRequest(SendTaskSuccessRequest, body);
        const attempt = engine.findTask(request.taskToken);
        let output: JsonValue;
        try {
          output = JSON.parse(request.output);
        } catch (error) {
          throw new SfnError('InvalidOutput', `Invalid Output: '${describeError(error).message}'`);
        }
        engine.succeedTask(attempt, output);
        return {};
      },
    ],
    [
      'SendTaskFailure',
      (body) => {
        const request = parseRequest(SendTaskFailureRequest, body);
        const attempt = engine.findTask(request.taskToken);
        engine.failTask(attempt, request.error ?? '', request.cause ?? '');
        return {};
      },
    ],
    [
      'SendTaskHeartbeat',
      (body) => {
        // Heartbeat timeouts are not modelled; a heartbeat only proves the token is still live.
        engine.findTask(parseRequest(SendTaskHeartbeatRequest, body).taskToken);
        return {};
      },
    ],
  ]);

  async function readJson(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(buffer);
    }
    if (size > MAX_REQUEST_BYTES) throw new SfnError('ValidationException', 'Request body is too large');
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new SfnError('SerializationException', 'Request body is not valid JSON');
    }
  }

  function send(response: ServerResponse, status: number, body: object, errorType?: string): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    });
    response.end(text);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const target = request.headers['x-amz-target'];
      const prefix = 'AWSStepFunctions.';
      const action = typeof target === 'string' && target.startsWith(prefix) ? actions.get(target.slice(prefix.length)) : undefined;
      if (request.method !== 'POST' || action === undefined) {
        request.resume();
        throw new SfnError('UnknownOperationException', `Unsupported operation: ${request.method} ${String(target)}`);
      }
      send(response, 200, action(await readJson(request)));
    } catch (error) {
      const failure = error instanceof SfnError ? error : new SfnError('InternalFailure', describeError(error).message, 500);
      if (!(error instanceof SfnError)) engine.log(`sfn: internal error: ${failure.message}`);
      send(response, failure.statusCode, { __type: failure.type, message: failure.message }, failure.type);
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,

    async close() {
      engine.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this close() would wait for them to idle out.
        server.closeAllConnections();
      });
    },

    waitForExecution: engine.waitForExecution,

    pendingTaskTokens: engine.pendingTaskTokens,
  };
}
