import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Directory } from './directory';
import { toTransactItem, type Write } from './writes';

/** A refused condition of a single (non-transaction) write. */
export const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/** One write outside a transaction, rendered the same way as inside one. */
export async function writeOne(db: Directory, write: Write): Promise<void> {
  const item = toTransactItem(db.tableName, write);
  if (item.Update) {
    const { ReturnValuesOnConditionCheckFailure: _ignored, ...input } = item.Update;
    await db.client.send(new UpdateCommand(input));
  } else if (item.Put) {
    const { ReturnValuesOnConditionCheckFailure: _ignored, ...input } = item.Put;
    await db.client.send(new PutCommand(input));
  } else if (item.Delete) {
    const { ReturnValuesOnConditionCheckFailure: _ignored, ...input } = item.Delete;
    await db.client.send(new DeleteCommand(input));
  } else {
    throw new Error('A condition check is only meaningful inside a transaction');
  }
}

/** {@link writeOne} that answers false when its condition refuses it. */
export async function writeOneIfAllowed(db: Directory, write: Write): Promise<boolean> {
  try {
    await writeOne(db, write);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * One update outside a transaction that answers the attributes it changed, as they are after it
 * (counters moved by ADD tell their new value), or null when its condition refuses it.
 */
export async function updateOneIfAllowed(db: Directory, write: Write): Promise<Record<string, unknown> | null> {
  const rendered = toTransactItem(db.tableName, write).Update;
  if (!rendered) throw new Error('updateOneIfAllowed takes an update');
  const { ReturnValuesOnConditionCheckFailure: _ignored, ...input } = rendered;
  try {
    const { Attributes } = await db.client.send(new UpdateCommand({ ...input, ReturnValues: 'UPDATED_NEW' }));
    return Attributes ?? {};
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}
