import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvironmentCache } from '../../shared/config';
import { AppError } from '../../shared/domain/errors';
import type { SealedSecretItem } from '../../shared/directory/entities/sealed-secret';
import { errorResponse } from '../../shared/http/errors';
import type { HttpEvent } from '../../shared/http/event';
import { kmsSealer, localSealer, newLocalKey, sealerFromEnvironment, sealerOnFirstUse, type SecretSealer } from '../../shared/security/sealing';

const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({ region: 'eu-west-1' });
const KEY_ID = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const ANN = { siteId: 'acme', userId: 'usr_ann' };
const BOB = { siteId: 'acme', userId: 'usr_bob' };
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const event = { routeKey: 'POST /invitations/{token}/accept', requestContext: { requestId: 'req' } } as HttpEvent;

/**
 * A KMS stand-in that behaves as KMS does for these two calls: each data key is wrapped for one
 * encryption context, and Decrypt gives it back only for that context. The plaintext keys it hands
 * out are kept, so the test can see the sealer wiped them.
 */
function fakeKms() {
  const wrapped = new Map<string, { key: Buffer; context: string }>();
  const handedOut: Uint8Array[] = [];
  kmsMock.on(GenerateDataKeyCommand).callsFake((input: { EncryptionContext?: Record<string, string> }) => {
    const key = randomBytes(32);
    const blob = randomBytes(48);
    wrapped.set(blob.toString('base64'), { key, context: JSON.stringify(input.EncryptionContext) });
    const plaintext = new Uint8Array(key);
    handedOut.push(plaintext);
    return { KeyId: KEY_ID, CiphertextBlob: new Uint8Array(blob), Plaintext: plaintext };
  });
  kmsMock.on(DecryptCommand).callsFake((input: { CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> }) => {
    const entry = wrapped.get(Buffer.from(input.CiphertextBlob ?? []).toString('base64'));
    if (!entry || entry.context !== JSON.stringify(input.EncryptionContext)) {
      throw new InvalidCiphertextException({ message: 'The ciphertext is invalid', $metadata: { httpStatusCode: 400 } });
    }
    const plaintext = new Uint8Array(entry.key);
    handedOut.push(plaintext);
    return { KeyId: KEY_ID, Plaintext: plaintext };
  });
  return { handedOut };
}

