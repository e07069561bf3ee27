import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { render, sameCondition, type Condition, type Update } from './expressions';
import type { Key } from './key';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;
export type TransactItem = TransactItems[number];

/**
 * One write of a transaction, as data. Entity modules build these; they become TransactItems only
 * when committed, which is where two writes to one item (several promotions sharing the site's
 * seat counters) are summed.
 */
export type Write =
  | { readonly put: Key; readonly item: Record<string, unknown>; readonly condition?: Condition | undefined }
  | {
      readonly update: Key;
      readonly set: Update<never>;
      readonly condition?: Condition | undefined;
      /** The item's image comes back with a refusal (the seat counters, to tell which limit refused). */
      readonly returnOldOnRefusal?: boolean | undefined;
    }
  | { readonly delete: Key; readonly condition?: Condition | undefined }
  | { readonly check: Key; readonly condition: Condition };

export const putWrite = (key: Key, item: Record<string, unknown>, condition?: Condition): Write => ({ put: key, item: { ...key, ...item }, condition });
export const deleteWrite = (key: Key, condition?: Condition): Write => ({ delete: key, condition });
export const checkWrite = (key: Key, condition: Condition): Write => ({ check: key, condition });
export function updateWrite<A>(key: Key, set: Update<A>, condition?: Condition, options: { returnOldOnRefusal?: boolean } = {}): Write {
  return { update: key, set: set as unknown as Update<never>, condition, returnOldOnRefusal: options.returnOldOnRefusal };
}

function keyOf(write: Write): Key {
  if ('put' in write) return write.put;
  if ('update' in write) return write.update;
  if ('delete' in write) return write.delete;
  return write.check;
}

const sameKey = (a: Key, b: Key) => a.pk === b.pk && a.sk === b.sk;

/**
 * One transaction may not touch an item twice. Counter updates of one item with the same condition
 * (the site's seats, a space's guest count) are summed into one; anything else that touches an
 * item twice is a programming error.
 */
export function mergeWrites(writes: readonly Write[]): Write[] {
  const merged: Write[] = [];
  for (const write of writes) {
    const key = keyOf(write);
    const index = merged.findIndex((candidate) => sameKey(keyOf(candidate), key));
    if (index < 0) {
      merged.push(write);
      continue;
    }
    const earlier = merged[index]!;
    if (!('update' in earlier) || !('update' in write) || !sameCondition(earlier.condition, write.condition) || earlier.returnOldOnRefusal !== write.returnOldOnRefusal) {
      throw new Error(`Two writes to ${key.pk} ${key.sk} in one transaction cannot be merged`);
    }
    merged[index] = { ...earlier, set: earlier.set.plus(write.set) };
  }
  return merged;
}

/** The TransactItems of `writes` (merged) against `tableName`. */
export function transactItems(tableName: string, writes: readonly Write[]): TransactItem[] {
  return mergeWrites(writes).map((write) => toTransactItem(tableName, write));
}

export function toTransactItem(tableName: string, write: Write): TransactItem {
  const TableName = tableName;
  if ('put' in write) return { Put: { TableName, Item: write.item, ...render({ condition: write.condition }) } };
  if ('delete' in write) return { Delete: { TableName, Key: { ...write.delete }, ...render({ condition: write.condition }) } };
  if ('check' in write) {
    const { ConditionExpression, ...rest } = render({ condition: write.condition });
    return { ConditionCheck: { TableName, Key: { ...write.check }, ConditionExpression: ConditionExpression!, ...rest } };
  }
  return {
    Update: {
      TableName,
      Key: { ...write.update },
      ...(render({ update: write.set.forKey(write.update), condition: write.condition }) as { UpdateExpression: string }),
      ...(write.returnOldOnRefusal ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    },
  };
}
