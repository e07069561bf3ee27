import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * What DynamoDB billed and read for the calls a client made, counted by SDK middleware: every
 * data-plane call is sent with `ReturnConsumedCapacity: INDEXES` and the units it reports, the
 * table's and each index's together (on demand bills index writes too), are summed as read or
 * write units by the kind of call, as DynamoDB Local accounts them (transactional items included).
 */
export interface Meter {
  readonly readUnits: () => number;
  readonly writeUnits: () => number;
  /** Items each read evaluated: a Query's or Scan's `ScannedCount`, a get's items returned. */
  readonly itemsRead: () => number;
  /** Calls by command name (`GetItem`, `TransactWriteItems`, …). */
  readonly calls: () => Readonly<Record<string, number>>;
  reset(): void;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

type Capacity = { CapacityUnits?: number };
interface MeteredOutput {
  ConsumedCapacity?: Capacity | Capacity[];
  Item?: unknown;
  Items?: unknown[];
  ScannedCount?: number;
  Responses?: Record<string, unknown[]> | unknown[];
}

const commandOf = (name: string | undefined) => (name ?? '').replace(/Command$/, '');

function itemsIn(output: MeteredOutput): number {
  if (typeof output.ScannedCount === 'number') return output.ScannedCount;
  if (Array.isArray(output.Items)) return output.Items.length;
  if (output.Item !== undefined) return 1;
  if (Array.isArray(output.Responses)) return output.Responses.length;
  if (output.Responses) return Object.values(output.Responses).reduce((sum, items) => sum + items.length, 0);
  return 0;
}

export function meterDynamo(client: DynamoDBDocumentClient, name = 'benchMeter'): Meter {
  let readUnits = 0;
  let writeUnits = 0;
  let itemsRead = 0;
  let calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = commandOf(context.commandName);
      if (READS.has(command) || WRITES.has(command)) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const output = result.output as MeteredOutput;
      calls[command] = (calls[command] ?? 0) + 1;
      const consumed = [output.ConsumedCapacity ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
      if (WRITES.has(command)) writeUnits += consumed;
      if (READS.has(command)) {
        readUnits += consumed;
        itemsRead += itemsIn(output);
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    readUnits: () => readUnits,
    writeUnits: () => writeUnits,
    itemsRead: () => itemsRead,
    calls: () => ({ ...calls }),
    reset: () => {
      readUnits = 0;
      writeUnits = 0;
      itemsRead = 0;
      calls = {};
    },
  };
}

/** A call as it went to DynamoDB: the low-level command name and its marshalled input. */
export interface RecordedCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * Records the calls a client makes while `recording` is on, in their marshalled form (after the
 * document client converted them), so a bench can send exactly those calls again with the bare
 * low-level client and see what the same DynamoDB work costs without our code around it.
 */
export function recordCalls(client: DynamoDBDocumentClient): { start(): void; stop(): RecordedCall[] } {
  let recording: RecordedCall[] | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (recording) recording.push({ command: commandOf(context.commandName), input: structuredClone(args.input as Record<string, unknown>) });
      return next(args);
    },
    // After serialisation's marshalling step: the input is in DynamoDB's AttributeValue form.
    { step: 'build', name: 'benchRecorder' },
  );
  return {
    start: () => void (recording = []),
    stop: () => {
      const calls = recording ?? [];
      recording = undefined;
      return calls;
    },
  };
}

/** A short account of calls: `GetItem ×2, TransactWriteItems(4 items)`. */
export function describeCalls(calls: readonly RecordedCall[]): string {
  const parts: string[] = [];
  for (const call of calls) {
    const items = (call.input.TransactItems as unknown[] | undefined)?.length ?? (Object.values((call.input.RequestItems as Record<string, { Keys?: unknown[] } | unknown[]> | undefined) ?? {})[0] as { Keys?: unknown[] } | undefined)?.Keys?.length;
    const label = items === undefined ? call.command : `${call.command}(${items})`;
    const last = parts.at(-1);
    const match = last && /^(.*) ×(\d+)$/.exec(last);
    if (match && match[1] === label) parts[parts.length - 1] = `${label} ×${Number(match[2]) + 1}`;
    else if (last === label) parts[parts.length - 1] = `${label} ×2`;
    else parts.push(label);
  }
  return parts.join(', ');
}
