import { z } from 'zod';

/** Request shapes of the Step Functions actions our handlers call (AWS JSON 1.0 bodies). */

export const StartExecutionRequest = z.object({
  stateMachineArn: z.string().min(1),
  name: z.string().optional(),
  input: z.string().optional(),
  traceHeader: z.string().optional(),
});

export const DescribeExecutionRequest = z.object({
  executionArn: z.string().min(1),
  includedData: z.string().optional(),
});

export const GetExecutionHistoryRequest = z.object({
  executionArn: z.string().min(1),
  maxResults: z.number().int().min(0).max(1000).optional(),
  reverseOrder: z.boolean().optional(),
  nextToken: z.string().max(1024).optional(),
  includeExecutionData: z.boolean().optional(),
});

export const ListExecutionsRequest = z.object({
  stateMachineArn: z.string().min(1),
  statusFilter: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']).optional(),
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: z.string().max(3096).optional(),
});

export const StopExecutionRequest = z.object({
  executionArn: z.string().min(1),
  error: z.string().max(256).optional(),
  cause: z.string().max(32768).optional(),
});

export const SendTaskSuccessRequest = z.object({
  taskToken: z.string().min(1).max(2048),
  output: z.string(),
});

export const SendTaskFailureRequest = z.object({
  taskToken: z.string().min(1).max(2048),
  error: z.string().max(256).optional(),
  cause: z.string().max(32768).optional(),
});

export const SendTaskHeartbeatRequest = z.object({
  taskToken: z.string().min(1).max(2048),
});

/** A failure answered as `{"__type", "message"}` with HTTP 400, which the SDKs turn into typed exceptions. */
export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new SfnError('ValidationException', z.prettifyError(parsed.error));
  return parsed.data;
}

const MACHINE_ARN = /^arn:([^:]+):states:([^:]+):([^:]+):stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/;

export interface MachineArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

export function parseStateMachineArn(arn: string): MachineArnParts | undefined {
  const match = MACHINE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = '', region = '', account = '', name = ''] = match;
  return { partition, region, account, name };
}

export function isExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn);
}

/** AWS's naming rule for executions: 1–80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or controls. */
export function isValidExecutionName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u.test(name);
}
