import * as z from 'zod/mini';

/**
 * An envelope-encrypted secret as stored: a data key wrapped by the key-encryption key (KMS in AWS,
 * a local key in the local stack) and the secret sealed with that data key (AES-256-GCM). The item
 * alone reveals nothing: opening it needs a Decrypt of the wrapped key with the same context.
 */
export const SealedSecretItem = z.object({
  /** Which key-encryption key wrapped the data key (`local` for the local stack). */
  keyProvider: z.enum(['kms', 'local']),
  wrappedKey: z.string(),
  iv: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});
export type SealedSecretItem = z.infer<typeof SealedSecretItem>;
