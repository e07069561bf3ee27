import type { Directory } from '../../shared/directory/directory';

interface ReadOutput {
  Item?: unknown;
  Items?: unknown[];
  ScannedCount?: number;
  Responses?: Record<string, unknown[]> | unknown[];
}

/**
 * Counts the items DynamoDB read for a client, from its answers: a Query or Scan counts every item
 * it evaluated (`ScannedCount`, filtered ones too), a GetItem its item, a BatchGetItem or
 * TransactGetItems every item returned. Added to the client's middleware stack, so it sees every
 * call the code under test makes.
 */
export function countItemsRead(db: Directory): { readonly total: () => number; reset: () => void } {
  let total = 0;
  db.client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as ReadOutput;
      if (typeof output.ScannedCount === 'number') total += output.ScannedCount;
      else if (Array.isArray(output.Items)) total += output.Items.length;
      else if (output.Item !== undefined) total += 1;
      else if (Array.isArray(output.Responses)) total += output.Responses.length;
      else if (output.Responses) total += Object.values(output.Responses).reduce((sum, items) => sum + items.length, 0);
      return result;
    },
    { step: 'initialize', name: 'countItemsRead' },
  );
  return { total: () => total, reset: () => void (total = 0) };
}
