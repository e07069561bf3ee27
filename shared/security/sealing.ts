import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { environment } from '../config';
import { AppError } from '../domain/errors';
import type { SealedSecretItem } from '../directory/entities/sealed-secret';

/**
 * Envelope encryption of the secrets we must be able to read back (TOTP secrets). Each secret gets
 * its own data key; the secret is sealed with it locally (AES-256-GCM) and only the wrapped data key
 * is kept. Unwrapping it is bound to the person the secret belongs to: the KMS encryption context
 * in AWS, the additional authenticated data with the local key. A sealed item copied onto another
 * person, or edited, does not open.
 */
export interface SealContext {
  readonly siteId: string;
  readonly userId: string;
}

export interface SecretSealer {
  seal(plain: string, context: SealContext): Promise<SealedSecretItem>;
  open(sealed: SealedSecretItem, context: SealContext): Promise<string>;
}

const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
/** 96-bit nonces, as GCM is specified for; every seal uses a fresh data key and a fresh nonce. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The context as bytes, for GCM's additional authenticated data (JSON: no two contexts collide). */
const contextBytes = (context: SealContext) => Buffer.from(JSON.stringify(['guestpass/two-step', context.siteId, context.userId]), 'utf8');

interface Sealed {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function encrypt(key: Uint8Array, plain: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES }).setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws when the key, the context or any byte of the sealed parts is not what sealed them. */
function decrypt(key: Uint8Array, sealed: Sealed, aad: Buffer): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) throw new Error('A sealed secret with a malformed nonce or tag');
  const decipher = createDecipheriv(CIPHER, key, sealed.iv, { authTagLength: TAG_BYTES }).setAAD(aad).setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64');

/** The secret sealed with `dataKey`, as stored (without the wrapped key). */
function sealWith(dataKey: Uint8Array, plain: string, context: SealContext): Omit<SealedSecretItem, 'keyProvider' | 'wrappedKey'> {
  const plainBytes = Buffer.from(plain, 'utf8');
  try {
    const { iv, ciphertext, tag } = encrypt(dataKey, plainBytes, contextBytes(context));
    return { iv: b64(iv), ciphertext: b64(ciphertext), tag: b64(tag) };
  } finally {
    plainBytes.fill(0);
  }
}

function openWith(dataKey: Uint8Array, sealed: SealedSecretItem, context: SealContext): string {
  const plainBytes = decrypt(dataKey, { iv: unb64(sealed.iv), ciphertext: unb64(sealed.ciphertext), tag: unb64(sealed.tag) }, contextBytes(context));
  try {
    return plainBytes.toString('utf8');
  } finally {
    plainBytes.fill(0);
  }
}

function requireProvider(sealed: SealedSecretItem, provider: SealedSecretItem['keyProvider']): void {
  // A configuration mistake (local data in AWS, or the reverse), not something a retry fixes.
  if (sealed.keyProvider !== provider) throw new Error(`A secret sealed with the ${sealed.keyProvider} key cannot be opened with the ${provider} one`);
}

// ---------------------------------------------------------------------------------------------
// KMS (AWS)
// ---------------------------------------------------------------------------------------------

/** KMS answers that say "not now" rather than "no": the caller may simply try again. */
const TRANSIENT_KMS_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
]);

/** Answers no retry changes: our key, grant or data is wrong. */
const PERMANENT_KMS_ERRORS: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'DisabledException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
  'InvalidGrantTokenException',
  'InvalidKeyUsageException',
  'KMSInvalidStateException',
  'NotFoundException',
  'ValidationException',
]);

interface SdkErrorShape {
  name?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * As with SES: load and outages become a retryable 503 (with `retry-after`), anything else (no
 * permission, a disabled key, a ciphertext that is not ours) is our fault and stays a 500. Only the
 * error's name is kept in the message; the original is the cause.
 */
function kmsFailure(operation: string, error: unknown): Error {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' && /^[\w.:-]{1,100}$/.test(shape.name) ? shape.name : 'UnknownError';
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const transient =
    !PERMANENT_KMS_ERRORS.has(name) &&
    // No status: the request never got an answer (network), which the SDK already retried.
    (TRANSIENT_KMS_ERRORS.has(name) || Boolean(shape.$retryable) || status === undefined || status === 429 || status >= 500);
  if (transient) {
    return new AppError('service_unavailable', 'The key service is busy; try again shortly.', undefined, 1);
  }
  return new Error(`KMS ${operation} failed: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}`, { cause: error });
}

async function kmsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw kmsFailure(operation, error);
  }
}

