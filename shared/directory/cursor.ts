import { AppError } from '../domain/errors';
import { TABLE_DEFINITION } from './table';

/** Cursors: a DynamoDB key as opaque base64url JSON, for every paged list of the API. */
/** A decoded cursor: key attribute names of the directory table to their (string) values. */
export type CursorKey = Readonly<Record<string, string>>;

const PARTITION_ATTRIBUTES = new Set<string>([
  TABLE_DEFINITION.partitionKey,
  ...TABLE_DEFINITION.globalSecondaryIndexes.map((index) => index.partitionKey),
]);
const SORT_ATTRIBUTES = new Set<string>([TABLE_DEFINITION.sortKey, ...TABLE_DEFINITION.globalSecondaryIndexes.map((index) => index.sortKey)]);
// DynamoDB's own limits: a larger value would come back as a ValidationException (a 5xx to us).
const MAX_PARTITION_BYTES = 2048;
const MAX_SORT_BYTES = 1024;
// An index query's key has the table key plus the index key: four attributes at most.
const MAX_KEY_ATTRIBUTES = 4;
const MAX_CURSOR_CHARS = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function invalidCursor(): AppError {
  return new AppError('validation_failed', 'The cursor is not valid for this list; start again without one.', {
    issues: [{ path: 'query.cursor', message: 'Not a cursor this list gave out' }],
  });
}

/** The LastEvaluatedKey (or an item's key) as the opaque `nextCursor` of a page. */
export function encodeCursor(key: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor a client sent back, refusing with `validation_failed` anything that would make
 * DynamoDB fail or read outside the list: not base64url JSON, not an object of the table's key
 * attributes with non-empty strings within DynamoDB's key sizes, or (given `expectedPk`) a key of
 * another partition. `expectedPk` is the table's `pk` value as a string, or, for index queries, an
 * object whose every attribute must match (for example `{ pk, gsi2pk }`).
 * Cursors are not signed: a client can only pick a start key inside a partition it may list anyway.
 */
export function decodeCursor(text: string, expectedPk?: string | CursorKey): CursorKey {
  if (text.length === 0 || text.length > MAX_CURSOR_CHARS || !BASE64URL.test(text)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor();
  const entries = Object.entries(parsed);
  if (entries.length < 2 || entries.length > MAX_KEY_ATTRIBUTES) throw invalidCursor();
  const key: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || value.length === 0) throw invalidCursor();
    if (!PARTITION_ATTRIBUTES.has(name) && !SORT_ATTRIBUTES.has(name)) throw invalidCursor();
    const maxBytes = PARTITION_ATTRIBUTES.has(name) ? MAX_PARTITION_BYTES : MAX_SORT_BYTES;
    if (Buffer.byteLength(value, 'utf8') > maxBytes) throw invalidCursor();
    key[name] = value;
  }
  if (!(TABLE_DEFINITION.partitionKey in key) || !(TABLE_DEFINITION.sortKey in key)) throw invalidCursor();
  const expected = typeof expectedPk === 'string' ? { [TABLE_DEFINITION.partitionKey]: expectedPk } : (expectedPk ?? {});
  for (const [name, value] of Object.entries(expected)) {
    if (key[name] !== value) throw invalidCursor();
  }
  return key;
}

