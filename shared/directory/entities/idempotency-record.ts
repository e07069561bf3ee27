import * as z from 'zod/mini';
import { conditionsOn, update } from '../expressions';
import { sitePartition, type Key } from '../key';

export const IDEMPOTENCY_TYPE = 'idempotency';

export const idempotencyKey = (siteId: string, callerId: string, key: string): Key => ({ pk: sitePartition(siteId), sk: `IDEMPOTENCY#${callerId}#${key}` });

export const IdempotencyRecord = z.object({
  bodyDigest: z.string(),
  state: z.enum(['in_progress', 'done']),
  status: z.optional(z.int()),
  /** Kept as JSON text: a DynamoDB map would not keep key order, and replays must be byte-identical. */
  responseJson: z.optional(z.string()),
  /** Epoch ms after which the claimant is dead (its Lambda timed out or crashed). Older records lack it. */
  claimExpiresAt: z.optional(z.int()),
  /** Who holds the claim, so a claimant that outlived its claim cannot overwrite its successor. */
  claimId: z.optional(z.string()),
  ttl: z.int(),
});
export type IdempotencyRecord = z.infer<typeof IdempotencyRecord>;

export const idempotencyUpdate = () => update<IdempotencyRecord>();
export const idempotencyIs = conditionsOn<IdempotencyRecord>();