/** The encryption context KMS binds each data key to (and CloudTrail records with each use). */
const encryptionContext = (context: SealContext): Record<string, string> => ({ siteId: context.siteId, userId: context.userId });

export function kmsSealer(kms: KMSClient, keyId: string): SecretSealer {
  return {
    async seal(plain, context) {
      const generated = await kmsCall('GenerateDataKey', () =>
        kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext(context) })),
      );
      const { Plaintext: dataKey, CiphertextBlob: wrapped } = generated;
      try {
        if (!dataKey || dataKey.length !== KEY_BYTES || !wrapped) throw new Error('KMS GenerateDataKey returned no 256-bit data key');
        return { keyProvider: 'kms', wrappedKey: b64(wrapped), ...sealWith(dataKey, plain, context) };
      } finally {
        dataKey?.fill(0);
      }
    },
    async open(sealed, context) {
      requireProvider(sealed, 'kms');
      const { Plaintext: dataKey } = await kmsCall('Decrypt', () =>
        kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: unb64(sealed.wrappedKey), EncryptionContext: encryptionContext(context) })),
      );
      try {
        if (!dataKey || dataKey.length !== KEY_BYTES) throw new Error('KMS Decrypt returned no 256-bit data key');
        return openWith(dataKey, sealed, context);
      } finally {
        dataKey?.fill(0);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A local key-encryption key (the local stack and tests)
// ---------------------------------------------------------------------------------------------

/**
 * The same envelope with a key-encryption key of our own instead of KMS: a random data key per
 * secret, wrapped with AES-256-GCM under the key-encryption key and the context. The wrapped key
 * is stored as base64 of nonce ‖ ciphertext ‖ tag.
 */
export function localSealer(keyEncryptionKey: Uint8Array): SecretSealer {
  if (keyEncryptionKey.length !== KEY_BYTES) throw new Error(`The local key-encryption key must be ${KEY_BYTES} bytes`);
  const kek = Buffer.from(keyEncryptionKey);
  return {
    async seal(plain, context) {
      const dataKey = randomBytes(KEY_BYTES);
      try {
        const wrapped = encrypt(kek, dataKey, contextBytes(context));
        return { keyProvider: 'local', wrappedKey: b64(Buffer.concat([wrapped.iv, wrapped.ciphertext, wrapped.tag])), ...sealWith(dataKey, plain, context) };
      } finally {
        dataKey.fill(0);
      }
    },
    async open(sealed, context) {
      requireProvider(sealed, 'local');
      const wrapped = unb64(sealed.wrappedKey);
      const dataKey = decrypt(
        kek,
        { iv: wrapped.subarray(0, IV_BYTES), ciphertext: wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES), tag: wrapped.subarray(wrapped.length - TAG_BYTES) },
        contextBytes(context),
      );
      try {
        return openWith(dataKey, sealed, context);
      } finally {
        dataKey.fill(0);
      }
    },
  };
}

/** A fresh local key-encryption key, base64 as `TWO_STEP_LOCAL_KEY` takes it. */
export const newLocalKey = (): string => randomBytes(KEY_BYTES).toString('base64');

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/**
 * The sealer this function is configured for: KMS with `TWO_STEP_KEY_ID` (AWS), else the local key
 * in `TWO_STEP_LOCAL_KEY` (the local stack). Neither is a configuration error, said as such.
 */
export function sealerFromEnvironment(): SecretSealer {
  const { TWO_STEP_KEY_ID: keyId, TWO_STEP_LOCAL_KEY: localKey } = environment();
  // Created once per container: the handler keeps the sealer for the container's life.
  if (keyId !== undefined) return kmsSealer(new KMSClient({}), keyId);
  if (localKey !== undefined) {
    const bytes = Buffer.from(localKey, 'base64');
    if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== localKey) {
      throw new Error(`Bad configuration: TWO_STEP_LOCAL_KEY must be the base64 of exactly ${KEY_BYTES} bytes`);
    }
    return localSealer(bytes);
  }
  throw new Error('Missing configuration: TWO_STEP_KEY_ID (a KMS key) or TWO_STEP_LOCAL_KEY (a local key) is needed to seal two-step secrets');
}

/**
 * A sealer made by `make` when it is first used. Handler modules load without their key
 * configured (the route declarations test, cold-import benchmarks) and only the requests that need
 * a secret fail on a missing one, with the message above.
 */
export function sealerOnFirstUse(make: () => SecretSealer): SecretSealer {
  let made: SecretSealer | undefined;
  const sealer = () => (made ??= make());
  return {
    seal: async (plain, context) => sealer().seal(plain, context),
    open: async (sealed, context) => sealer().open(sealed, context),
  };
}
