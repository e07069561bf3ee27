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