function sdkError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name}: something about ${KEY_ID}`), { name, $metadata: { httpStatusCode } });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

const b64 = (text: string) => Buffer.from(text, 'base64');
/** The same sealed item with one byte of `field` flipped. */
function tampered(sealed: SealedSecretItem, field: 'ciphertext' | 'tag' | 'iv' | 'wrappedKey'): SealedSecretItem {
  const bytes = b64(sealed[field]);
  bytes[0] = bytes[0]! ^ 0x01;
  return { ...sealed, [field]: bytes.toString('base64') };
}

afterEach(() => {
  kmsMock.reset();
});

describe('the KMS sealer', () => {
  it('seals with a fresh AES-256 data key bound to the site and user, and keeps only the wrapped key', async () => {
    const { handedOut } = fakeKms();
    const sealed = await kmsSealer(kms, KEY_ID).seal(SECRET, ANN);

    const calls = kmsMock.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: { siteId: 'acme', userId: 'usr_ann' } });
    expect(sealed.keyProvider).toBe('kms');
    expect(b64(sealed.iv)).toHaveLength(12);
    expect(b64(sealed.tag)).toHaveLength(16);
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    // The plaintext data key is wiped as soon as the secret is sealed.
    expect(handedOut).toHaveLength(1);
    expect([...handedOut[0]!].every((byte) => byte === 0)).toBe(true);
  });

  it('opens what it sealed with Decrypt under the same context, and wipes that key too', async () => {
    const { handedOut } = fakeKms();
    const sealer = kmsSealer(kms, KEY_ID);
    const sealed = await sealer.seal(SECRET, ANN);
    expect(await sealer.open(sealed, ANN)).toBe(SECRET);

    const decrypt = kmsMock.commandCalls(DecryptCommand);
    expect(decrypt).toHaveLength(1);
    const { CiphertextBlob, ...rest } = decrypt[0]!.args[0].input;
    expect(rest).toEqual({ KeyId: KEY_ID, EncryptionContext: ANN });
    expect(Buffer.from(CiphertextBlob!).toString('base64')).toBe(sealed.wrappedKey);
    expect(handedOut.every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it('does not open a secret for another person: KMS refuses the context, and that is no retryable 503', async () => {
    fakeKms();
    const sealer = kmsSealer(kms, KEY_ID);
    const sealed = await sealer.seal(SECRET, ANN);
    const error = await rejection(sealer.open(sealed, BOB));
    expect(error).not.toBeInstanceOf(AppError);
    expect(error.message).toBe('KMS Decrypt failed: InvalidCiphertextException (HTTP 400)');
    expect(errorResponse(error, event)).toMatchObject({ statusCode: 500 });
  });

  it('binds the context locally too: a data key handed back for the wrong person still does not open the secret', async () => {
    // A KMS that ignored the context (KMS does not, but the secret must not rest on that alone).
    const ignoringContext = fakeKmsIgnoringContext(randomBytes(32));
    const sealer = kmsSealer(kms, KEY_ID);
    const sealed = await sealer.seal(SECRET, ANN);
    await expect(sealer.open(sealed, BOB)).rejects.toThrow(/authenticate/);
    expect(await sealer.open(sealed, ANN)).toBe(SECRET);
    expect(ignoringContext.decrypts()).toBe(2);
  });

  it.each(['ciphertext', 'tag', 'iv'] as const)('refuses a sealed secret whose %s was changed', async (field) => {
    fakeKms();
    const sealer = kmsSealer(kms, KEY_ID);
    const sealed = await sealer.seal(SECRET, ANN);
    await expect(sealer.open(tampered(sealed, field), ANN)).rejects.toThrow();
  });

  it('refuses a secret sealed with the local key instead of quietly asking KMS', async () => {
    fakeKms();
    const local = await localSealer(randomBytes(32)).seal(SECRET, ANN);
    await expect(kmsSealer(kms, KEY_ID).open(local, ANN)).rejects.toThrow('A secret sealed with the local key cannot be opened with the kms one');
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(0);
  });

  it.each([
    ['ThrottlingException', 400],
    ['KMSInternalException', 500],
    ['DependencyTimeoutException', 503],
    ['KeyUnavailableException', 500],
  ])('turns %s into a retryable 503 with retry-after, as SES load is', async (name, status) => {
    kmsMock.on(GenerateDataKeyCommand).rejects(sdkError(name, status));
    kmsMock.on(DecryptCommand).rejects(sdkError(name, status));
    const sealer = kmsSealer(kms, KEY_ID);
    for (const error of [await rejection(sealer.seal(SECRET, ANN)), await rejection(sealer.open(kmsSealed(), ANN))]) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'service_unavailable', status: 503, retryAfterSeconds: 1 });
      const response = errorResponse(error, event);
      expect(response).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
      expect(JSON.stringify(response)).not.toContain(KEY_ID);
    }
  });

  it.each([
    ['AccessDeniedException', 400],
    ['DisabledException', 400],
    ['KMSInvalidStateException', 400],
    ['NotFoundException', 400],
  ])('keeps %s a 500: no retry gives the function a key it may not use', async (name, status) => {
    kmsMock.on(GenerateDataKeyCommand).rejects(sdkError(name, status));
    const error = await rejection(kmsSealer(kms, KEY_ID).seal(SECRET, ANN));
    expect(error).not.toBeInstanceOf(AppError);
    expect(error.message).toBe(`KMS GenerateDataKey failed: ${name} (HTTP 400)`);
    expect(errorResponse(error, event)).toMatchObject({ statusCode: 500 });
  });
});

/** A stand-in KMS that always hands back the same key, whatever the context. */
function fakeKmsIgnoringContext(key: Buffer) {
  let decrypts = 0;
  kmsMock.on(GenerateDataKeyCommand).callsFake(() => ({ KeyId: KEY_ID, CiphertextBlob: new Uint8Array(randomBytes(48)), Plaintext: new Uint8Array(key) }));
  kmsMock.on(DecryptCommand).callsFake(() => {
    decrypts += 1;
    return { KeyId: KEY_ID, Plaintext: new Uint8Array(key) };
  });
  return { decrypts: () => decrypts };
}

/** A well-formed KMS-sealed item, for calls that fail before its content matters. */
const kmsSealed = (): SealedSecretItem => ({ keyProvider: 'kms', wrappedKey: randomBytes(48).toString('base64'), iv: randomBytes(12).toString('base64'), ciphertext: 'AAAA', tag: randomBytes(16).toString('base64') });

describe('the local sealer', () => {
  const kek = randomBytes(32);

  it('round-trips, with a fresh data key and nonce each time', async () => {
    const sealer = localSealer(kek);
    const first = await sealer.seal(SECRET, ANN);
    const second = await sealer.seal(SECRET, ANN);
    expect(first.keyProvider).toBe('local');
    expect(first.wrappedKey).not.toBe(second.wrappedKey);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(JSON.stringify(first)).not.toContain(SECRET);
    expect(await sealer.open(first, ANN)).toBe(SECRET);
    expect(await sealer.open(second, ANN)).toBe(SECRET);
  });

  it('does not open a secret for another person or site, with another key, or after any change', async () => {
    const sealer = localSealer(kek);
    const sealed = await sealer.seal(SECRET, ANN);
    await expect(sealer.open(sealed, BOB)).rejects.toThrow();
    await expect(sealer.open(sealed, { siteId: 'other', userId: ANN.userId })).rejects.toThrow();
    await expect(localSealer(randomBytes(32)).open(sealed, ANN)).rejects.toThrow();
    for (const field of ['ciphertext', 'tag', 'iv', 'wrappedKey'] as const) await expect(sealer.open(tampered(sealed, field), ANN), field).rejects.toThrow();
    // Parts of two sealed items do not combine either.
    const other = await sealer.seal(SECRET, ANN);
    await expect(sealer.open({ ...sealed, wrappedKey: other.wrappedKey }, ANN)).rejects.toThrow();
  });

  it('takes only a 256-bit key', () => {
    expect(() => localSealer(randomBytes(16))).toThrow('must be 32 bytes');
  });
});

describe('sealerFromEnvironment', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.TWO_STEP_KEY_ID;
    delete process.env.TWO_STEP_LOCAL_KEY;
    process.env.AWS_REGION = 'eu-west-1';
    resetEnvironmentCache();
  });
  afterEach(() => {
    process.env = { ...saved };
    resetEnvironmentCache();
  });

  const roundTrip = async (sealer: SecretSealer) => sealer.open(await sealer.seal(SECRET, ANN), ANN);

  it('uses KMS when TWO_STEP_KEY_ID is set, even with a local key beside it', async () => {
    fakeKms();
    process.env.TWO_STEP_KEY_ID = KEY_ID;
    process.env.TWO_STEP_LOCAL_KEY = newLocalKey();
    const sealer = sealerFromEnvironment();
    expect(await roundTrip(sealer)).toBe(SECRET);
    expect(kmsMock.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input.KeyId).toBe(KEY_ID);
    expect((await sealer.seal(SECRET, ANN)).keyProvider).toBe('kms');
  });

  it('uses the local key without a KMS key id, and never calls KMS', async () => {
    process.env.TWO_STEP_LOCAL_KEY = newLocalKey();
    const sealer = sealerFromEnvironment();
    expect(await roundTrip(sealer)).toBe(SECRET);
    expect((await sealer.seal(SECRET, ANN)).keyProvider).toBe('local');
    expect(kmsMock.calls()).toHaveLength(0);
  });

  it('says what to configure when neither is set, or the local key is not 32 bytes of base64', () => {
    expect(() => sealerFromEnvironment()).toThrow('Missing configuration: TWO_STEP_KEY_ID (a KMS key) or TWO_STEP_LOCAL_KEY');
    process.env.TWO_STEP_LOCAL_KEY = randomBytes(16).toString('base64');
    resetEnvironmentCache();
    expect(() => sealerFromEnvironment()).toThrow('TWO_STEP_LOCAL_KEY must be the base64 of exactly 32 bytes');
  });

  it('can be made on first use, so a handler loads without it and fails only the requests that seal', async () => {
    let made = 0;
    const sealer = sealerOnFirstUse(() => {
      made += 1;
      return sealerFromEnvironment();
    });
    expect(made).toBe(0);
    await expect(sealer.seal(SECRET, ANN)).rejects.toThrow('Missing configuration');
    process.env.TWO_STEP_LOCAL_KEY = newLocalKey();
    resetEnvironmentCache();
    expect(await roundTrip(sealer)).toBe(SECRET);
    expect(made).toBe(2);
    await roundTrip(sealer);
    expect(made).toBe(2);
  });
});
