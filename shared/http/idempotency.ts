import type { Directory } from '../directory/directory';
import { withIdempotency, type IdempotencyScope, type StoredResponse } from '../directory/idempotency';

/** How the chain runs an idempotent route's work at most once per caller and key. */
export type IdempotencyStore = (scope: IdempotencyScope, now: Date, work: () => Promise<StoredResponse>) => Promise<StoredResponse>;

/** The first responses kept in the site's partition of the directory; given by the handler, so only idempotent routes bundle it. */
export const idempotencyIn =
  (db: Directory): IdempotencyStore =>
  (scope, now, work) =>
    withIdempotency(db, scope, now, work);
