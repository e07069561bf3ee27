import { AppError } from '../domain/errors';

/**
 * Opaque pagination cursors: a DynamoDB LastEvaluatedKey as base64url JSON. Decoding checks the
 * key belongs to the partition being listed, so a cursor can never page into another site.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(text: string | undefined, expected: { attribute: string; value: string }): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const invalid = () => new AppError('validation_failed', 'The cursor is not valid for this list.', { issues: [{ path: 'query.cursor', message: 'Invalid cursor' }] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed);
  if (entries.length === 0 || entries.length > 6 || entries.some(([, value]) => typeof value !== 'string')) throw invalid();
  const key = Object.fromEntries(entries) as Record<string, string>;
  if (key[expected.attribute] !== expected.value) throw invalid();
  return key;
}
